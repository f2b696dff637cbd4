"""Activities, their sign-ups, and a month calendar."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from grids.models import GridUnit
from grids.viewer import Viewer

from .. import access
from ..models import Activity, ActivitySignup, ServiceRecord, Team
from ._common import get_visible_or_404


def activity_list(
    *,
    viewer: Viewer,
    team_id: int | None = None,
    category: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    upcoming_only: bool = False,
) -> QuerySet[Activity]:
    """Activities the viewer may see, soonest first; one query a page."""
    qs = Activity.objects.filter(access.activity_visible_q(viewer))
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


def activity_get(*, viewer: Viewer, pk: int) -> Activity:
    """An activity the viewer may see, or 404."""
    return get_visible_or_404(
        Activity.objects.select_related("category", "unit", "team"), access.activity_visible_q(viewer), pk=pk
    )


def signups_of_activity(*, activity: Activity) -> QuerySet[ActivitySignup]:
    """The live sign-ups of an activity the caller has checked (its managers read them)."""
    return (
        activity.signups.exclude(status=ActivitySignup.Status.CANCELLED)
        .select_related("volunteer", "record")
        .order_by("signed_up_at", "pk")
    )


def activity_units(*, viewer: Viewer, team: Team | None = None) -> QuerySet[GridUnit]:
    """Units an activity may be held at: a team's unit and the units just below it (for a team the caller
    has checked), else the units of the viewer's staff posts and those just below them."""
    if team is not None:
        units = GridUnit.objects.filter(Q(pk=team.unit_id) | Q(parent_id=team.unit_id))
    else:
        staff_units = sorted(viewer.staff_unit_ids)
        units = GridUnit.objects.filter(Q(pk__in=staff_units) | Q(parent_id__in=staff_units))
    return units.order_by("path")


def pending_records_of_activity(*, activity: Activity) -> QuerySet[ServiceRecord]:
    """The records of an activity the caller has checked that wait for verification."""
    return ServiceRecord.objects.pending().filter(activity=activity).select_related("volunteer").order_by("pk")


def signup_for(*, viewer: Viewer, activity: Activity) -> ActivitySignup | None:
    """The viewer's own live sign-up to this activity, if any."""
    if viewer.volunteer_id is None:
        return None
    return (
        activity.signups.filter(volunteer_id=viewer.volunteer_id)
        .exclude(status=ActivitySignup.Status.CANCELLED)
        .select_related("record")
        .first()
    )


def signup_list(*, viewer: Viewer) -> QuerySet[ActivitySignup]:
    """The viewer's own sign-ups, newest first."""
    if viewer.volunteer_id is None:
        return ActivitySignup.objects.none()
    return (
        ActivitySignup.objects.filter(volunteer_id=viewer.volunteer_id)
        .select_related("volunteer")
        .order_by("-signed_up_at", "-pk")
    )


def signup_get(*, viewer: Viewer, pk: int) -> ActivitySignup:
    """A sign-up to an activity the viewer may see (with its activity), or 404."""
    seen = access.activity_visible_q(viewer)
    return get_visible_or_404(
        ActivitySignup.objects.select_related("activity__unit", "volunteer"),
        Q(activity__in=Activity.objects.filter(seen).values("pk")) if seen else Q(),
        pk=pk,
    )


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    is_today: bool
    activities: list[Activity] = field(default_factory=list)


def calendar_weeks(*, viewer: Viewer, year: int, month: int, team_id: int | None = None) -> list[list[CalendarDay]]:
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
