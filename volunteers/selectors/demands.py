"""Resident demands as a volunteer team sees them: the team's inbox and one demand with its shifts.

Which issues a viewer may read is the issues app's rule (`issues.selectors.issue_list`:
jurisdiction, or handling the issue; a team's leader and deputies handle what
is routed to the team). These selectors only narrow that down to one team.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from grids.viewer import Viewer
from issues import selectors as issue_selectors
from issues.models import HandlerKind, Issue, IssueTask

from .. import access
from ..models import Activity, ActivitySignup, ServiceRecord, Team, TeamMember, Volunteer


def _count(queryset: QuerySet, outer: str = "issue_id") -> Coalesce:
    """COUNT(*) of `queryset` rows per issue, as an annotation."""
    return Coalesce(
        Subquery(
            queryset.filter(**{outer: OuterRef("pk")}).order_by().values(outer).annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def team_inbox(*, viewer: Viewer, team: Team, include_finished: bool = False) -> QuerySet[Issue]:
    """Issues routed to the team (or with a sub-task for it) that the viewer may read, with how many shifts
    each has and how many are done. Open ones by due time; with `include_finished`, newest first.

    Only the team's managers (its leaders, staff over its unit) have an inbox: anyone else gets a 404.
    Two queries a page (the ids above, the page) besides the paginator's count, whatever the number of issues.
    """
    if not access.can_manage_team(viewer, team):
        raise Http404
    shifts = Activity.objects.filter(team_id=team.pk, issue_task__isnull=False)
    # Issues of other handlers with a sub-task for the team: few, read first as ids, so that the filter
    # below is two index lookups OR-ed (a subquery in the OR would make PostgreSQL scan every issue).
    helped = list(
        IssueTask.objects.filter(handler_team_id=team.pk)
        .exclude(issue__handler_team_id=team.pk)
        .order_by()
        .values_list("issue_id", flat=True)
        .distinct()
    )
    ours = Q(handler_team_id=team.pk) | Q(pk__in=helped) if helped else Q(handler_team_id=team.pk)
    queryset = (
        issue_selectors.issue_list(viewer=viewer)
        .filter(ours)
        .annotate(
            shift_count=_count(shifts),
            shifts_done=_count(shifts.filter(issue_task__status=IssueTask.Status.DONE)),
        )
    )
    if include_finished:
        return queryset.order_by("-created_at", "-pk")
    return queryset.filter(status__in=Issue.OPEN_STATUSES).order_by("due_at", "pk")


@dataclass(frozen=True)
class Demand:
    issue: Issue
    team: Team
    can_manage: bool  # the viewer handles the issue for the team (`access.can_manage_demand`)
    shifts: list[Activity]  # each with signups, verified, pending, hours and task_done
    records: list[ServiceRecord]
    hours: Decimal


def demand_get(*, viewer: Viewer, issue_pk: int) -> Demand:
    """A demand routed to a team, as the viewer may read it (grids decides), or 404. A constant number of queries."""
    issue = issue_selectors.issue_get(viewer=viewer, pk=issue_pk)
    if issue.handler_kind != HandlerKind.VOLUNTEER_TEAM or issue.handler_team_id is None:
        raise Http404
    team = Team.objects.select_related("unit", "category").get(pk=issue.handler_team_id)
    verified = Q(records__status=ServiceRecord.Status.VERIFIED)
    shifts = list(
        Activity.objects.filter(issue_id=issue.pk)
        .select_related("issue_task", "team")
        .annotate(
            signup_count=Count("signups", filter=~Q(signups__status=ActivitySignup.Status.CANCELLED), distinct=True),
            verified_count=Count("records", filter=verified, distinct=True),
            pending_count=Count("records", filter=Q(records__status=ServiceRecord.Status.PENDING), distinct=True),
        )
        .order_by("starts_at", "pk")
    )
    for shift in shifts:
        shift.task_done = shift.issue_task_id is not None and shift.issue_task.status == IssueTask.Status.DONE
    records = ServiceRecord.objects.filter(issue_id=issue.pk).select_related("volunteer", "activity")
    hours = records.filter(status=ServiceRecord.Status.VERIFIED).aggregate(s=Sum("hours"))["s"] or Decimal("0")
    return Demand(
        issue=issue,
        team=team,
        can_manage=access.can_manage_demand(viewer, issue),
        shifts=shifts,
        records=list(records.order_by("started_at", "pk")[:200]),
        hours=hours,
    )


def demand_roster(*, team: Team) -> QuerySet[Volunteer]:
    """The people a shift of a team the caller has checked may be given to (its current roster, by name)."""
    return Volunteer.objects.filter(
        pk__in=TeamMember.objects.filter(team=team, left_on__isnull=True).values("volunteer_id")
    ).order_by("full_name", "pk")


def demand_open_shifts(*, issue: Issue) -> QuerySet[Activity]:
    """The shifts of a demand the caller has checked whose sub-task is still open (service may be recorded)."""
    return Activity.objects.filter(issue_id=issue.pk, issue_task__status=IssueTask.Status.OPEN).order_by(
        "starts_at", "pk"
    )
