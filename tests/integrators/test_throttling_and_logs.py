"""Throttling sized for data teams (a rate per key, X-RateLimit-* and Retry-After headers), the default
rate covering a district's daily BI refresh, and keys that never reach a log line."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from dashboards import services
from dashboards.api.auth import StatsKeyThrottle
from dashboards.api.views import ContractsView, IssuesView, ServicePointsView, VolunteersView
from dashboards.models import StatsApiCall
from grids.models import GridUnit
from guilin_portal.api_keys import strip_api_key
from guilin_portal.observability import JsonFormatter
from open311 import services as open311_services
from open311.demo import demo_units

pytestmark = pytest.mark.django_db
OVERVIEW = "/api/v1/stats/overview/"


def issue(unit_name: str, **fields):
    unit = GridUnit.objects.filter(name=unit_name).order_by("path").first()
    return services.api_key_issue(
        name="bi", unit=unit, expires_at=timezone.now() + dt.timedelta(days=1), created_by=None, **fields
    )


def call(plaintext: str, **headers):
    return Client().get(OVERVIEW, HTTP_AUTHORIZATION=f"Api-Key {plaintext}", **headers)


def test_a_keys_own_rate_set_in_the_admin_limits_it_with_headers(settings):
    cache.clear()
    _key, plaintext = issue("秀峰区", requests_per_hour=3)
    responses = [call(plaintext) for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert [r["X-RateLimit-Remaining"] for r in responses] == ["2", "1", "0", "0"]
    assert {r["X-RateLimit-Limit"] for r in responses} == {"3"}
    assert 0 < int(responses[0]["X-RateLimit-Reset"]) <= 3600
    assert 0 < int(responses[3]["Retry-After"]) <= 3600
    # Another key keeps its own budget (the default), untouched by the first one's.
    _other, other = issue("秀峰区")
    fresh = call(other)
    assert fresh.status_code == 200
    default = StatsKeyThrottle().parse_rate(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["stats_key"])
    assert fresh["X-RateLimit-Limit"] == str(default[0])
    cache.clear()


def test_the_admin_sets_a_keys_rate(client_as):
    client = client_as("admin")
    unit = GridUnit.objects.filter(name="七星区").first()
    response = client.post(
        "/admin/dashboards/statsapikey/add/",
        {
            "name": "BI 平台",
            "unit": unit.pk,
            "expires_at_0": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
            "expires_at_1": "00:00:00",
            "requests_per_hour": "50000",
        },
        follow=True,
    )
    assert response.status_code == 200
    from dashboards.models import StatsApiKey

    assert StatsApiKey.objects.get(name="BI 平台").requests_per_hour == 50000


def districts_units_at_full_scale() -> list[int]:
    """Units of each district down to its micro-grids (district, streets, communities, micro-grids) in the
    full demo city (grids.demo's layout at scale 1: 5,200 micro-grids)."""
    from collections import Counter

    from grids import demo

    shape = demo.layout(1.0)
    units: Counter[int] = Counter()
    community = 0
    for index, (district, _name) in enumerate(shape.streets):
        units[district] += 1
        for _ in range(shape.communities_per_street[index]):
            units[district] += 1 + shape.areas_per_community[community]
            community += 1
    return [count + 1 for count in units.values()]


def test_the_default_rate_covers_a_districts_daily_bi_refresh():
    """The README's arithmetic: every endpoint with and without each group_by, JSON and CSV, for a district
    and every unit below it down to the micro-grids, within one hour's budget, for the largest district."""
    groups = sum(len(view.groups) for view in (IssuesView, VolunteersView, ServicePointsView, ContractsView))
    calls_per_unit = (1 + 4 + groups) * 2  # overview + four endpoints' totals + their groupings; JSON and CSV
    largest = max(districts_units_at_full_scale())
    limit, seconds = StatsKeyThrottle().parse_rate(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["stats_key"])
    assert seconds == 3600
    assert (calls_per_unit, largest) == (40, 739)
    assert largest * calls_per_unit <= limit


def test_api_keys_never_reach_a_log_line(caplog):
    _community, area = demo_units()
    _client, plaintext = open311_services.open311_client_issue(name="热线", unit=area, created_by=None)
    secret = plaintext.split(".", 1)[1]
    with caplog.at_level(logging.DEBUG):
        Client().get("/open311/v2/requests.json", {"api_key": plaintext})
        Client().get("/open311/v2/requests/999999999.json", {"api_key": plaintext})  # a 404: django.request logs it
        Client().get("/open311/v2/requests.json", {"api_key": "wrong.key"})  # a 403
    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    assert lines
    assert not [line for line in lines if secret in line]


def test_a_stats_call_log_keeps_no_api_key_from_the_query():
    key, plaintext = issue("秀峰区")
    Client().get(OVERVIEW, {"api_key": "abc.def", "unit": ""}, HTTP_AUTHORIZATION=f"Api-Key {plaintext}")
    (path,) = StatsApiCall.objects.filter(key=key).values_list("path", flat=True)
    assert "abc.def" not in path
    assert "api_key=[removed]" in path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "/open311/v2/requests.json?api_key=ab12.secret&status=open",
            "/open311/v2/requests.json?api_key=[removed]&status=open",
        ),
        ("GET /x?status=open&API_KEY=a.b HTTP/1.1", "GET /x?status=open&API_KEY=[removed] HTTP/1.1"),
        ("/x?my_api_key=keep", "/x?my_api_key=keep"),
    ],
)
def test_strip_api_key(text, expected):
    assert strip_api_key(text) == expected
