"""Pioneer alliance workstations 先锋联盟工作站: members, monthly activities, deliberation meetings.

The report: 将辖区内近年来荣获县市区级以上荣誉称号的党员先锋模范编入工作站，每月开展
环境保护、爱心帮困、社会公益等活动……各工作站每年集中议事6次以上.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import User
from grids.viewer import viewer_of
from issues.models import Issue
from volunteers.models import Activity

from ..access import require_work_on_point
from ..models import (
    ActivityCategory,
    DeliberationMeeting,
    HonourLevel,
    MemberHonour,
    ServicePoint,
    WorkstationActivity,
    WorkstationMember,
)


def _require_workstation(actor: User, point: ServicePoint) -> None:
    """A workstation (else 400), and the actor works on it (else 403)."""
    if point.kind != ServicePoint.Kind.WORKSTATION:
        raise ValidationError({"point": _("“%(point)s”不是先锋联盟工作站。") % {"point": point.name}})
    require_work_on_point(viewer_of(actor), point)


def _not_in_future(day: dt.date, field: str, what: str) -> None:
    today = timezone.localdate()
    if day > today:
        raise ValidationError(
            {
                field: _("%(what)s不能晚于今天（%(today)s），收到的是 %(day)s。")
                % {"what": what, "today": today, "day": day}
            }
        )


@transaction.atomic
def workstation_member_add(
    *,
    actor: User,
    point: ServicePoint,
    name: str,
    joined_on: dt.date,
    honours: Sequence[dict[str, Any]],
    organisation: str = "",
) -> WorkstationMember:
    """Enrol a vanguard model: at least one honour, given at county level or above."""
    _require_workstation(actor, point)
    _not_in_future(joined_on, "joined_on", _("编入日期"))
    if not honours:
        raise ValidationError({"honours": _("编入工作站的党员须获得过县（市、区）级以上荣誉称号，请至少填写一项。")})
    member = WorkstationMember(
        point=point, name=(name or "").strip(), organisation=organisation.strip(), joined_on=joined_on
    )
    member.full_clean()
    member.save()
    rows = []
    this_year = timezone.localdate().year
    for honour in honours:
        level = honour.get("level")
        if level not in HonourLevel.values:
            raise ValidationError({"honours": _("荣誉的授予级别须是县（市、区）级、市级、自治区级或国家级。")})
        year = int(honour.get("year") or 0)
        if not 1949 <= year <= this_year:
            raise ValidationError({"honours": _("荣誉的获得年份须在 1949 到 %(year)s 之间。") % {"year": this_year}})
        row = MemberHonour(member=member, title=(honour.get("title") or "").strip(), level=level, year=year)
        row.full_clean()
        rows.append(row)
    MemberHonour.objects.bulk_create(rows)
    return member


@transaction.atomic
def workstation_activity_record(
    *,
    actor: User,
    point: ServicePoint,
    held_on: dt.date,
    title: str,
    category: str,
    participants: int = 0,
    note: str = "",
) -> WorkstationActivity:
    """Record an activity a workstation held (at least one a month is expected)."""
    _require_workstation(actor, point)
    _not_in_future(held_on, "held_on", _("活动日期"))
    if category not in ActivityCategory.values:
        raise ValidationError({"category": _("请选择活动类别。")})
    activity = WorkstationActivity(
        point=point,
        held_on=held_on,
        title=(title or "").strip(),
        category=category,
        participants=participants,
        note=(note or "").strip(),
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    activity.full_clean()
    activity.save()
    return activity


@transaction.atomic
def deliberation_meeting_record(
    *,
    actor: User,
    point: ServicePoint,
    held_on: dt.date,
    topic: str,
    attendees: str,
    attendee_count: int,
    decisions: str,
    follow_up: str = "",
    follow_up_issues: Sequence[Issue] = (),
) -> DeliberationMeeting:
    """Record a deliberation meeting held (not planned): date not in the future, topic, attendees, decisions,
    and the resident issues it passed on (issues of the workstation's own area)."""
    _require_workstation(actor, point)
    _not_in_future(held_on, "held_on", _("议事日期"))
    if not attendee_count or int(attendee_count) <= 0:
        raise ValidationError({"attendee_count": _("参加人数必须大于 0。")})
    if not (decisions or "").strip():
        raise ValidationError({"decisions": _("请填写议定事项。")})
    meeting = DeliberationMeeting(
        point=point,
        held_on=held_on,
        topic=(topic or "").strip(),
        attendees=(attendees or "").strip(),
        attendee_count=int(attendee_count),
        decisions=decisions.strip(),
        follow_up=(follow_up or "").strip(),
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    meeting.full_clean()
    meeting.save()
    if follow_up_issues:
        _check_issues(actor, point, follow_up_issues)
        meeting.follow_up_issues.add(*follow_up_issues)
    return meeting


def _check_issues(actor: User, point: ServicePoint, issues: Sequence[Issue]) -> None:
    """A meeting follows up issues the actor may read, of its own area: the workstation's unit and below."""
    viewer = viewer_of(actor)
    if any(not viewer.sees_path(issue.unit.path) for issue in issues):
        raise ValidationError({"follow_up_issues": _("有的群众诉求不存在或不在您的管辖范围内。")})
    outside = [issue for issue in issues if not issue.unit.path.startswith(point.unit.path)]
    if outside:
        raise ValidationError(
            {
                "follow_up_issues": _("群众诉求 %(ids)s 不在“%(unit)s”范围内，不能由本工作站跟进。")
                % {"ids": "、".join(f"#{issue.pk}" for issue in outside), "unit": point.unit.name}
            }
        )


@transaction.atomic
def deliberation_meeting_link_issues(
    *, actor: User, meeting: DeliberationMeeting, issues: Sequence[Issue]
) -> DeliberationMeeting:
    """Link resident issues raised after the meeting to it (the follow-up of its decisions)."""
    require_work_on_point(viewer_of(actor), meeting.point)
    _check_issues(actor, meeting.point, issues)
    meeting.follow_up_issues.add(*issues)
    return meeting


# The volunteers app's service categories, mapped onto the workstation's activity categories.
VOLUNTEER_CATEGORY_MAP = {"environment": ActivityCategory.ENVIRONMENT, "care_relief": ActivityCategory.CARE}


@transaction.atomic
def workstation_activity_from_volunteer(*, actor: User, point: ServicePoint, activity: Activity) -> WorkstationActivity:
    """Count a volunteer activity held in the workstation's area as one of its monthly activities.

    The volunteers app keeps the activity (sign-ups, hours, points); the workstation keeps a record that
    points to it, dated by the activity's start (local day). Cancelled or not yet started activities do not count.
    """
    _require_workstation(actor, point)
    if activity.status == Activity.Status.CANCELLED:
        raise ValidationError({"volunteer_activity": _("该志愿服务活动已取消，不能计入工作站活动。")})
    if activity.starts_at > timezone.now():
        raise ValidationError({"volunteer_activity": _("该志愿服务活动还没有开始，不能计入工作站活动。")})
    if not activity.unit.path.startswith(point.unit.path):
        raise ValidationError(
            {"volunteer_activity": _("该志愿服务活动不在“%(unit)s”范围内。") % {"unit": point.unit.name}}
        )
    existing = WorkstationActivity.objects.filter(point=point, volunteer_activity=activity).first()
    if existing is not None:
        return existing
    record = WorkstationActivity(
        point=point,
        held_on=timezone.localtime(activity.starts_at).date(),
        title=activity.title[:120],
        category=VOLUNTEER_CATEGORY_MAP.get(activity.category.code, ActivityCategory.PUBLIC_WELFARE),
        participants=activity.places_taken,
        volunteer_activity=activity,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    record.full_clean()
    record.save()
    return record
