"""Files: every dashboard table as CSV or XLSX, and the filtered issue list as a streamed XLSX.

The issue list is read in chunks from a server-side cursor
(`values_list(...).iterator(chunk_size=...)`) and each row is written at once
into the deflated sheet of a workbook that is streamed to the client while it
is written (`dashboards.xlsx`, a small writer ten times faster than openpyxl's
cell objects at a million rows): a million rows never sit in memory, and the
download starts at once. Resident names and phones go through the issues
app's one rule (`issues.access.can_see_resident_contact`): in full for the
reporter and the handlers, masked for everyone else.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from grids.viewer import Viewer, viewer_of
from guilin_portal.choices import choice_label
from guilin_portal.exports import csv_writer, safe_row
from issues.access import private_text_for, resident_name_for, resident_phone_for
from issues.models import Issue

from .tables import Table
from .xlsx import Drain, XlsxStream

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
    writer = csv_writer(buffer)  # user text as text, never a formula
    for line in _table_lines(table):
        writer.writerow(["" if value is None else value for value in line])
    return _attachment(HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8"), filename)


def table_xlsx(table: Table, filename: str) -> HttpResponse:
    """The table as a one-sheet workbook (dashboard tables are small: a few hundred rows at most)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(table.title)[:31])
    for line in _table_lines(table):
        sheet.append(safe_row(line))
    output = io.BytesIO()
    workbook.save(output)
    return _attachment(HttpResponse(output.getvalue(), content_type=XLSX), filename)


# ---------------------------------------------------------------------------
# The issue list
# ---------------------------------------------------------------------------
# Every handler reference an issue may fill (grids adds kinds there): its id, and the name a label shows.
OTHER_HANDLERS = tuple(name for name in Issue.HANDLER_FIELDS if name != "handler_user")
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
    *(field for name in OTHER_HANDLERS for field in (f"{name}_id", f"{name}__name")),
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
HANDLER_IDS = ("handler_kind", "handler_user_id", *(f"{name}_id" for name in OTHER_HANDLERS))


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
    """One issue as read from values_list: what the masking rule and the handler label read from an Issue."""

    CLOCK_STATUSES = Issue.CLOCK_STATUSES

    def __init__(self, values: tuple) -> None:
        data = dict(zip(ISSUE_FIELDS, values, strict=True))
        self.__dict__.update(data)
        self.handler_user = SimpleNamespace(
            display_name=data["handler_user__full_name"] or data["handler_user__username"] or ""
        )
        for name in OTHER_HANDLERS:
            setattr(self, name, SimpleNamespace(name=data[f"{name}__name"] or ""))


def issue_rows(
    viewer: Viewer, queryset: QuerySet, *, now: dt.datetime | None = None, chunk_size: int = CHUNK
) -> Iterator[list[Any]]:
    """The spreadsheet lines of the issues, read from the database in chunks (a server-side cursor on
    PostgreSQL) and given out one by one."""
    viewer = viewer_of(viewer)
    now = now or timezone.now()
    zone = timezone.get_current_timezone()
    yes = _("是")
    handlers: dict[tuple, str] = {}  # a few hundred offices and leaders: each label made once

    def local(value: dt.datetime | None) -> str:
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""

    for values in queryset.values_list(*ISSUE_FIELDS).iterator(chunk_size=chunk_size):
        row = ExportRow(values)
        handler = tuple(getattr(row, field) for field in HANDLER_IDS)
        if handler not in handlers:
            handlers[handler] = Issue.handler_label.fget(row)
        yield [
            row.pk,
            local(row.created_at),
            row.unit__name,
            row.category__name,
            choice_label(Issue.Status, row.status),
            choice_label(Issue.Priority, row.priority),
            handlers[handler],
            local(row.due_at),
            yes if Issue.is_overdue(row, now) else "",
            local(row.resolved_at),
            resident_name_for(viewer, row),
            resident_phone_for(viewer, row),
            private_text_for(viewer, row, row.description),  # masked as the contact is
            choice_label(Issue.Satisfaction, row.satisfaction),
        ]


def write_issue_workbook(
    viewer: Viewer, queryset: QuerySet, target, *, title: str | None = None, chunk_size: int = CHUNK
) -> int:
    """Write the issues into an XLSX at `target` (a path or a binary file); returns the number of rows."""
    headers = issue_headers()
    book = XlsxStream(target, sheet=title or _("居民问题"), columns=len(headers))
    book.append(headers)
    for line in issue_rows(viewer, queryset, chunk_size=chunk_size):
        book.append(line)
    book.close()
    return book.rows - 1


def stream_issue_workbook(viewer: Viewer, queryset: QuerySet, *, flush_bytes: int = 256 * 1024) -> Iterator[bytes]:
    """The same workbook, given out in pieces as it is written (nothing but the pending piece in memory)."""
    headers = issue_headers()
    drain = Drain()
    book = XlsxStream(drain, sheet=_("居民问题"), columns=len(headers))
    book.append(headers)
    for line in issue_rows(viewer, queryset):
        book.append(line)
        if drain.size >= flush_bytes:
            yield drain.take()
    book.close()
    yield drain.take()


def issue_xlsx(viewer: Viewer, queryset: QuerySet, filename: str) -> StreamingHttpResponse:
    """The issue list as an XLSX streamed while it is written: the download starts at once, and a
    million rows pass through a few hundred kilobytes of memory."""
    response = StreamingHttpResponse(stream_issue_workbook(viewer, queryset), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
