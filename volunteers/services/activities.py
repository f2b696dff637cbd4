"""Activities: publishing, sign-up and cancellation, check-in and check-out.

Capacity is never exceeded, also when many people sign up at once: every
sign-up and cancellation locks the activity's row first (SELECT ... FOR UPDATE
on PostgreSQL; SQLite serialises writers anyway), and the database's
`activity_within_capacity` check is the last guard.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import GridUnit, User
from grids.viewer import viewer_of
from issues.models import Issue, IssueTask

from .. import access
from ..models import Activity, ActivitySignup, ServiceCategory, ServiceRecord, Team, Volunteer
from ._common import deny, save_by
from .ledger import quantize
from .records import record_write

# A volunteer may check in from half an hour before the start until the end.
CHECK_IN_EARLY = access.CHECK_IN_EARLY


def _lock(activity: Activity) -> Activity:
    return Activity.objects.select_for_update(of=("self",)).select_related("unit").get(pk=activity.pk)


@transaction.atomic
def activity_create(
    *,
    actor: User,
    title: str,
    category: ServiceCategory,
    unit: GridUnit,
    place: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    team: Team | None = None,
    kind: str = Activity.Kind.REGULAR,
    description: str = "",
    issue: Issue | None = None,
    issue_task: IssueTask | None = None,
) -> Activity:
    """Publish an activity of a team (its leaders) or of a unit (staff over it); it starts in the future.

    `issue` and `issue_task` make it a shift of a resident demand (see `services.demands`).
    """
    viewer = viewer_of(actor)
    if not access.can_publish_activity(viewer, unit=unit, team=team):
        raise deny(_("只有服务队队长或辖区工作人员可以发布活动。"))
    if team is not None and not (unit.path.startswith(team.unit.path) or access.is_staff_over(viewer, unit)):
        raise ValidationError({"unit": _("活动地点须在“%(unit)s”之内。") % {"unit": team.unit.name}})
    if starts_at is not None and starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("活动开始时间必须晚于现在。")})
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise ValidationError({"ends_at": _("结束时间必须晚于开始时间。")})
    if capacity is None or capacity < 1:
        raise ValidationError({"capacity": _("名额至少为1人。")})
    activity = Activity(
        title=title,
        team=team,
        category=category,
        kind=kind,
        unit=unit,
        place=place,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        description=description,
        created_by=actor,
        issue=issue,
        issue_task=issue_task,
    )
    save_by(activity, actor)
    return activity


@transaction.atomic
def activity_cancel(*, activity: Activity, actor: User, reason: str = "") -> Activity:
    """Call an activity off before anyone checked in; every sign-up is cancelled with it."""
    activity = _lock(activity)
    if not access.can_manage_activity(viewer_of(actor), activity):
        raise deny()
    if activity.status == Activity.Status.CANCELLED:
        raise ValidationError({"status": _("活动已经取消。")})
    if activity.signups.filter(
        status__in=[ActivitySignup.Status.CHECKED_IN, ActivitySignup.Status.CHECKED_OUT]
    ).exists():
        raise ValidationError({"status": _("已有志愿者签到，不能取消活动。")})
    now = timezone.now()
    for signup in activity.signups.filter(status=ActivitySignup.Status.SIGNED_UP):
        signup.status = ActivitySignup.Status.CANCELLED
        signup.cancelled_at = now
        save_by(signup, actor, update_fields=["status", "cancelled_at"])
    activity.status = Activity.Status.CANCELLED
    activity.places_taken = 0
    if reason:
        activity.description = f"{activity.description}\n{_('取消原因')}：{reason}".strip()
    save_by(activity, actor, update_fields=["status", "places_taken", "description"])
    return activity


@transaction.atomic
def signup_create(*, activity: Activity, volunteer: Volunteer, actor: User) -> ActivitySignup:
    """Take one place: refused when full, already signed up, cancelled, or after the start."""
    activity = _lock(activity)
    if not access.can_sign_up(viewer_of(actor), activity, volunteer):
        raise deny(_("您不能为这位志愿者报名这个活动。"))
    if activity.status != Activity.Status.OPEN:
        raise ValidationError({"activity": _("活动已取消，不能报名。")})
    if timezone.now() >= activity.starts_at:
        raise ValidationError({"activity": _("活动已经开始，报名已截止。")})
    if activity.signups.filter(volunteer=volunteer).exclude(status=ActivitySignup.Status.CANCELLED).exists():
        raise ValidationError({"activity": _("已经报过名了。")})
    if activity.places_taken >= activity.capacity:
        raise ValidationError({"activity": _("名额已满（共%(capacity)s人）。") % {"capacity": activity.capacity}})
    clash = (
        ActivitySignup.objects.filter(
            volunteer=volunteer,
            activity__starts_at__lt=activity.ends_at,
            activity__ends_at__gt=activity.starts_at,
        )
        .exclude(status=ActivitySignup.Status.CANCELLED)
        .select_related("activity")
        .first()
    )
    if clash is not None:
        raise ValidationError({"activity": _("与已报名的“%(title)s”时间冲突。") % {"title": clash.activity.title}})
    Activity.objects.filter(pk=activity.pk).update(places_taken=F("places_taken") + 1)
    signup = ActivitySignup(activity=activity, volunteer=volunteer, signed_up_at=timezone.now())
    save_by(signup, actor)
    return signup


def _locked_signup(signup: ActivitySignup) -> tuple[ActivitySignup, Activity]:
    activity = _lock(signup.activity)
    signup = ActivitySignup.objects.select_for_update(of=("self",)).select_related("volunteer").get(pk=signup.pk)
    return signup, activity


def _check_signup_actor(actor: User, signup: ActivitySignup, activity: Activity) -> None:
    """The volunteer themself or the activity's managers; anyone else is refused."""
    if not access.can_act_on_signup(viewer_of(actor), signup, activity):
        raise deny()


