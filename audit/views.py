"""Audit pages: the history of one type, and of one object, for staff in their jurisdiction.

Not staff: 403. An object with no version inside the viewer's jurisdiction
(elsewhere, or no such object): 404, never a hint that it exists.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from grids.viewer import Viewer

from . import selectors
from .access import can_read_audit
from .registry import DEFAULT, TYPES, audited_type

PAGE_SIZE = 30


def _viewer(request: HttpRequest) -> Viewer:
    if not can_read_audit(request.viewer):
        raise PermissionDenied(_("只有社区、街道、城区工作人员可以查看审计记录。"))
    return request.viewer


@login_required
@require_GET
def history_list(request: HttpRequest, kind: str = DEFAULT) -> HttpResponse:
    """Every version of one type in the viewer's jurisdiction, newest first."""
    audited = audited_type(kind)
    viewer = _viewer(request)
    page = Paginator(selectors.history_list(viewer=viewer, audited=audited), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    entries = selectors.history_entries(audited=audited, records=list(page.object_list))
    context = {"audited": audited, "types": TYPES.values(), "page": page, "entries": entries}
    return render(request, "audit/history_list.html", context)


@login_required
@require_GET
def object_history(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Every version of one object, if it lies in the viewer's jurisdiction.

    An object seeded in bulk has no version yet: its page says so (the object itself is in
    jurisdiction). A deleted object keeps its versions, shown while they are in jurisdiction.
    """
    audited = audited_type(kind)
    viewer = _viewer(request)
    page = Paginator(selectors.history_list(viewer=viewer, audited=audited, object_id=pk), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    records = list(page.object_list)
    current = selectors.current_object(viewer=viewer, audited=audited, object_id=pk)
    if current is None and not records:
        raise Http404  # neither the object nor any version of it is in the viewer's jurisdiction
    named = current or records[0]
    context = {
        "audited": audited,
        "types": TYPES.values(),
        "page": page,
        "entries": selectors.history_entries(audited=audited, records=records),
        "object_id": pk,
        "object_label": audited.describe(named),
        "object_link": audited.link(named) if current is not None else "",
    }
    return render(request, "audit/object_history.html", context)
