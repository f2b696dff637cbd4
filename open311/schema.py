"""GeoReport v2 in /api/schema/: one explicit path per format, `.json` and `.xml`.

The routes take the format as a suffix (`requests.json`); drf-spectacular would document
that as `/requests{format}`, two path parameters with no separator, which client
generators cannot build URLs for. This hook writes each as two paths with their own
operation ids (`open311_requests_json`, `open311_requests_xml`): the JSON one with the
JSON schemas, the XML one as `text/xml` text whose element names its description gives.
"""

from __future__ import annotations

import copy
from typing import Any

FORMAT_PLACEHOLDER = "{format}"

# The spec's XML element names of each answer (see open311.renderers).
XML_SHAPES = {
    "open311_discovery": "<discovery><changeset/><contact/><key_service/><endpoints><endpoint>…</endpoint></endpoints>"
    "</discovery>",
    "open311_services": "<services><service><service_code/><service_name/><description/><metadata/><type/>"
    "<keywords/><group/></service>…</services>",
    "open311_service_definition": "<service_definition><service_code/><attributes/></service_definition>",
    "open311_requests": "<service_requests><request><service_request_id/><status/><status_notes/><service_name/>"
    "<service_code/><description/><agency_responsible/><service_notice/><requested_datetime/><updated_datetime/>"
    "<expected_datetime/><address/><address_id/><zipcode/><lat/><long/><media_url/></request>…</service_requests>",
    "open311_request": "<service_requests><request>…</request></service_requests> (one request)",
    "open311_request_create": "<service_requests><request><service_request_id/><service_notice/><account_id/>"
    "</request></service_requests>",
}
ERRORS_XML = "<errors><error><code/><description/></error>…</errors>"
ERRORS_COMPONENT = "GeoReportErrors"
ERRORS_SCHEMA = {
    "type": "array",
    "description": "GeoReport v2's error list; `code` repeats the HTTP status.",
    "items": {
        "type": "object",
        "properties": {
            "code": {"type": "integer", "description": "The HTTP status: 400, 403, 404, 405, 409, 429 or 500."},
            "description": {"type": "string", "description": "Why, in the request's language."},
        },
        "required": ["code", "description"],
    },
}
# Answers these endpoints never give (the portal-wide rules of guilin_portal.schema add 401 by scheme).
NEVER = {"401"}


def _for_format(operation: dict[str, Any], fmt: str) -> dict[str, Any]:
    operation = copy.deepcopy(operation)
    base_id = operation.get("operationId", "open311")
    operation["operationId"] = f"{base_id}_{fmt}"
    operation["parameters"] = [p for p in operation.get("parameters", []) if p.get("name") != "format"]
    if not operation["parameters"]:
        del operation["parameters"]
    if "requestBody" in operation:
        body = operation["requestBody"]
        body["required"] = True  # service_code at least
        # The multipart body (the form's fields and `media`) is the one described: generators offer
        # a choice of bodies badly, and a form-encoded POST of the same fields is accepted as well.
        if "multipart/form-data" in body.get("content", {}):
            body["content"] = {"multipart/form-data": body["content"]["multipart/form-data"]}
            body["description"] = "multipart/form-data, or the same fields form-encoded (without `media`)."
    responses = operation.get("responses", {})
    for code in NEVER & set(responses):
        del responses[code]
    for code, response in responses.items():
        content = response.get("content") or {}
        json_media = content.get("application/json") or next(iter(content.values()), None)
        if json_media is None:
            continue
        if not str(code).startswith("2"):
            json_media = {"schema": {"$ref": f"#/components/schemas/{ERRORS_COMPONENT}"}}
        if fmt == "json":
            response["content"] = {"application/json": json_media}
        else:
            shape = XML_SHAPES.get(base_id, "") if str(code).startswith("2") else ERRORS_XML
            response["content"] = {
                "text/xml": {"schema": {"type": "string", "description": f"GeoReport v2 XML (UTF-8): {shape}"}}
            }
    return operation


def explicit_formats(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    """POSTPROCESSING_HOOKS entry: `/open311/v2/requests{format}` becomes `…/requests.json` and `…/requests.xml`."""
    paths = result.get("paths", {})
    result.setdefault("components", {}).setdefault("schemas", {})[ERRORS_COMPONENT] = ERRORS_SCHEMA
    for path in [p for p in paths if p.endswith(FORMAT_PLACEHOLDER)]:
        operations = paths.pop(path)
        base = path[: -len(FORMAT_PLACEHOLDER)]
        for fmt in ("json", "xml"):
            paths[f"{base}.{fmt}"] = {method: _for_format(operation, fmt) for method, operation in operations.items()}
    media = paths.get("/open311/v2/requests/{id}/media/{photo_pk}", {})
    for operation in media.values():
        for code in NEVER & set(operation.get("responses", {})):
            del operation["responses"][code]
        for code, response in operation.get("responses", {}).items():
            if not str(code).startswith("2") and response.get("content"):
                response["content"] = {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{ERRORS_COMPONENT}"}}
                }
    return result
