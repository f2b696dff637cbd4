"""Excel export of issue lists: the same selectors as the pages, the resident's phone masked by the same rule."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from guilin_portal.exports import safe_row
from issues import access, selectors

MAX_ROWS = 10_000


@login_required
def issue_export(request: HttpRequest) -> HttpResponse:
    """?view=mine|inbox|supervision|all (default all): an .xlsx of at most 10,000 issues."""
    viewer = request.viewer
    view = request.GET.get("view", "all")
    if view == "mine":
        queryset = selectors.issue_mine(viewer=viewer)
    elif view == "inbox":
        queryset = selectors.issue_inbox(viewer=viewer)
    elif view == "supervision":
        queryset = selectors.issue_supervision(viewer=viewer)
    else:
        queryset = selectors.issue_list(viewer=viewer)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("居民问题"))
    sheet.append(
        [
            _("编号"),
            _("登记时间"),
            _("网格"),
            _("类别"),
            _("状态"),
            _("承办方"),
            _("办理期限"),
            _("是否逾期"),
            _("居民姓名"),
            _("居民电话"),
            _("问题描述"),
            _("群众评价"),
        ]
    )
    now = timezone.now()
    for issue in queryset[:MAX_ROWS]:
        sheet.append(
            safe_row(  # user text as text, never a formula (guilin_portal.exports)
                [
                    issue.pk,
                    timezone.localtime(issue.created_at).strftime("%Y-%m-%d %H:%M"),
                    issue.unit.name,
                    issue.category.name,
                    issue.get_status_display(),
                    issue.handler_label,
                    timezone.localtime(issue.due_at).strftime("%Y-%m-%d %H:%M"),
                    _("是") if issue.is_overdue(now) else "",
                    access.resident_name_for(viewer, issue),
                    access.resident_phone_for(viewer, issue),
                    access.private_text_for(viewer, issue, issue.description),
                    issue.get_satisfaction_display(),
                ]
            )
        )
    output = io.BytesIO()
    workbook.save(output)
    response = HttpResponse(
        output.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="issues-{view}-{stamp}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response
