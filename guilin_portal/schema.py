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
# A map of field -> messages: one shape a client generator can type (a dict of lists of strings).
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": "The refused fields, each with its messages (`non_field_errors` for a rule over several).",
    # Messages, or (a list's or a nested object's field) the same map again, keyed by position or name.
    "additionalProperties": {
        "anyOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        ]
    },
    "example": {"to": ["The end date cannot be earlier than the start date."]},
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


# ---------------------------------------------------------------------------
# What client generators need (openapi-python-client: tests/integrators/)
# ---------------------------------------------------------------------------
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _walk(node: Any):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def ascii_names(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    """POSTPROCESSING_HOOKS entry: no Chinese `title` (generators name classes after titles).

    A model field's verbose name becomes a schema's title; the text stays in the description.
    """
    for node in _walk(result):
        title = node.get("title")
        if isinstance(title, str) and not title.isascii():
            del node["title"]
            if not node.get("description") and "$ref" not in node:
                node["description"] = title
    return result


def _has_binary(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    if "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    return any(node.get("format") == "binary" for node in _walk(schema))


def one_body_per_operation(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    """POSTPROCESSING_HOOKS entry: one request content type where several would carry the same schema.

    DRF parses JSON, forms and multipart alike, so drf-spectacular lists the same body three times;
    a generator then offers three identical bodies. JSON is kept, or multipart where the body holds a
    file. Bodies that truly differ (Open311's form and its multipart with `media`) are all kept.
    """
    components = result.get("components", {}).get("schemas", {})
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            if len(content) < 2:
                continue
            schemas = [media.get("schema") for media in content.values()]
            if any(schema != schemas[0] for schema in schemas[1:]):
                continue
            keep = "multipart/form-data" if _has_binary(schemas[0] or {}, components) else "application/json"
            if keep not in content:
                keep = next(iter(content))
            operation["requestBody"]["content"] = {keep: content[keep]}
    return result


TEXT_TYPES = {"text/csv": "CSV (UTF-8 with a byte-order mark)", "text/xml": "XML"}


def text_answers(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    """POSTPROCESSING_HOOKS entry: a CSV or XML answer is described as text, not with a JSON schema."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for response in operation.get("responses", {}).values():
                for media_type, media in (response.get("content") or {}).items():
                    if media_type in TEXT_TYPES and media.get("schema", {}).get("type") != "string":
                        media["schema"] = {"type": "string", "description": TEXT_TYPES[media_type]}
    return result
