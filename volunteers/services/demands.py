"""Resident demands routed to a volunteer team: the report's five steps on the issue's own life cycle.

收集 and 分配 are the issues app's (logging, then routing by a rule naming a volunteer
category: `issues.services.routing`, `selectors.routing.least_loaded_team`).
The team leader accepts through `issues.services.issue_accept`; then:

- 分解 `demand_decompose`: the demand becomes shifts (activities of kind
  "demand" linked to the issue) for several members, each shift one sub-task
  made by `issues.services.issue_decompose` (handler: the team);
- 开展: members check in and out of their shift (or the leader records their
  time, `demand_record`); each record has source "issue" and counts, once
  verified, like any other;
- a shift is done (`demand_shift_complete`) when its records are verified:
  it completes its sub-task through `issues.services.issue_task_complete`, and
  the last one resolves the issue there;
- 反馈 is the grid worker's, as for any issue (`issues.services.issue_feedback`).

No second life cycle: every change of the issue's status is an issues service call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import User
from grids.viewer import viewer_of
from issues import services as issue_services
from issues.handler_kinds import Handler
from issues.models import HandlerKind, Issue, IssueTask

from .. import access
from ..models import Activity, ActivityKind, ServiceRecord, Team, TeamMember, Volunteer
from ._common import deny
from .activities import activity_create, signup_create
from .ledger import quantize
from .records import record_write

MAX_SHIFTS = 10


@dataclass(frozen=True)
class ShiftSpec:
    """One shift of a demand: what, where, when, and the members who do it."""

    title: str
    place: str
    starts_at: datetime
    ends_at: datetime
    volunteers: Sequence[Volunteer] = field(default_factory=tuple)
    capacity: int | None = None  # at least the members named; more leaves places for others to sign up


def demand_team(issue: Issue) -> Team:
    """The team a demand is routed to; a ValidationError if the issue is not a team's."""
    if issue.handler_kind != HandlerKind.VOLUNTEER_TEAM or issue.handler_team_id is None:
        raise ValidationError({"issue": _("这个问题没有分派给志愿服务队。")})
    return Team.objects.select_related("unit", "category").get(pk=issue.handler_team_id)


def _check_shifts(team: Team, shifts: Sequence[ShiftSpec]) -> None:
    """Every shift complete and its members on the team's roster, before anything is written."""
    if not shifts:
        raise ValidationError({"shifts": _("请至少安排一个服务班次。")})
    if len(shifts) > MAX_SHIFTS:
        raise ValidationError({"shifts": _("一次最多安排 %(n)s 个班次。") % {"n": MAX_SHIFTS}})
    roster = set(TeamMember.objects.filter(team=team, left_on__isnull=True).values_list("volunteer_id", flat=True))
    now = timezone.now()
    for shift in shifts:
        if not (shift.title or "").strip():
            raise ValidationError({"title": _("请写明每个班次的服务内容。")})
        if not (shift.place or "").strip():
            raise ValidationError({"place": _("请写明每个班次的服务地点。")})
        if shift.starts_at is None or shift.starts_at <= now:
            raise ValidationError({"starts_at": _("班次开始时间必须晚于现在。")})
        if shift.ends_at is None or shift.ends_at <= shift.starts_at:
            raise ValidationError({"ends_at": _("结束时间必须晚于开始时间。")})
        if not shift.volunteers:
            raise ValidationError({"volunteers": _("每个班次至少安排一名队员。")})
        strangers = [v.full_name for v in shift.volunteers if v.pk not in roster]
        if strangers:
            raise ValidationError({"volunteers": _("%(names)s 不是本队队员。") % {"names": "、".join(strangers)}})
        if len({v.pk for v in shift.volunteers}) != len(shift.volunteers):
            raise ValidationError({"volunteers": _("同一班次不能重复安排同一名队员。")})
        if shift.capacity is not None and shift.capacity < len(shift.volunteers):
            raise ValidationError({"capacity": _("名额不能少于安排的队员人数。")})


