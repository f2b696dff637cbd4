"""GeoReport v2's two formats, chosen by the URL's extension (`services.xml`, `requests.json`).

The XML renderer needs the root element and the element of each list item
(`<services><service>`, `<service_requests><request>`, `<errors><error>`):
views answer with a `GeoReportResponse` that names them.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

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


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(XML_INVALID_RE.sub("", str(value)))


def _write(out: list[str], name: str, value, item_name: str | None = None) -> None:
    """One element: a dict's keys become children, a list's items `item_name` children, None an empty element."""
    if isinstance(value, dict):
        out.append(f"<{name}>")
        for key, child in value.items():
            _write(out, key, child, XML_ITEMS.get(key))
        out.append(f"</{name}>")
    elif isinstance(value, list | tuple):
        out.append(f"<{name}>")
        for child in value:
            _write(out, item_name or "item", child)
        out.append(f"</{name}>")
    else:
        text = _text(value)
        out.append(f"<{name}>{text}</{name}>" if text else f"<{name}/>")


class GeoReportXMLRenderer(BaseRenderer):
    """`<?xml version="1.0" encoding="UTF-8"?>` then the spec's elements; null is an empty element.

    Written as strings (element names are ours, text is escaped): several times faster than
    building an ElementTree for a 1,000-request answer.
    """

    media_type = "text/xml"
    format = "xml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        response = (renderer_context or {}).get("response")
        out: list[str] = []
        _write(out, getattr(response, "xml_root", "response"), data, getattr(response, "xml_item", None))
        return XML_DECLARATION + "".join(out).encode("utf-8")


class UrlFormatNegotiation(DefaultContentNegotiation):
    """The format is the URL's extension and nothing else (an Accept header never turns .xml into a 406)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        for renderer in renderers:
            if renderer.format == format_suffix:
                return renderer, renderer.media_type
        return renderers[0], renderers[0].media_type
