"""The filtered issue list as a streamed XLSX: the page's rows, residents' phones masked by grids' one rule."""

import datetime as dt
import io
import tracemalloc

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from dashboards.exports import write_issue_workbook
from grids.models import GridUnit
from issues.models import Issue
from issues.selectors import IssueFilters, issue_list, issue_resident_phone_for

from .factories import bulk_issues

pytestmark = pytest.mark.django_db

START = timezone.now() - dt.timedelta(days=40)
PERIOD = {
    "period": "custom",
    "from": (timezone.localdate() - dt.timedelta(days=45)).isoformat(),
    "to": timezone.localdate().isoformat(),
}


@pytest.fixture
def community_issues(demo_user, unit_named):
    """20 issues in 解东社区 routed to its office (xiufeng_community handles them), 20 routed to the street."""
    community = unit_named("解东社区")
    worker = demo_user("xiufeng_worker")
    own = bulk_issues(20, within=community, reporter=worker, start=START, span=dt.timedelta(days=30), office=community)
    street = bulk_issues(
        20, within=community, reporter=worker, start=START, span=dt.timedelta(days=30), office=community.parent
    )
    return community, own, street


def workbook_rows(response) -> list[tuple]:
    assert response.streaming  # written while it is sent, never whole in memory
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


def test_the_xlsx_holds_exactly_the_rows_of_the_pages_filter(client_as, community_issues):
    community, _own, _street = community_issues
    client = client_as("xiufeng_community")
    params = {**PERIOD, "status": "closed"}
    listing = client.get(f"/dashboards/units/{community.pk}/issues/", params)
    assert listing.status_code == 200
    page = listing.context["page"]
    assert page.paginator.count >= 8

    response = client.get(f"/dashboards/units/{community.pk}/issues/export.xlsx", params)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="issues-')
    rows = workbook_rows(response)
    assert rows[0][0] == "编号"
    exported = [row[0] for row in rows[1:]]
    assert exported == [issue.pk for issue in page.paginator.object_list]
    assert len(exported) == page.paginator.count
    assert {row[4] for row in rows[1:]} == {"已关闭"}


def test_phones_are_masked_unless_the_viewer_handles_the_issue(client_as, demo_user, community_issues):
    community, own, street = community_issues
    viewer = demo_user("xiufeng_community")
    rows = workbook_rows(
        client_as("xiufeng_community").get(f"/dashboards/units/{community.pk}/issues/export.xlsx", PERIOD)
    )
    phones = {row[0]: row[11] for row in rows[1:]}
    assert {phones[issue.pk] for issue in own} == {"13812345678"}  # their office handles these
    assert {phones[issue.pk] for issue in street} == {"138****5678"}  # the street office does
    # The one rule, applied to each issue as grids' own pages see it.
    for issue in issue_list(viewer=viewer, filters=IssueFilters(unit=community, created_from=START)):
        if issue.pk in phones:
            # A spreadsheet keeps no empty strings: a blank cell reads back as None.
            assert (phones[issue.pk] or "") == issue_resident_phone_for(viewer, issue)
    district_rows = workbook_rows(
        client_as("xiufeng_district").get(f"/dashboards/units/{community.pk}/issues/export.xlsx", PERIOD)
    )
    ours = {issue.pk for issue in [*own, *street]}
    assert {row[11] for row in district_rows[1:] if row[0] in ours} == {"138****5678"}  # handles none of them


def test_only_staff_export_and_only_inside_their_jurisdiction(client_as, unit_named, community_issues):
    community, _own, _street = community_issues
    worker = client_as("xiufeng_worker")
    area = GridUnit.objects.filter(path__startswith=community.path, level=GridUnit.Level.AREA).first()
    assert worker.get(f"/dashboards/units/{area.pk}/issues/", PERIOD).status_code == 200
    assert worker.get(f"/dashboards/units/{area.pk}/issues/export.xlsx", PERIOD).status_code == 403
    qixing = unit_named("七星区")
    assert client_as("xiufeng_district").get(f"/dashboards/units/{qixing.pk}/issues/export.xlsx").status_code == 404
    bad = client_as("xiufeng_district").get(
        f"/dashboards/units/{community.pk}/issues/export.xlsx", {"period": "custom", "from": "2025-05-01"}
    )
    assert bad.status_code == 400


def test_the_export_streams_rows_without_holding_them(demo_user, unit_named, tmp_path):
    # (The bench measures a million rows on PostgreSQL: bench/dashboards.py.)
    """Python memory stays flat as the row count grows: rows are read in chunks (100 here) and written as read."""
    district = unit_named("秀峰区")
    viewer = demo_user("xiufeng_district")
    bulk_issues(1500, within=district, reporter=demo_user("xiufeng_worker"), start=START, span=dt.timedelta(days=30))
    queryset = issue_list(viewer=viewer, filters=IssueFilters(unit=district))

    def peak(limit: int) -> tuple[int, int]:
        tracemalloc.start()
        written = write_issue_workbook(viewer, queryset[:limit], tmp_path / f"{limit}.xlsx", chunk_size=100)
        _current, high = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return written, high

    small_rows, small_peak = peak(100)
    large_rows, large_peak = peak(1500)
    assert (small_rows, large_rows) == (100, 1500)
    assert large_peak < small_peak * 3  # fifteen times the rows, not fifteen times the memory
    assert Issue.objects.filter(unit__path__startswith=district.path).count() >= 1500


def test_the_streamed_workbook_is_a_valid_package_with_every_cell(tmp_path):
    from dashboards.xlsx import XlsxStream, column_letters

    assert column_letters(28)[-3:] == ["Z", "AA", "AB"]
    book = XlsxStream(tmp_path / "t.xlsx", sheet="居民/问题<1>", columns=4)
    book.append(["编号", "说明", "数", "空"])
    book.append([1, "<b>&\x07控制符", 2.5, None])
    book.append([2, "  前后空格 ", -3, ""])
    book.close()
    sheet = load_workbook(tmp_path / "t.xlsx").worksheets[0]
    assert sheet.title == "居民问题<1>"  # "/" is not allowed in a sheet's name
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        ["编号", "说明", "数", "空"],
        [1, "<b>&控制符", 2.5, None],
        [2, "  前后空格 ", -3, None],
    ]
