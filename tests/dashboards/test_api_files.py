"""Statistics files that open right: grouped rows add up to the totals at every level of the demo tree,
the CSV has a byte-order mark and a file name, unit, period and as-of time travel with every answer,
and an error is in one language: the request's."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from urllib.parse import unquote

import pytest
from django.test import Client
from django.utils import timezone

from dashboards import services
from grids.models import GridUnit

pytestmark = pytest.mark.django_db

# The demo tree, one unit per level: city, district, street, community, micro-grid.
LEVELS = ["桂林市", "秀峰区", "秀峰街道", "解东社区", "micro-grid"]
PERIOD = {"from": "2025-01-01", "to": "2026-12-31"}
HAN = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
ISO_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")

# (endpoint, group_by) -> {row field: totals field}: the rows' fields that must add up to a total.
ISSUE_SUMS = {f: f for f in ("logged", "settled", "rejected", "open", "resolved", "feedback", "satisfied")}
SERVICE_SUMS = {f: f for f in ("services", "hours", "difficulties_solved", "registered_member_services")}
TALLY = ("contracts", "due", "met", "partially_met", "not_met", "pending")
ADDS_UP = {
    ("issues", "category"): ISSUE_SUMS,
    ("issues", "status"): {"logged": "logged"},
    ("issues", "child"): ISSUE_SUMS | {"overdue_now": "overdue_now"},
    ("issues", "month"): ISSUE_SUMS,
    ("volunteers", "category"): SERVICE_SUMS,
    ("volunteers", "child"): SERVICE_SUMS,
    ("volunteers", "month"): SERVICE_SUMS,
    ("service-points", "kind"): {"points": "points"},
    ("service-points", "child"): {"points": "points"},
    ("service-points", "service"): {"services": "red_station_services"},
    ("service-points", "month"): {"services": "red_station_services"},
    ("contracts", "child"): {f: f"latest_quarter.{f}" for f in TALLY},
    ("contracts", "status"): {"contracts": "contracts"},
    ("contracts", "stage"): {"contracts": "contracts"},
}
# Rows per quarter are the unit's tally of each quarter (the last one is `latest_quarter`): not a partition.
NOT_A_PARTITION = {("contracts", "quarter")}


def unit_at(level: str) -> GridUnit:
    if level == "micro-grid":
        community = GridUnit.objects.filter(name="解东社区").order_by("path").first()
        return GridUnit.objects.filter(path__startswith=community.path, level=GridUnit.Level.AREA).order_by("path")[0]
    return GridUnit.objects.filter(name=level).order_by("path").first()


@pytest.fixture
def city_key():
    city = GridUnit.objects.filter(parent__isnull=True).order_by("path").first()
    _key, plaintext = services.api_key_issue(
        name="bi", unit=city, expires_at=timezone.now() + dt.timedelta(days=1), created_by=None
    )
    return plaintext


def stats(key, endpoint, **params):
    response = Client().get(f"/api/v1/stats/{endpoint}/", params, HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert response.status_code == 200, response.content
    return response


def file_name(disposition: str) -> str:
    """The RFC 6266 file name: `filename*=utf-8''<percent-encoded>` (non-ASCII), else `filename="…"`."""
    encoded = re.search(r"filename\*=(?i:utf-8)''([^;]+)", disposition)
    if encoded:
        return unquote(encoded.group(1))
    return re.search(r'filename="([^"]+)"', disposition).group(1)


def total(totals: dict, dotted: str):
    value = totals
    for part in dotted.split("."):
        value = (value or {}).get(part)
    return value or 0


def test_every_grouping_is_checked():
    from dashboards.tables import API_TABLES

    assert set(API_TABLES) == set(ADDS_UP) | NOT_A_PARTITION


@pytest.mark.parametrize("endpoint", ["issues", "volunteers", "service-points", "contracts"])
def test_grouped_rows_add_up_to_the_totals_at_every_level(city_key, endpoint):
    """The table: every group_by of the endpoint, at every level of the demo tree (one test per endpoint,
    so the demo city is set up four times, not seventy)."""
    checked = 0
    for level in LEVELS:
        unit = unit_at(level)
        for (name, group_by), sums in ADDS_UP.items():
            if name != endpoint:
                continue
            body = stats(city_key, endpoint, unit=unit.pk, group_by=group_by, **PERIOD).json()
            rows, totals = body["rows"], body["totals"]
            counted = [row for row in rows if row.get("in_total", True)]
            for field, total_field in sums.items():
                summed = sum(row.get(field) or 0 for row in counted)
                expected = total(totals, total_field)
                assert summed == pytest.approx(expected), (level, group_by, field, summed, expected, rows)
                checked += expected != 0
            # A difference is labelled, never silent: a row left out of the total says so.
            for row in rows:
                if not row.get("in_total", True):
                    assert row["label"]
    assert checked, "the demo city has figures to add up"


def test_the_units_own_items_are_a_row_of_their_own(city_key):
    """A district's own service points (its party-and-mass center) are in the 本级 row, not lost."""
    district = unit_at("秀峰区")
    body = stats(city_key, "service-points", unit=district.pk, group_by="child").json()
    own = [row for row in body["rows"] if row["key"] == "own"]
    if own:
        assert own[0]["label"] == "本级"
    english = stats(city_key, "service-points", unit=district.pk, group_by="child", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 200


def test_the_csv_opens_in_excel_with_the_chinese_intact(city_key):
    district = unit_at("秀峰区")
    response = stats(city_key, "issues", unit=district.pk, group_by="child", format="csv", **PERIOD)
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel on Chinese Windows reads UTF-8 by its BOM
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert next(iter(rows[0])) == "key"  # no BOM glued to the first column's name
    labels = {row["label"] for row in rows}
    assert {child.name for child in district.children.all()} & labels
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    name = file_name(disposition)
    assert "秀峰区" in name
    assert "2025-01-01" in name
    assert "2026-12-31" in name
    assert name.endswith(".csv")
    assert timezone.localdate().isoformat() in name


def test_the_csv_opens_in_openpyxl_free_csv_and_pandas_when_installed(city_key):
    response = stats(city_key, "volunteers", unit=unit_at("秀峰区").pk, group_by="category", format="csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert any(HAN.search(row["label"]) for row in rows)
    pandas = pytest.importorskip("pandas")
    frame = pandas.read_csv(io.BytesIO(response.content), encoding="utf-8-sig")
    assert list(frame.columns)[0] == "key"


@pytest.mark.parametrize("endpoint", ["overview", "issues", "volunteers", "service-points", "contracts"])
def test_unit_period_and_as_of_travel_in_headers_and_json(city_key, endpoint):
    district = unit_at("秀峰区")
    response = stats(city_key, endpoint, unit=district.pk, **PERIOD)
    body = response.json()
    assert body["unit"]["id"] == district.pk
    assert ISO_OFFSET.match(body["as_of"]), body["as_of"]
    assert response["X-Stats-Unit"] == str(district.pk)
    assert unquote(response["X-Stats-Unit-Name"]) == district.name
    assert response["X-Stats-As-Of"] == body["as_of"]
    if endpoint != "overview":
        assert body["period"] == {"from": "2025-01-01", "to": "2026-12-31"}
        assert response["X-Stats-Period"] == "2025-01-01/2026-12-31"
    csv_response = stats(city_key, endpoint, unit=district.pk, format="csv", **PERIOD)
    assert csv_response["X-Stats-As-Of"]
    assert "秀峰区" in unquote(csv_response["Content-Disposition"])


@pytest.mark.parametrize(
    "params",
    [
        {"group_by": "colour"},
        {"unit": "abc"},
        {"from": "2026-13-01", "to": "2026-12-31"},
        {"from": "2026-12-31", "to": "2026-01-01"},
        {"period": "quarter", "quarter": "9"},
        {"from": "2026-01-01"},
    ],
)
def test_an_english_error_contains_no_chinese_and_a_chinese_one_no_english_sentence(city_key, params):
    url = "/api/v1/stats/issues/"
    english = Client().get(url, params, HTTP_AUTHORIZATION=f"Api-Key {city_key}", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400
    assert not HAN.search(english.content.decode()), english.content.decode()
    chinese = Client().get(url, params, HTTP_AUTHORIZATION=f"Api-Key {city_key}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.status_code == 400
    assert HAN.search(chinese.content.decode()), chinese.content.decode()
