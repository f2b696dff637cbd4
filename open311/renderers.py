"""GeoReport v2's two formats, chosen by the URL's extension (`services.xml`, `requests.json`).

The XML renderer needs the root element and the element of each list item
(`<services><service>`, `<service_requests><request>`, `<errors><error>`):
views answer with a `GeoReportResponse` that names them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from .representation import XML_ITEMS

# Characters XML 1.0 cannot hold (control characters other than tab, newline and carriage return).
XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


class GeoReportResponse(Response):
    """A response that knows its XML element names."""

    def __init__(self, data=None, *, root: str, item: str | None = None, **kwargs):
        super().__init__(data, **kwargs)
        self.xml_root = root
        self.xml_item = item


class GeoReportJSONRenderer(JSONRenderer):
    media_type = "application/json"
    format = "json"
    charset = "utf-8"


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return XML_INVALID_RE.sub("", str(value))


def _fill(element: ET.Element, value, item_name: str | None = None) -> None:
    if isinstance(value, dict):
        for key, child_value in value.items():
            _fill(ET.SubElement(element, key), child_value, XML_ITEMS.get(key))
    elif isinstance(value, list | tuple):
        for child_value in value:
            _fill(ET.SubElement(element, item_name or "item"), child_value)
    else:
        text = _text(value)
        if text:
            element.text = text


class GeoReportXMLRenderer(BaseRenderer):
    """`<?xml version="1.0" encoding="UTF-8"?>` then the spec's elements; null is an empty element."""

    media_type = "text/xml"
    format = "xml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        response = (renderer_context or {}).get("response")
        root = ET.Element(getattr(response, "xml_root", "response"))
        _fill(root, data, getattr(response, "xml_item", None))
        return XML_DECLARATION + ET.tostring(root, encoding="utf-8", xml_declaration=False)


class UrlFormatNegotiation(DefaultContentNegotiation):
    """The format is the URL's extension and nothing else (an Accept header never turns .xml into a 406)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        for renderer in renderers:
            if renderer.format == format_suffix:
                return renderer, renderer.media_type
        return renderers[0], renderers[0].media_type
