"""Files: every dashboard table as CSV or XLSX, and the filtered issue list as a streamed XLSX.

The issue list is written row by row from a server-side cursor
(`values_list(...).iterator(chunk_size=...)`) into an openpyxl write-only
workbook (rows go to a temporary file as they are written, strings inline),
saved to an anonymous temporary file that FileResponse streams and closes: a
million rows never sit in memory. Resident names and phones go through grids'
one rule (`can_see_resident_contact`): in full for the reporter and the
handlers, masked for everyone else.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from grids.models import Issue
from grids.selectors import issue_resident_name_for, issue_resident_phone_for

from .tables import Table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 2000


def _cell(value: Any, kind: str = "") -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value) if kind != "text" else str(value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value if isinstance(value, int | float) else str(value)


def _table_lines(table: Table) -> Iterator[list[Any]]:
    yield [str(column.label) for column in table.columns]
    for row in table.rows:
        yield [_cell(row.get(column.key), column.kind) for column in table.columns]


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def table_csv(table: Table, filename: str) -> HttpResponse:
    """The table as UTF-8 CSV with a byte-order mark (so Excel reads the Chinese right)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for line in _table_lines(table):
        writer.writerow(["" if value is None else value for value in line])
    return _attachment(HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8"), filename)


def table_xlsx(table: Table, filename: str) -> HttpResponse:
    """The table as a one-sheet workbook (dashboard tables are small: a few hundred rows at most)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(table.title)[:31])
    for line in _table_lines(table):
        sheet.append(line)
    output = io.BytesIO()
    workbook.save(output)
    return _attachment(HttpResponse(output.getvalue(), content_type=XLSX), filename)


# ---------------------------------------------------------------------------
# The issue list
# ---------------------------------------------------------------------------
ISSUE_FIELDS = (
    "pk",
    "created_at",
    "unit__name",
    "category__name",
    "status",
    "priority",
    "handler_kind",
    "handler_user_id",
    "handler_user__full_name",
    "handler_user__username",
    "handler_unit_id",
    "handler_unit__name",
    "handler_department_id",
    "handler_department__name",
    "assignee_id",
    "reporter_id",
    "due_at",
    "resolved_at",
    "resident_name",
    "resident_phone",
    "description",
    "satisfaction",
    "viewer_task_handler",
    "annotated_for",
)


def issue_headers() -> list[str]:
    return [
        _("编号"),
        _("登记时间"),
        _("网格"),
        _("类别"),
        _("状态"),
        _("紧急程度"),
        _("承办方"),
        _("办理期限"),
        _("是否逾期"),
        _("办结时间"),
        _("居民姓名"),
        _("居民电话"),
        _("问题描述"),
        _("群众评价"),
    ]


class ExportRow:
    """One issue as read from values_list: what grids' masking rule and handler label read from an Issue."""

    CLOCK_STATUSES = Issue.CLOCK_STATUSES

    def __init__(self, values: tuple) -> None:
        data = dict(zip(ISSUE_FIELDS, values, strict=True))
        self.pk = data["pk"]
        self.__dict__.update(data)
        self.handler_user = SimpleNamespace(
            display_name=data["handler_user__full_name"] or data["handler_user__username"] or ""
        )
        self.handler_unit = SimpleNamespace(name=data["handler_unit__name"] or "")
        self.handler_department = SimpleNamespace(name=data["handler_department__name"] or "")


def issue_rows(
    viewer: Any, queryset: QuerySet, *, now: dt.datetime | None = None, chunk_size: int = CHUNK
) -> Iterator[list[Any]]:
    """The spreadsheet lines of the issues, streamed from the database in chunks."""
    now = now or timezone.now()
    statuses = dict(Issue.Status.choices)
    priorities = dict(Issue.Priority.choices)
    satisfactions = dict(Issue.Satisfaction.choices)
    yes = _("是")
    for values in queryset.values_list(*ISSUE_FIELDS).iterator(chunk_size=chunk_size):
        row = ExportRow(values)
        yield [
            row.pk,
            timezone.localtime(row.created_at).strftime("%Y-%m-%d %H:%M"),
            row.unit__name,
            row.category__name,
            str(statuses.get(row.status, row.status)),
            str(priorities.get(row.priority, row.priority)),
            Issue.handler_label.fget(row),
            timezone.localtime(row.due_at).strftime("%Y-%m-%d %H:%M"),
            yes if Issue.is_overdue(row, now) else "",
            timezone.localtime(row.resolved_at).strftime("%Y-%m-%d %H:%M") if row.resolved_at else "",
            issue_resident_name_for(viewer, row),
            issue_resident_phone_for(viewer, row),
            row.description,
            str(satisfactions.get(row.satisfaction, "")),
        ]


def write_issue_workbook(
    viewer: Any, queryset: QuerySet, target, *, title: str | None = None, chunk_size: int = CHUNK
) -> int:
    """Write the issues into an XLSX at `target` (a path or a binary file); returns the number of rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title or _("居民问题"))
    sheet.append(issue_headers())
    count = 0
    for line in issue_rows(viewer, queryset, chunk_size=chunk_size):
        sheet.append(line)
        count += 1
    workbook.save(target)
    return count


def issue_xlsx(viewer: Any, queryset: QuerySet, filename: str) -> FileResponse:
    """The issue list as an XLSX streamed from an anonymous temporary file."""
    spool = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes (and so deletes) it
    write_issue_workbook(viewer, queryset, spool)
    spool.seek(0)
    response = FileResponse(spool, content_type=XLSX, as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response
