"""In-app notifications: the list, opening one (marks it read), marking all read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from issues import selectors, services
from issues.models import Notification


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """Grouped by kind with each group's unread count; `?kind=<kind>` shows one group, `?unread=1` the unread."""
    kind = request.GET.get("kind", "")
    kind = kind if kind in Notification.Kind.values else ""
    unread_only = request.GET.get("unread") == "1"
    notifications = selectors.notifications_for(viewer=request.viewer, kind=kind, unread_only=unread_only)
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "issues/notification_list.html",
        {
            "page": page,
            "groups": selectors.notification_groups(viewer=request.viewer),
            "kind": kind,
            "unread_only": unread_only,
        },
    )


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark it read and go to its issue, or to the page its sender named (someone else's notification is
    simply not found; a link that is not a path of this site leads back to the list)."""
    notification = services.notification_mark_read(viewer=request.viewer, notification_id=pk)
    if notification is None:
        return redirect("issues:notification_list")
    if notification.issue_id is not None:
        return redirect("issues:issue_detail", pk=notification.issue_id)
    if notification.link and url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None):
        return redirect(notification.link)
    return redirect("issues:notification_list")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(viewer=request.viewer)
    messages.success(request, _("已将 %(n)s 条通知标为已读。") % {"n": count})
    return redirect("issues:notification_list")
