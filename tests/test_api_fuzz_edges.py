"""Bad input at the edges, on every route and every date filter: never a 500, always the interface's
own error format (JSON for /api/, the GeoReport error list for /open311/, a page otherwise).

- Non-numeric, fractional, negative and beyond-64-bit ids in every route kwarg found from the resolver.
- Calendar-edge dates in every date parameter found from the OpenAPI schema (and the pages' period
  filters): 0001-01-01, 9999-12-31, 2026-02-30, a five-digit year, 0000-00-00.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

from grids.models import GridUnit, User

pytestmark = pytest.mark.django_db

BAD_IDS = ["abc", "1.5", "-1", "99999999999999999999999", "9223372036854775808", "١٢", "0x1F"]
EDGE_DATES = ["0001-01-01", "9999-12-31", "2026-02-30", "99999-01-01", "0000-00-00", "2026-13-01"]
SKIP_PREFIXES = ("admin/", "static/", "i18n/")


def walk(resolver: URLResolver, prefix: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern, prefix + _text(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + _text(pattern.pattern), pattern


def _text(pattern) -> str:
    if isinstance(pattern, RegexPattern):
        return pattern._regex
    if isinstance(pattern, RoutePattern):
        return pattern._route
    return str(pattern)


def fill(route: str, value: str) -> str | None:
    """The route with every kwarg set to `value` (None for format-suffix twins)."""
    if "(?P<format>" in route or "<drf_format_suffix" in route:
        return None
    route = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: value, route)  # <int:pk>
    route = re.sub(r"\(\?P<([^>]+)>(?:[^()]|\([^()]*\))*\)", lambda m: value, route)  # (?P<pk>[^/.]+)
    route = route.replace("^", "").replace("$", "").replace("\\.", ".").replace("\\Z", "")
    if re.search(r"[()\[\]\\?*+]", route):
        return None
    return "/" + route


def routes_with_kwargs() -> list[tuple[str, str]]:
    found = {}
    for route, pattern in walk(get_resolver()):
        if route.startswith(SKIP_PREFIXES) or not re.search(r"<[^>]+>|\(\?P<", route):
            continue
        template = fill(route, "{}")
        if template is not None:
            found[template] = pattern.name or route
    return sorted(found.items())


ROUTES = routes_with_kwargs()


def assert_own_format(response, path: str) -> None:
    assert response.status_code < 500, f"{path}: {response.status_code}"
    content_type = response.get("Content-Type", "")
    if response.status_code in (301, 302, 304) or not response.content:
        return
    if path.startswith("/api/"):
        assert "json" in content_type or "csv" in content_type, f"{path}: {content_type}"
        json.loads(response.content) if "json" in content_type else None
    elif path.startswith("/open311/"):
        assert "json" in content_type or "xml" in content_type, f"{path}: {content_type}"
        if "json" in content_type and response.status_code >= 400:
            body = json.loads(response.content)
            assert isinstance(body, list), f"{path}: the GeoReport error list"
            assert {"code", "description"} <= set(body[0])


@pytest.fixture
def admin_client():
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username="admin"))
    return client


def test_the_resolver_has_routes_with_ids():
    assert len(ROUTES) > 40


@pytest.mark.parametrize(("template", "name"), ROUTES, ids=[name for _t, name in ROUTES])
def test_bad_ids_on_every_route(admin_client, template, name):
    for value in BAD_IDS:
        path = template.replace("{}", quote(value))
        for method in ("get", "post"):
            response = getattr(admin_client, method)(path)
            assert_own_format(response, path)


def schema_date_parameters() -> list[tuple[str, str]]:
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    schema = json.loads(client.get("/api/schema/", {"format": "json"}).content)
    found = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if not get or "{" in path:
            continue
        for parameter in get.get("parameters", []):
            spec = parameter.get("schema", {})
            named_like_a_date = re.search(r"(^|_)(date|from|to|since|until|day|start|end)($|_)", parameter["name"])
            if spec.get("format") in ("date", "date-time") or named_like_a_date:
                found.append((path, parameter["name"]))
    return found


PAGE_DATE_FILTERS = [
    ("dashboards:city", {"period": "custom"}, ("from", "to")),
    ("issues:issue_inbox", {}, ("from", "to", "created_from", "created_to")),
]


def test_calendar_edge_dates_on_every_date_filter(admin_client):
    parameters = schema_date_parameters()
    assert len(parameters) >= 4, parameters
    xiufeng = GridUnit.objects.get(level=GridUnit.Level.DISTRICT, name="秀峰区")
    problems = []
    for path, name in parameters:
        for value in EDGE_DATES:
            extra = {"unit": xiufeng.pk, "period": "custom"} if path.startswith("/api/v1/stats/") else {}
            if name == "to":
                extra["from"] = "2026-01-01"
            if name == "from":
                extra["to"] = "2026-12-31"
            response = admin_client.get(path, {**extra, name: value})
            try:
                assert_own_format(response, path)
            except AssertionError as error:
                problems.append(f"{path}?{name}={value}: {error}")
    for url_name, base, names in PAGE_DATE_FILTERS:
        for name in names:
            for value in EDGE_DATES:
                response = admin_client.get(reverse(url_name), {**base, name: value})
                if response.status_code >= 500:
                    problems.append(f"{url_name}?{name}={value}: {response.status_code}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("debug", [True, False], ids=["development", "production"])
def test_bad_input_answers_in_each_interfaces_format_in_both_settings(admin_client, settings, debug):
    settings.DEBUG = debug
    api = admin_client.get("/api/v1/issues/abc/")
    assert api.status_code == 404
    assert api.json()["detail"]
    huge = admin_client.get("/api/v1/issues/", {"created_after": "0001-01-01T00:00:00"})
    assert huge.status_code == 400
    assert "created_after" in huge.json()
    open311 = admin_client.get("/open311/v2/requests/99999999999999999999999.json")
    assert open311.status_code in (400, 403, 404)
    assert {"code", "description"} <= set(open311.json()[0])
    page = admin_client.get("/people/99999999999999999999999/")
    assert page.status_code == 404
