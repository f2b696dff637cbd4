"""Activities, their sign-ups, and a month calendar."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from grids.models import User

from .. import access
from ..models import Activity, ActivitySignup


def activity_list(
    *,
    viewer: User,
    team_id: int | None = None,
    category: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    upcoming_only: bool = False,
) -> QuerySet[Activity]:
    """Activities the viewer may see, soonest first; one query a page."""
    qs = Activity.objects.filter(access.activity_q(viewer))
    if team_id:
        qs = qs.filter(team_id=team_id)
    if category:
        qs = qs.filter(category_id=category)
    if start is not None:
        qs = qs.filter(ends_at__gt=start)
    if end is not None:
        qs = qs.filter(starts_at__lt=end)
    if upcoming_only:
        qs = qs.filter(status=Activity.Status.OPEN, ends_at__gt=timezone.now())
    return qs.select_related("category", "unit", "team").order_by("starts_at", "pk")


def activity_get(*, viewer: User, pk: int) -> Activity:
    """An activity the viewer may see, or 404; with `can_manage` set."""
    activity = access.get_visible_or_404(
        Activity.objects.select_related("category", "unit", "team"), access.activity_q(viewer), pk=pk
    )
    activity.can_manage = access.can_manage_unit_rows(viewer, unit=activity.unit, team_id=activity.team_id)
    return activity


def signups_of_activity(*, activity: Activity) -> QuerySet[ActivitySignup]:
    return (
        activity.signups.exclude(status=ActivitySignup.Status.CANCELLED)
        .select_related("volunteer", "record")
        .order_by("signed_up_at", "pk")
    )


def signup_for(*, viewer: User, activity: Activity) -> ActivitySignup | None:
    """The viewer's own live sign-up to this activity, if any."""
    volunteer = access.viewer_volunteer(viewer)
    if volunteer is None:
        return None
    return (
        activity.signups.filter(volunteer=volunteer)
        .exclude(status=ActivitySignup.Status.CANCELLED)
        .select_related("record")
        .first()
    )


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    is_today: bool
    activities: list[Activity] = field(default_factory=list)


def calendar_weeks(*, viewer: User, year: int, month: int, team_id: int | None = None) -> list[list[CalendarDay]]:
    """The month as weeks of days (Monday first), each with the activities starting that day: one query."""
    tz = timezone.get_current_timezone()
    weeks_dates = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first, last = weeks_dates[0][0], weeks_dates[-1][-1]
    start = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    by_day: dict[date, list[Activity]] = {}
    qs = activity_list(viewer=viewer, team_id=team_id).filter(starts_at__gte=start, starts_at__lt=end)
    for activity in qs:
        by_day.setdefault(timezone.localtime(activity.starts_at).date(), []).append(activity)
    today = timezone.localdate()
    return [
        [CalendarDay(day=d, in_month=d.month == month, is_today=d == today, activities=by_day.get(d, [])) for d in week]
        for week in weeks_dates
    ]
