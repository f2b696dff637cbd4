"""Service records: my records and the team's, registering a service, verifying, rejecting, reversing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guilin_portal.params import parse_id, parse_ids

from .. import access, selectors, services
from ..forms import NoteForm, RecordForm
from ..models import ServiceRecord
from ._helpers import paginate, run_action, submit


@login_required
def record_list(request: HttpRequest) -> HttpResponse:
    """Records the viewer may see (?status=pending for what waits; ?mine=1 for one's own; ?source=issue for
    the service on residents' demands)."""
    status = request.GET.get("status") or None
    if status not in {None, *ServiceRecord.Status.values}:
        status = None
    source = request.GET.get("source") or None
    if source not in {None, *ServiceRecord.Source.values}:
        source = None
    records = selectors.record_list(
        viewer=request.viewer,
        status=status,
        team_id=parse_id(request.GET.get("team")),
        mine=request.GET.get("mine") == "1",
        source=source,
    )
    page = paginate(request, records)
    for record in page.object_list:
        record.verifiable = "verify" in access.record_allowed_actions(request.viewer, record)
    return render(
        request,
        "volunteers/record_list.html",
        {
            "page": page,
            "status": status,
            "statuses": ServiceRecord.Status.choices,
            "bulk": any(record.verifiable for record in page.object_list),
        },
    )


@login_required
@require_POST
def records_verify_bulk(request: HttpRequest) -> HttpResponse:
    """Verify the ticked records at once: each one the viewer may verify is verified on its own; the
    others stay as they are and are listed; an id out of the viewer's sight is a 404 (nothing changes)."""
    pks = [pk for pk in parse_ids(request.POST.getlist("records")) if pk > 0]
    if not pks:
        messages.error(request, _("请先勾选要审核的记录。"))
        return redirect(reverse("volunteers:record_list") + "?status=pending")
    records = selectors.records_for_review(viewer=request.viewer, pks=pks)
    if records is None:
        raise Http404
    verified, refusals = services.records_verify_many(records=records, actor=request.user)
    if verified:
        messages.success(request, _("已审核通过 %(n)s 条记录，时长和积分已入账。") % {"n": verified})
    if refusals:
        messages.warning(request, _("以下记录未审核：%(list)s") % {"list": "；".join(refusals)})
    return redirect(reverse("volunteers:record_list") + "?status=pending")


@login_required
def record_create(request: HttpRequest) -> HttpResponse:
    """Register a service: one's own (报到服务), or, for a team leader, a member's (?team=)."""
    viewer = request.viewer
    team = None
    team_id = parse_id(request.GET.get("team"))
    if team_id is not None:
        team = selectors.team_get(viewer=viewer, pk=team_id)
        if "record_service" not in access.team_allowed_actions(viewer, team):
            raise PermissionDenied
    own = selectors.volunteer_own(viewer=viewer) if team is None else None
    if team is None and own is None:
        messages.error(request, _("您还没有志愿者档案，请联系社区登记。"))
        return redirect("volunteers:home")
    volunteers = selectors.volunteer_list(viewer=viewer, team_id=team.pk) if team else None
    form = RecordForm(request.POST or None, volunteers=volunteers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        record = submit(
            form,
            lambda: services.record_create(
                volunteer=data.get("volunteer") or own,
                team=team,
                category=data["category"],
                started_at=data["started_at"],
                ended_at=data["ended_at"],
                hours=data["hours"],
                description=data["description"],
                solved_difficulty=data["solved_difficulty"],
                actor=request.user,
            ),
        )
        if record is not None:
            messages.success(request, _("服务记录已登记，审核通过后计入时长和积分。"))
            return redirect("volunteers:record_detail", pk=record.pk)
    return render(request, "volunteers/record_form.html", {"form": form, "team": team})


@login_required
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.record_get(viewer=request.viewer, pk=pk)
    actions = access.record_allowed_actions(request.viewer, record)
    return render(
        request,
        "volunteers/record_detail.html",
        {"record": record, "actions": actions, "can_verify": access.can_verify_record(request.viewer, record)},
    )


def _review(request: HttpRequest, pk: int, service, success: str) -> HttpResponse:
    record = selectors.record_get(viewer=request.viewer, pk=pk)
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