@transaction.atomic
def signup_cancel(*, signup: ActivitySignup, actor: User) -> ActivitySignup:
    """Give the place back, before the activity starts."""
    signup, activity = _locked_signup(signup)
    _check_signup_actor(actor, signup, activity)
    if signup.status != ActivitySignup.Status.SIGNED_UP:
        raise ValidationError({"status": _("只能取消尚未签到的报名。")})
    if timezone.now() >= activity.starts_at:
        raise ValidationError({"status": _("活动已经开始，不能取消报名。")})
    signup.status = ActivitySignup.Status.CANCELLED
    signup.cancelled_at = timezone.now()
    save_by(signup, actor, update_fields=["status", "cancelled_at"])
    Activity.objects.filter(pk=activity.pk).update(places_taken=F("places_taken") - 1)
    return signup


@transaction.atomic
def signup_check_in(*, signup: ActivitySignup, actor: User) -> ActivitySignup:
    """Arrive: from half an hour before the start until the end (by the volunteer or a team leader)."""
    signup, activity = _locked_signup(signup)
    _check_signup_actor(actor, signup, activity)
    if activity.status != Activity.Status.OPEN:
        raise ValidationError({"status": _("活动已取消。")})
    if signup.status != ActivitySignup.Status.SIGNED_UP:
        raise ValidationError({"status": _("只能为已报名且未签到的志愿者签到。")})
    now = timezone.now()
    if now < activity.starts_at - CHECK_IN_EARLY:
        raise ValidationError({"status": _("活动开始前30分钟才能签到。")})
    if now >= activity.ends_at:
        raise ValidationError({"status": _("活动已经结束，不能再签到。")})
    signup.status = ActivitySignup.Status.CHECKED_IN
    signup.checked_in_at = now
    signup.checked_in_by = actor
    save_by(signup, actor, update_fields=["status", "checked_in_at", "checked_in_by"])
    return signup


@transaction.atomic
def signup_check_out(*, signup: ActivitySignup, actor: User) -> ServiceRecord:
    """Leave: the time served inside the activity's hours becomes a pending service record."""
    signup, activity = _locked_signup(signup)
    _check_signup_actor(actor, signup, activity)
    if signup.status != ActivitySignup.Status.CHECKED_IN:
        raise ValidationError({"status": _("只能为已签到的志愿者签退。")})
    now = timezone.now()
    started = max(signup.checked_in_at, activity.starts_at)
    ended = min(now, activity.ends_at)
    hours = quantize(Decimal((ended - started).total_seconds()) / Decimal(3600)) if ended > started else Decimal(0)
    if hours <= 0:
        raise ValidationError({"status": _("活动尚未开始或服务时间太短，暂不能签退。")})
    signup.status = ActivitySignup.Status.CHECKED_OUT
    signup.checked_out_at = now
    save_by(signup, actor, update_fields=["status", "checked_out_at"])
    return record_write(
        volunteer=signup.volunteer,
        category=activity.category,
        started_at=started,
        ended_at=ended,
        hours=min(hours, Decimal(24)),
        actor=actor,
        unit=activity.unit,
        team=activity.team,
        activity=activity,
        signup=signup,
        kind=activity.kind,
        # A shift of a resident demand: the record helped that issue (counted on the dual-registration page).
        source=ServiceRecord.Source.ISSUE if activity.issue_id else ServiceRecord.Source.ACTIVITY,
        issue_id=activity.issue_id,
        description=activity.title,
    )
