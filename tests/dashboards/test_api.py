"""The statistics API: the same figures as the pages, scoped to the caller, bad parameters named, CSV,
documented, and a constant number of queries whatever the number of issues."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from dashboards import services
from grids.models import GridUnit

from .factories import bulk_issues

pytestmark = pytest.mark.django_db

ENDPOINTS = ["overview", "issues", "volunteers", "service-points", "contracts"]
GROUPS = {
    "issues": ["category", "status", "child", "month"],
    "volunteers": ["category", "child", "month"],
    "service-points": ["kind", "child", "month", "service"],
    "contracts": ["child", "status", "stage", "quarter"],
}
# A period with ragged edges: whole months from the roll-up, the odd days counted live.
RAGGED = {"from": "2025-03-17", "to": "2026-02-09"}


@pytest.fixture
def xiufeng_key(unit_named):
    _key, plaintext = services.api_key_issue(
        name="test client",
        unit=unit_named("秀峰区"),
        expires_at=timezone.now() + dt.timedelta(days=1),
        created_by=None,
    )
    return plaintext


def api(plaintext, endpoint, **params):
    return Client().get(f"/api/v1/stats/{endpoint}/", params, HTTP_AUTHORIZATION=f"Api-Key {plaintext}")


def number(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def same(page_values: dict, api_values: dict) -> None:
    for key, value in page_values.items():
        assert number(value) == pytest.approx(api_values[key]), key


def test_the_page_and_the_api_give_the_same_figures_for_the_same_unit_and_period(client_as, unit_named):
    district = unit_named("秀峰区")
    page = client_as("xiufeng_district").get(f"/dashboards/units/{district.pk}/", {"period": "custom", **RAGGED})
    assert page.status_code == 200
    staff = client_as("xiufeng_district")

    def stats(endpoint, **params):
        response = staff.get(f"/api/v1/stats/{endpoint}/", {"unit": district.pk, **RAGGED, **params})
        assert response.status_code == 200, response.content
        return response.json()

    issues = stats("issues")
    same(page.context["issues"].as_dict(), issues["totals"])
    assert issues["totals"]["logged"] > 0
    assert issues["totals"]["median_hours_to_resolve"] is not None
    tables = {t.name: t for _key, _label, group in page.context["sections"] for t in group}
    by_child = {row["label"]: row for row in stats("issues", group_by="child")["rows"]}
    for row in tables["issue_children"].rows:
        api_row = by_child[row["unit"]]
        for key in ("logged", "settled", "resolution_rate", "resolved", "satisfaction_rate", "overdue_now"):
            assert number(row[key]) == pytest.approx(api_row[key]), key
        assert number(row["median_hours"]) == pytest.approx(api_row["median_hours_to_resolve"])
    by_category = {row["label"]: row for row in stats("issues", group_by="category")["rows"]}
    assert [row["category"] for row in tables["issue_categories"].rows] == list(by_category)
    for row in tables["issue_categories"].rows:
        assert row["logged"] == by_category[row["category"]]["logged"]
        assert row["settled"] == by_category[row["category"]]["settled"]

    volunteers = stats("volunteers")
    same(page.context["volunteers"].as_dict() | {"teams_by_kind": None}, volunteers["totals"] | {"teams_by_kind": None})
    hours = {row["label"]: row["hours"] for row in stats("volunteers", group_by="category")["rows"]}
    for row in tables["volunteer_categories"].rows:
        assert number(row["hours"]) == pytest.approx(hours[row["category"]])

    points = stats("service-points")["totals"]
    assert points["points"] == page.context["network"].total_points
    assert points["red_station_services"] == page.context["red_station_services"]
    kinds = {row["label"]: row["points"] for row in stats("service-points", group_by="kind")["rows"]}
    assert {row["kind"]: row["points"] for row in tables["service_kinds"].rows} == kinds

    contracts = stats("contracts")["totals"]
    same({k: v for k, v in page.context["contracts"].as_dict().items() if k != "contracts_by_status"}, contracts)
    completion = page.context["completion"]
    assert contracts["latest_quarter"]["quarter"] == f"{completion.year}Q{completion.quarter}"
    assert number(completion.own.completion_rate) == pytest.approx(contracts["latest_quarter"]["completion_rate"])


def test_the_overview_endpoint_is_the_overview_page(client_as, unit_named):
    page = client_as("admin").get("/dashboards/city/").context["overview"]
    body = client_as("admin").get("/api/v1/stats/overview/").json()
    assert body["unit"]["name"] == "桂林市"
    for section, values in page.sections.items():
        same(values, body[section])


def test_a_xiufeng_key_gets_404_for_qixing_everywhere(xiufeng_key, unit_named):
    qixing = unit_named("七星区")
    for endpoint in ENDPOINTS:
        assert api(xiufeng_key, endpoint).status_code == 200, endpoint
        assert api(xiufeng_key, endpoint, unit=qixing.pk).status_code == 404, endpoint
        assert api(xiufeng_key, endpoint, unit=qixing.pk, format="csv").status_code == 404, endpoint
        inside = GridUnit.objects.filter(parent=unit_named("秀峰区")).first()
        assert api(xiufeng_key, endpoint, unit=inside.pk).json()["unit"]["id"] == inside.pk


def test_a_key_sees_only_its_subtree_in_child_rows(xiufeng_key, unit_named):
    rows = api(xiufeng_key, "issues", group_by="child").json()["rows"]
    children = set(GridUnit.objects.filter(parent=unit_named("秀峰区")).values_list("pk", flat=True))
    assert {row["key"] for row in rows} <= children | {unit_named("秀峰区").pk}


@pytest.mark.parametrize("endpoint", ["issues", "volunteers", "service-points", "contracts"])
def test_an_unknown_group_by_is_a_400_naming_it(xiufeng_key, endpoint):
    response = api(xiufeng_key, endpoint, group_by="colour")
    assert response.status_code == 400
    assert "group_by" in response.json()
    for group in GROUPS[endpoint]:
        assert api(xiufeng_key, endpoint, group_by=group).status_code == 200, group


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2025-01-32", "to": "2025-02-01"}, "from"),
        ({"from": "2025-03-01", "to": "2025-02-01"}, "to"),
        ({"from": "2025-03-01"}, "to"),
        ({"period": "fortnight"}, "period"),
        ({"unit": "abc"}, "unit"),
    ],
)
def test_a_bad_period_or_unit_is_a_400_naming_the_field(xiufeng_key, params, field):
    response = api(xiufeng_key, "issues", **params)
    assert response.status_code == 400
    assert field in response.json()


def test_csv_gives_the_rows_or_the_totals(xiufeng_key):
    response = api(xiufeng_key, "issues", group_by="month", format="csv", **RAGGED)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    months = [line["key"] for line in lines]
    assert months[0] == "2025-03"
    assert months[-1] == "2026-02"
    assert len(months) == 12
    totals = api(xiufeng_key, "issues", **RAGGED).json()["totals"]
    assert sum(int(line["logged"]) for line in lines) == totals["logged"]
    (only,) = csv.DictReader(io.StringIO(api(xiufeng_key, "volunteers", format="csv").content.decode("utf-8-sig")))
    assert "hours" in only
    assert "teams_by_kind.red_property" in only
    error = api(xiufeng_key, "issues", group_by="colour", format="csv")
    assert error.status_code == 400
    assert "group_by" in error.content.decode()


def test_the_schema_documents_every_stats_endpoint_and_validates():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    for endpoint in ENDPOINTS:
        operation = schema["paths"][f"/api/v1/stats/{endpoint}/"]["get"]
        names = {parameter["name"] for parameter in operation["parameters"]}
        assert {"unit", "format"} <= names, endpoint
        if endpoint != "overview":
            assert {"from", "to", "group_by", "period"} <= names, endpoint
            group = next(p for p in operation["parameters"] if p["name"] == "group_by")
            assert sorted(group["schema"]["enum"]) == sorted(GROUPS[endpoint])
            assert "400" in operation["responses"]
        assert {"200", "401", "404", "429"} <= set(operation["responses"]), endpoint
        assert "text/csv" in operation["responses"]["200"]["content"]
        assert {"StatsApiKey": []} in operation["security"]


def count_queries(client: Client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, (url, params, response.content[:300])
    return len(queries)


def test_dashboards_and_stats_endpoints_run_the_same_queries_for_3_and_300_issues(
    client_as, demo_user, unit_named, xiufeng_key
):
    district = unit_named("秀峰区")
    community = GridUnit.objects.filter(path__startswith=district.path, level=GridUnit.Level.COMMUNITY).last()
    worker = demo_user("xiufeng_worker")
    start = timezone.now() - dt.timedelta(days=100)
    page_client = client_as("xiufeng_district")
    key_client = Client(HTTP_AUTHORIZATION=f"Api-Key {xiufeng_key}")
    period = {"period": "custom", "from": (timezone.localdate() - dt.timedelta(days=130)).isoformat()}
    period["to"] = timezone.localdate().isoformat()
    urls = [(page_client, f"/dashboards/units/{unit.pk}/", period) for unit in (district, community)]
    urls += [(page_client, f"/dashboards/units/{district.pk}/issues/", period)]
    urls += [(page_client, "/dashboards/city/", {})]
    for endpoint in ENDPOINTS:
        for unit in (district, community):
            urls.append((key_client, f"/api/v1/stats/{endpoint}/", {"unit": unit.pk, **period}))
            for group in GROUPS.get(endpoint, []):
                urls.append((key_client, f"/api/v1/stats/{endpoint}/", {"unit": unit.pk, "group_by": group, **period}))

    def measure() -> list[int]:
        services.issue_rollup_refresh()
        return [count_queries(client, url, params) for client, url, params in urls]

    bulk_issues(3, within=community, reporter=worker, start=start, span=dt.timedelta(days=90))
    with_3 = measure()
    bulk_issues(297, within=community, reporter=worker, start=start, span=dt.timedelta(days=90))
    with_300 = measure()
    assert with_3 == with_300
    assert max(with_300) < 70


def test_every_group_by_is_answered_by_one_dashboard_table():
    from dashboards.tables import API_TABLES, PAGE_TABLES, TABLES

    assert set(API_TABLES) == {(endpoint, group) for endpoint, groups in GROUPS.items() for group in groups}
    shared = {name for name in PAGE_TABLES if TABLES[name].api}
    assert shared == {
        "issue_children",
        "issue_categories",
        "issue_months",
        "volunteer_categories",
        "volunteer_children",
        "service_kinds",
        "service_children",
        "red_station_services",
        "contract_children",
    }


def test_the_api_rows_are_the_page_tables_rows(client_as, unit_named):
    """Where the page shows a table, the API's rows for its group_by are that table's rows, in its order."""
    import json

    from rest_framework.utils.encoders import JSONEncoder

    from dashboards.tables import TABLES

    district = unit_named("秀峰区")
    client = client_as("xiufeng_district")
    page = client.get(f"/dashboards/units/{district.pk}/", {"period": "custom", **RAGGED})
    tables = {t.name: t for _key, _label, group in page.context["sections"] for t in group}
    compared = 0
    for name, table in tables.items():
        definition = TABLES[name]
        if definition.api is None or name == "issue_months":  # the page's month table is a 12-month trend
            continue
        endpoint, group = definition.api
        response = client.get(f"/api/v1/stats/{endpoint}/", {"unit": district.pk, "group_by": group, **RAGGED})
        assert response.status_code == 200, name
        # The API adds `in_total` to each row and, per child, a 本级 row (key "own") for the unit's own items.
        rows = [
            {key: value for key, value in row.items() if key != "in_total"}
            for row in response.json()["rows"]
            if row["key"] != "own"
        ]
        assert json.loads(json.dumps(table.api_rows(), cls=JSONEncoder)) == rows, name
        compared += 1
    assert compared == 8
