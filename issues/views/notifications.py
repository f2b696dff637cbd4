"""In-app notifications: the list, opening one (marks it read), marking all read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from issues import selectors, services


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_for(viewer=request.viewer), 30).get_page(request.GET.get("page"))
    return render(request, "issues/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark it read and go to its issue (someone else's notification is simply not found)."""
    notification = services.notification_mark_read(viewer=request.viewer, notification_id=pk)
    if notification is None or notification.issue_id is None:
        return redirect("issues:notification_list")
    return redirect("issues:issue_detail", pk=notification.issue_id)


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(viewer=request.viewer)
    messages.success(request, _("已将 %(n)s 条通知标为已读。") % {"n": count})
    return redirect("issues:notification_list")
