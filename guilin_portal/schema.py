"""OpenAPI post-processing: every operation documents the answers the API really gives.

drf-spectacular documents the success answer of each operation. The errors come
from one place, the project's exception handler (guilin_portal/api.py), and
follow from what an operation takes, so they are added here, once, by rule:

- 400 when it writes or reads query parameters (a named field, or a rule, refused);
- 401 when its first authentication scheme answers with a challenge (the
  statistics API key), 403 when it needs a log-in or writes (refused);
- 404 when it names an object in the path, in its query or in its body
  (outside the caller's jurisdiction: the same answer), or a page past the end;
- 409 when it writes (someone else changed the record first);
- 429 when it is throttled.

An answer the view documents itself is kept as it is. Path parameters also get
the grammar of their URL pattern (ids are whole numbers, slugs have their
characters), so a client, or a fuzzer, knows which paths exist at all.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.urls.converters import get_converters

WRITES = {"post", "put", "patch", "delete"}
ERROR = "PortalError"
VALIDATION_ERROR = "PortalValidationError"

ERROR_SCHEMA = {
    "type": "object",
    "description": "Why the request was refused.",
    "properties": {
        "detail": {"type": "string", "description": "A sentence for people."},
        "code": {"type": "string", "description": "A short code for programs, where there is one."},
    },
    "required": ["detail"],
}
VALIDATION_ERROR_SCHEMA = {
    "description": "The refused fields, each with its messages (`non_field_errors` for a rule over several).",
    "oneOf": [
        {
            "type": "object",
            "additionalProperties": {"oneOf": [{"type": "array", "items": {}}, {"type": "object"}]},
        },
        {"type": "array", "items": {"type": "string"}},
    ],
}
DESCRIPTIONS = {
    "400": "A field or parameter was refused; the body names it.",
    "401": "No valid credentials (the challenge names the scheme).",
    "403": "Not logged in, or not allowed to do this.",
    "404": "Not found, or outside the caller's jurisdiction (the same answer), or a page past the end.",
    "409": "Someone else changed the record first; nothing was applied.",
    "429": "Too many requests; retry later.",
}
_GROUP = re.compile(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))+)\)")
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
_DIGITS = {r"\d+", "[0-9]+"}


def _groups(path_regex: str) -> dict[str, str]:
    """Each path variable's regex, from a re_path pattern or a path() route with converters."""
    converters = get_converters()
    groups = dict(_GROUP.findall(path_regex))
    for converter, name in _CONVERTER.findall(path_regex):
        groups.setdefault(name, converters[converter or "str"].regex)
    return groups


def _challenges(view) -> bool:
    classes = getattr(view, "authentication_classes", None) or []
    return bool(classes) and bool(classes[0]().authenticate_header(None))


def _throttled(view) -> bool:
    classes = getattr(view, "throttle_classes", None)
    if classes is None:
        classes = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_CLASSES", [])
    return bool(classes)


def _codes(method: str, operation: dict[str, Any], view) -> list[str]:
    parameters = operation.get("parameters", [])
    in_path = any(p.get("in") == "path" for p in parameters)
    in_query = any(p.get("in") == "query" for p in parameters)
    anonymous = any(not requirement for requirement in operation.get("security", [{}]))
    writes = method in WRITES
    codes = []
    if in_query or writes:
        codes.append("400")
    if view is not None and _challenges(view):
        codes.append("401")
    if not anonymous or writes:
        codes.append("403")
    if in_path or in_query or writes:
        codes.append("404")
    if writes:
        codes.append("409")
    if view is not None and _throttled(view):
        codes.append("429")
    return codes


def _path_grammar(operation: dict[str, Any], groups: dict[str, str]) -> None:
    for parameter in operation.get("parameters", []):
        if parameter.get("in") != "path":
            continue
        name = parameter["name"]
        regex = groups.get(name) or (groups.get("pk") if name == "id" else None)
        schema = parameter.setdefault("schema", {})
        if regex is None or "enum" in schema:
            continue
        if schema.get("type") == "integer":
            schema.setdefault("minimum", 0)
        elif schema.get("type", "string") == "string" and "pattern" not in schema:
            schema["pattern"] = f"^(?:{regex})$"
            if regex in _DIGITS:
                schema["pattern"] = "^[0-9]+$"


def document_errors(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    """POSTPROCESSING_HOOKS entry: the error answers and the path grammar of every operation."""
    endpoints = {}
    for path, path_regex, method, view in generator._get_paths_and_endpoints():
        endpoints[path, method.lower()] = (path_regex, view)
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(ERROR, ERROR_SCHEMA)
    schemas.setdefault(VALIDATION_ERROR, VALIDATION_ERROR_SCHEMA)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            path_regex, view = endpoints.get((path, method), ("", None))
            _path_grammar(operation, _groups(path_regex))
            responses = operation.setdefault("responses", {})
            for code in _codes(method, operation, view):
                if code in responses:
                    continue
                component = VALIDATION_ERROR if code == "400" else ERROR
                responses[code] = {
                    "description": DESCRIPTIONS[code],
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
                }
    return result
