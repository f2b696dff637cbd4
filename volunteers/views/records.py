"""Service records: my records and the team's, registering a service, verifying, rejecting, reversing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access, selectors, services
from ..forms import NoteForm, RecordForm, show_errors
from ..models import ServiceRecord
from ._helpers import paginate, run_action


@login_required
def record_list(request: HttpRequest) -> HttpResponse:
    """Records the viewer may see (?status=pending for what waits; ?mine=1 for one's own)."""
    status = request.GET.get("status") or None
    if status not in {None, *ServiceRecord.Status.values}:
        status = None
    team_id = request.GET.get("team")
    records = selectors.record_list(
        viewer=request.user,
        status=status,
        team_id=int(team_id) if team_id and team_id.isdigit() else None,
        mine=request.GET.get("mine") == "1",
    )
    return render(
        request,
        "volunteers/record_list.html",
        {"page": paginate(request, records), "status": status, "statuses": ServiceRecord.Status.choices},
    )


@login_required
def record_create(request: HttpRequest) -> HttpResponse:
    """Register a service: one's own (报到服务), or, for a team leader, a member's (?team=)."""
    team = None
    if request.GET.get("team", "").isdigit():
        team = selectors.team_get(viewer=request.user, pk=int(request.GET["team"]))
        if not team.can_manage:
            raise PermissionDenied
    own = access.viewer_volunteer(request.user)
    if team is None and own is None:
        messages.error(request, _("您还没有志愿者档案，请联系社区登记。"))
        return redirect("volunteers:home")
    volunteers = selectors.volunteer_list(viewer=request.user, team_id=team.pk) if team else None
    form = RecordForm(request.POST or None, volunteers=volunteers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services.record_create(
                volunteer=data.get("volunteer") or own,
                team=team,
                category=data["category"],
                started_at=data["started_at"],
                ended_at=data["ended_at"],
                hours=data["hours"],
                description=data["description"],
                solved_difficulty=data["solved_difficulty"],
                actor=request.user,
            )
        except ValidationError as exc:
            show_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("服务记录已登记，审核通过后计入时长和积分。"))
            return redirect("volunteers:record_detail", pk=record.pk)
    return render(request, "volunteers/record_form.html", {"form": form, "team": team})


@login_required
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.record_get(viewer=request.user, pk=pk)
    return render(request, "volunteers/record_detail.html", {"record": record, "form": NoteForm()})


def _review(request: HttpRequest, pk: int, service, success: str) -> HttpResponse:
    record = selectors.record_get(viewer=request.user, pk=pk)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return run_action(
        request,
        lambda: service(record=record, actor=request.user, note=note),
        success=success,
        next_url=reverse("volunteers:record_detail", args=[record.pk]),
    )


@login_required
@require_POST
def record_verify(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(request, pk, services.record_verify, _("已审核通过，时长和积分已入账。"))


@login_required
@require_POST
def record_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(request, pk, services.record_reject, _("已驳回。"))


@login_required
@require_POST
def record_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(request, pk, services.record_reverse, _("已冲正，时长和积分已退回。"))