@transaction.atomic
def demand_decompose(
    *, actor: User, issue: Issue, shifts: Sequence[ShiftSpec], expected_version: int | None = None
) -> list[Activity]:
    """分解: split a demand routed to the team into shifts for several members (the team's leaders).

    One sub-task per shift through the issues app's `issue_decompose` (which checks that the actor
    handles the issue and that its status allows it), one activity per sub-task, and the named
    members signed up to it. All or nothing.
    """
    team = demand_team(issue)
    _check_shifts(team, shifts)
    tasks = issue_services.issue_decompose(
        actor=actor,
        issue=issue,
        tasks=[
            issue_services.TaskSpec(
                title=f"{shift.title.strip()}（{timezone.localtime(shift.starts_at):%m-%d %H:%M}）",
                handler=Handler.team(team),
            )
            for shift in shifts
        ],
        expected_version=expected_version,
    )
    issue = Issue.objects.select_related("unit").get(pk=issue.pk)
    activities = []
    for shift, task in zip(shifts, tasks, strict=True):
        activity = activity_create(
            actor=actor,
            title=shift.title.strip()[:120],
            category=team.category,
            unit=issue.unit,
            place=shift.place.strip(),
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
            capacity=max(shift.capacity or 0, len(shift.volunteers)),
            team=team,
            kind=ActivityKind.DEMAND,
            description=_("群众诉求 #%(pk)s：%(text)s") % {"pk": issue.pk, "text": issue.description[:200]},
            issue=issue,
            issue_task=task,
        )
        for volunteer in shift.volunteers:
            signup_create(activity=activity, volunteer=volunteer, actor=actor)
        activities.append(activity)
    return activities


def _locked_shift(activity: Activity) -> Activity:
    if activity.issue_task_id is None:
        raise ValidationError({"activity": _("这个活动不是群众诉求的服务班次。")})
    # The issues app's lock order: the issue first, then what hangs from it.
    issue_services.lock_issue(activity.issue_id)
    return (
        Activity.objects.select_for_update(of=("self",))
        .select_related("team__unit", "unit", "category", "issue_task", "issue")
        .get(pk=activity.pk)
    )


@transaction.atomic
def demand_record(
    *,
    actor: User,
    activity: Activity,
    volunteer: Volunteer,
    started_at: datetime,
    ended_at: datetime,
    hours: Decimal,
    description: str = "",
) -> ServiceRecord:
    """开展: the team's leader records a member's service in a demand shift (one who did not check in by phone).

    A pending record with source "issue", linked to the demand; it counts once verified.
    """
    activity = _locked_shift(activity)
    if not access.can_record_for_shift(viewer_of(actor), activity):
        raise deny(_("只有服务队队长或副队长可以为队员登记诉求服务。"))
    if not TeamMember.objects.filter(team_id=activity.team_id, volunteer=volunteer, left_on__isnull=True).exists():
        raise ValidationError({"volunteer": _("%(name)s 不是本队队员。") % {"name": volunteer.full_name}})
    if activity.issue_task.status == IssueTask.Status.DONE:
        raise ValidationError({"activity": _("这个班次已经完成，不能再登记。")})
    return record_write(
        volunteer=volunteer,
        category=activity.category,
        started_at=started_at,
        ended_at=ended_at,
        hours=hours,
        actor=actor,
        unit=activity.unit,
        team=activity.team,
        kind=ActivityKind.DEMAND,
        source=ServiceRecord.Source.ISSUE,
        description=(description or activity.title).strip(),
        activity=activity,
        issue_id=activity.issue_id,
    )


def _hours_text(hours: Decimal | None) -> str:
    """2.50 -> "2.5", 6.00 -> "6"."""
    text = str(quantize(hours or Decimal(0)))
    return text.rstrip("0").rstrip(".")


@transaction.atomic
def demand_shift_complete(*, actor: User, activity: Activity, result: str = "") -> IssueTask:
    """A shift is done when its service is verified: its sub-task completes in the issues app, the last one
    resolves the issue. The demand's handlers only (`access.can_manage_demand`).

    Refused while a record of the shift waits for verification, or when none was verified.
    """
    activity = _locked_shift(activity)
    if not access.can_manage_demand(viewer_of(actor), activity.issue):
        raise deny()
    tally = ServiceRecord.objects.filter(activity_id=activity.pk).aggregate(
        verified=Count("pk", filter=Q(status=ServiceRecord.Status.VERIFIED)),
        pending=Count("pk", filter=Q(status=ServiceRecord.Status.PENDING)),
        people=Count("volunteer", filter=Q(status=ServiceRecord.Status.VERIFIED), distinct=True),
        hours=Sum("hours", filter=Q(status=ServiceRecord.Status.VERIFIED)),
    )
    if tally["pending"]:
        raise ValidationError(
            {"records": _("这个班次还有 %(n)s 条服务记录待审核，请先审核。") % {"n": tally["pending"]}}
        )
    if not tally["verified"]:
        raise ValidationError({"records": _("这个班次还没有已审核的服务记录，不能完成。")})
    summary = _("%(people)s 名志愿者服务 %(hours)s 小时") % {
        "people": tally["people"],
        "hours": _hours_text(tally["hours"]),
    }
    text = (result or "").strip()
    return issue_services.issue_task_complete(
        actor=actor, task=activity.issue_task, result=f"{text}（{summary}）" if text else summary
    )
