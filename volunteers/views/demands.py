"""Resident demands routed to a team: the team's inbox and one demand's page (accept, shifts, records, done).

Every change of the issue goes through the issues app's services (directly, or through
`services.demands`, which calls them); these views only parse and show.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from issues import access as issue_access
from issues import selectors as issue_selectors
from issues import services as issue_services

from .. import access, selectors, services
from ..forms import DemandRecordForm, ShiftDoneForm, ShiftForm, VersionForm
from ._helpers import paginate, run_action, submit

PAGE_SIZE = 30


@login_required
def team_inbox(request: HttpRequest, pk: int) -> HttpResponse:
    """The resident issues routed to the team (?all=1 with the finished ones), for its leaders and staff."""
    team = selectors.team_get(viewer=request.viewer, pk=pk)
    include_finished = request.GET.get("all") == "1"
    issues = selectors.team_inbox(viewer=request.viewer, team=team, include_finished=include_finished)
    return render(
        request,
        "volunteers/team_inbox.html",
        {"team": team, "page": paginate(request, issues, per_page=PAGE_SIZE), "include_finished": include_finished},
    )


def _actions(request: HttpRequest, demand: selectors.Demand) -> frozenset[str]:
    return access.demand_allowed_actions(
        request.viewer, demand.issue, lifecycle=issue_access.issue_allowed_actions(request.viewer, demand.issue)
    )


def _forms(demand: selectors.Demand, actions: frozenset[str], bound: dict | None = None) -> dict:
    bound = bound or {}
    roster = selectors.demand_roster(team=demand.team)
    forms = {"done_form": ShiftDoneForm()}
    if "accept" in actions:
        forms["accept_form"] = VersionForm(initial={"version": demand.issue.version})
    if "decompose" in actions:
        forms["shift_form"] = bound.get("shift") or ShiftForm(
            volunteers=roster, initial={"version": demand.issue.version}
        )
    if "record" in actions:
        open_shifts = selectors.demand_open_shifts(issue=demand.issue)
        forms["record_form"] = bound.get("record") or DemandRecordForm(shifts=open_shifts, volunteers=roster)
    return forms


def _render(request: HttpRequest, demand: selectors.Demand, bound: dict | None = None, status: int = 200):
    issue = demand.issue
    actions = _actions(request, demand)
    context = {
        "demand": demand,
        "issue": issue,
        "actions": actions,
        "resident_name": issue_selectors.issue_resident_name_for(request.viewer, issue),
        "resident_phone": issue_selectors.issue_resident_phone_for(request.viewer, issue),
    }
    context.update(_forms(demand, actions, bound))
    return render(request, "volunteers/demand_detail.html", context, status=status)


@login_required
def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One demand as the team works on it: its shifts, who serves, the records, what is left."""
    return _render(request, selectors.demand_get(viewer=request.viewer, issue_pk=pk))


def _back(pk: int) -> str:
    return reverse("volunteers:demand_detail", args=[pk])


@login_required
@require_POST
def demand_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """受理: the team takes the demand on (the issues app's issue_accept)."""
    demand = selectors.demand_get(viewer=request.viewer, issue_pk=pk)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    return run_action(
        request,
        lambda: issue_services.issue_accept(actor=request.user, issue=demand.issue, expected_version=version),
        success=_("已受理。"),
        next_url=_back(pk),
    )


@login_required
@require_POST
def demand_decompose(request: HttpRequest, pk: int) -> HttpResponse:
    """分解: add a shift for several members (one sub-task of the issue, one activity, their sign-ups)."""
    demand = selectors.demand_get(viewer=request.viewer, issue_pk=pk)
    form = ShiftForm(request.POST, volunteers=selectors.demand_roster(team=demand.team))
    if form.is_valid():
        data = form.cleaned_data
        shift = services.ShiftSpec(
            title=data["title"],
            place=data["place"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            volunteers=list(data["volunteers"]),
            capacity=data["capacity"],
        )
        done = submit(
            form,
            lambda: services.demand_decompose(
                actor=request.user, issue=demand.issue, shifts=[shift], expected_version=data["version"]
            ),
        )
        if done is not None:
            messages.success(request, _("已安排服务班次，队员已报名。"))
            return redirect("volunteers:demand_detail", pk=pk)
    messages.error(request, _("班次没有安排，请检查下面标红的内容。"))
    fresh = selectors.demand_get(viewer=request.viewer, issue_pk=pk)
    return _render(request, fresh, {"shift": form}, status=400)


@login_required
@require_POST
def demand_record(request: HttpRequest, pk: int) -> HttpResponse:
    """开展: record a member's service in one of the demand's open shifts (pending until verified)."""
    demand = selectors.demand_get(viewer=request.viewer, issue_pk=pk)
    form = DemandRecordForm(
        request.POST,
        shifts=selectors.demand_open_shifts(issue=demand.issue),
        volunteers=selectors.demand_roster(team=demand.team),
    )
    if form.is_valid():
        data = form.cleaned_data
        record = submit(
            form,
            lambda: services.demand_record(
                actor=request.user,
                activity=data["activity"],
                volunteer=data["volunteer"],
                started_at=data["started_at"],
                ended_at=data["ended_at"],
                hours=data["hours"],
                description=data["description"],
            ),
        )
        if record is not None:
            messages.success(request, _("服务记录已登记，审核通过后计入时长和积分。"))
            return redirect("volunteers:demand_detail", pk=pk)
    messages.error(request, _("服务记录没有登记，请检查下面标红的内容。"))
    fresh = selectors.demand_get(viewer=request.viewer, issue_pk=pk)
    return _render(request, fresh, {"record": form}, status=400)


@login_required
@require_POST
def demand_shift_complete(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    """A shift is done: its sub-task completes in the issues app; the last one resolves the demand."""
    demand = selectors.demand_get(viewer=request.viewer, issue_pk=pk)
    shift = next((s for s in demand.shifts if s.pk == activity_pk), None)
    if shift is None:
        raise Http404
    form = ShiftDoneForm(request.POST)
    result = form.cleaned_data["result"] if form.is_valid() else ""
    return run_action(
        request,
        lambda: services.demand_shift_complete(actor=request.user, activity=shift, result=result),
        success=_("班次已完成。"),
        next_url=_back(pk),
    )
