"""Resident demands routed to a team: the team's inbox and one demand's page (accept, shifts, records, done).

Every change of the issue goes through grids' services (directly, or through
`services.demands`, which calls them); these views only parse and show.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guilin_portal.errors import ConflictError
from issues import selectors as issue_selectors
from issues import services as issue_services

from .. import selectors, services
from ..forms import DemandRecordForm, ShiftDoneForm, ShiftForm, VersionForm, show_errors
from ..models import Activity, Volunteer
from ._helpers import paginate, run_action

PAGE_SIZE = 30


@login_required
def team_inbox(request: HttpRequest, pk: int) -> HttpResponse:
    """The resident issues routed to the team (?all=1 with the finished ones), for its leaders and staff."""
    team = selectors.team_get(viewer=request.user, pk=pk)
    include_finished = request.GET.get("all") == "1"
    issues = selectors.team_inbox(viewer=request.user, team=team, include_finished=include_finished)
    return render(
        request,
        "volunteers/team_inbox.html",
        {"team": team, "page": paginate(request, issues, per_page=PAGE_SIZE), "include_finished": include_finished},
    )


def _forms(demand: selectors.Demand, bound: dict | None = None) -> dict:
    bound = bound or {}
    roster = Volunteer.objects.filter(pk__in=selectors.demand_roster(team=demand.team).values("volunteer_id")).order_by(
        "full_name", "pk"
    )
    open_shifts = Activity.objects.filter(issue_id=demand.issue.pk, issue_task__status="open").order_by("starts_at")
    return {
        "accept_form": VersionForm(initial={"version": demand.issue.version}),
        "shift_form": bound.get("shift") or ShiftForm(volunteers=roster, initial={"version": demand.issue.version}),
        "record_form": bound.get("record") or DemandRecordForm(shifts=open_shifts, volunteers=roster),
        "done_form": ShiftDoneForm(),
    }


def _render(request: HttpRequest, demand: selectors.Demand, bound: dict | None = None, status: int = 200):
    issue = demand.issue
    context = {
        "demand": demand,
        "issue": issue,
        "resident_name": issue_selectors.issue_resident_name_for(request.user, issue),
        "resident_phone": issue_selectors.issue_resident_phone_for(request.user, issue),
        "allowed": issue_services.allowed_actions(issue),
    }
    if demand.can_manage:
        context.update(_forms(demand, bound))
    return render(request, "volunteers/demand_detail.html", context, status=status)


@login_required
def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One demand as the team works on it: its shifts, who serves, the records, what is left."""
    return _render(request, selectors.demand_get(viewer=request.user, issue_pk=pk))


def _managed(request: HttpRequest, pk: int) -> selectors.Demand:
    demand = selectors.demand_get(viewer=request.user, issue_pk=pk)
    if not demand.can_manage:
        raise PermissionDenied
    return demand


@login_required
@require_POST
def demand_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """受理: the team takes the demand on (grids' issue_accept)."""
    demand = _managed(request, pk)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None

    def accept() -> None:
        try:
            issue_services.issue_accept(actor=request.user, issue=demand.issue, expected_version=version)
        except ConflictError as exc:
            raise ValidationError(str(exc)) from exc

    return run_action(request, accept, success=_("已受理。"), next_url=reverse("volunteers:demand_detail", args=[pk]))


@login_required
@require_POST
def demand_decompose(request: HttpRequest, pk: int) -> HttpResponse:
    """分解: add a shift for several members (one sub-task of the issue, one activity, their sign-ups)."""
    demand = _managed(request, pk)
    roster = Volunteer.objects.filter(pk__in=selectors.demand_roster(team=demand.team).values("volunteer_id"))
    form = ShiftForm(request.POST, volunteers=roster)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.demand_decompose(
                actor=request.user,
                issue=demand.issue,
                shifts=[
                    services.ShiftSpec(
                        title=data["title"],
                        place=data["place"],
                        starts_at=data["starts_at"],
                        ends_at=data["ends_at"],
                        volunteers=list(data["volunteers"]),
                        capacity=data["capacity"],
                    )
                ],
                expected_version=data["version"],
            )
        except ValidationError as exc:
            show_errors(form, exc)
        except (PermissionDenied, ConflictError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已安排服务班次，队员已报名。"))
            return redirect("volunteers:demand_detail", pk=pk)
    messages.error(request, _("班次没有安排，请检查下面标红的内容。"))
    fresh = selectors.demand_get(viewer=request.user, issue_pk=pk)
    return _render(request, fresh, {"shift": form}, status=400)


@login_required
@require_POST
def demand_record(request: HttpRequest, pk: int) -> HttpResponse:
    """开展: record a member's service in one of the demand's open shifts (pending until verified)."""
    demand = _managed(request, pk)
    roster = Volunteer.objects.filter(pk__in=selectors.demand_roster(team=demand.team).values("volunteer_id"))
    shifts = Activity.objects.filter(issue_id=demand.issue.pk, issue_task__status="open")
    form = DemandRecordForm(request.POST, shifts=shifts, volunteers=roster)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.demand_record(
                actor=request.user,
                activity=data["activity"],
                volunteer=data["volunteer"],
                started_at=data["started_at"],
                ended_at=data["ended_at"],
                hours=data["hours"],
                description=data["description"],
            )
        except ValidationError as exc:
            show_errors(form, exc)
        except (PermissionDenied, ConflictError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("服务记录已登记，审核通过后计入时长和积分。"))
            return redirect("volunteers:demand_detail", pk=pk)
    messages.error(request, _("服务记录没有登记，请检查下面标红的内容。"))
    fresh = selectors.demand_get(viewer=request.user, issue_pk=pk)
    return _render(request, fresh, {"record": form}, status=400)


@login_required
@require_POST
def demand_shift_complete(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    """A shift is done: its sub-task completes in grids; the last one resolves the demand."""
    demand = _managed(request, pk)
    shift = next((s for s in demand.shifts if s.pk == activity_pk), None)
    if shift is None:
        raise Http404
    form = ShiftDoneForm(request.POST)
    result = form.cleaned_data["result"] if form.is_valid() else ""

    def complete() -> None:
        try:
            services.demand_shift_complete(actor=request.user, activity=shift, result=result)
        except ConflictError as exc:
            raise ValidationError(str(exc)) from exc

    return run_action(
        request, complete, success=_("班次已完成。"), next_url=reverse("volunteers:demand_detail", args=[pk])
    )
