"""Leaderboards of verified hours and points per unit and period (光荣榜).

Only verified records count. One grouped query over the records of the unit's
subtree and period (plus one for the names of child units), whatever the
number of rows shown or counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grids.models import PATH_STEP, GridUnit
from grids.viewer import Viewer

from ..models import MemberRegistration, ServiceRecord, Team, TeamMember, Volunteer
from ..services.ledger import quantize

PUBLIC_SELECTORS_WITHOUT_VIEWER = {
    "period_bounds": "date arithmetic for a named period: reads no rows",
}


class Period(models.TextChoices):
    MONTH = "month", gettext_lazy("本月")
    QUARTER = "quarter", gettext_lazy("本季度")
    YEAR = "year", gettext_lazy("本年")
    ALL = "all", gettext_lazy("累计")


PERIODS = Period


class Metric(models.TextChoices):
    HOURS = "hours", gettext_lazy("服务时长")
    POINTS = "points", gettext_lazy("积分")
    SERVICES = "services", gettext_lazy("服务次数")


class Board(models.TextChoices):
    VOLUNTEER = "volunteer", gettext_lazy("志愿者")
    TEAM = "team", gettext_lazy("服务队")
    UNIT = "unit", gettext_lazy("下级单元")


def period_bounds(period: str, today: date | None = None) -> tuple[datetime | None, datetime | None]:
    """[start, end) of the period that contains today, in local time; (None, None) for all time."""
    today = today or timezone.localdate()
    if period == Period.ALL:
        return None, None
    if period == Period.MONTH:
        first = today.replace(day=1)
        nxt = (first + timedelta(days=32)).replace(day=1)
    elif period == Period.QUARTER:
        first = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
        nxt = (first + timedelta(days=95)).replace(day=1)
    elif period == Period.YEAR:
        first = today.replace(month=1, day=1)
        nxt = first.replace(year=first.year + 1)
    else:
        raise ValidationError({"period": _("未知的统计周期。")})
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(first, datetime.min.time(), tzinfo=tz),
        datetime.combine(nxt, datetime.min.time(), tzinfo=tz),
    )


def leaderboard_units(*, viewer: Viewer) -> list[GridUnit]:
    """Units whose leaderboard the viewer may open: their posts' units (the city for a superuser),
    else the home units of their teams and the community they live in or are registered with. One query."""
    paths = viewer.jurisdiction
    if paths is None:
        return list(GridUnit.objects.filter(level=GridUnit.Level.CITY))
    if paths:
        return list(GridUnit.objects.filter(path__in=paths).order_by("path"))
    if viewer.volunteer_id is None:
        return []
    me = viewer.volunteer_id
    teams = TeamMember.objects.filter(volunteer_id=me, left_on__isnull=True).values("team_id")
    return list(
        GridUnit.objects.filter(
            Q(pk__in=Volunteer.objects.filter(pk=me).values("unit_id"))
            | Q(pk__in=MemberRegistration.objects.filter(volunteer_id=me, ended_on__isnull=True).values("community_id"))
            | Q(pk__in=Team.objects.filter(pk__in=teams).values("unit_id"))
        ).order_by("path")
    )


def leaderboard_unit_allowed(*, viewer: Viewer, unit: GridUnit) -> bool:
    if viewer.sees_path(unit.path):
        return True
    return any(unit.path.startswith(u.path) for u in leaderboard_units(viewer=viewer))


@dataclass(frozen=True)
class Row:
    rank: int
    key: int
    name: str
    hours: Decimal
    points: Decimal
    services: int


def leaderboard(
    *,
    viewer: Viewer,
    unit: GridUnit,
    period: str = Period.YEAR,
    metric: str = Metric.HOURS,
    board: str = Board.VOLUNTEER,
    limit: int = 20,
    today: date | None = None,
) -> list[Row]:
    """The top `limit` volunteers, teams or child units of `unit` by verified hours, points or services."""
    if not leaderboard_unit_allowed(viewer=viewer, unit=unit):
        raise Http404
    if metric not in Metric.values:
        raise ValidationError({"metric": _("未知的排行指标。")})
    start, end = period_bounds(period, today)
    records = ServiceRecord.objects.verified()
    if unit.level != GridUnit.Level.CITY:  # every record lies under the city: no join needed for it
        records = records.filter(unit__path__startswith=unit.path)
    if start is not None:
        records = records.filter(started_at__gte=start, started_at__lt=end)
    totals = {"hours": Sum("hours"), "points": Sum("points"), "services": Count("pk")}
    # Group by the key alone (a hash aggregate on an integer), then name the top rows in one query.
    if board == Board.VOLUNTEER:
        key, names_of = (
            "volunteer_id",
            lambda keys: Volunteer.objects.filter(pk__in=keys).values_list("pk", "full_name"),
        )
        grouped = records.values(key)
    elif board == Board.TEAM:
        key, names_of = "team_id", lambda keys: Team.objects.filter(pk__in=keys).values_list("pk", "name")
        grouped = records.filter(team__isnull=False).values(key)
    elif board == Board.UNIT:
        if unit.level >= GridUnit.Level.ZONE:
            return []
        width = len(unit.path) + PATH_STEP
        key = "child"
        grouped = records.annotate(child=Substr("unit__path", 1, width)).values(key)
    else:
        raise ValidationError({"board": _("未知的排行对象。")})
    rows = list(grouped.annotate(**totals).order_by(f"-{metric}", key)[:limit])
    if not rows:
        return []
    if board == Board.UNIT:
        found = {
            path: (pk, name)
            for path, pk, name in GridUnit.objects.filter(path__in=[r["child"] for r in rows]).values_list(
                "path", "pk", "name"
            )
        }
        for r in rows:
            r["id"], r["label"] = found.get(r["child"], (0, r["child"]))
    else:
        names = dict(names_of([r[key] for r in rows]))
        for r in rows:
            r["id"], r["label"] = r[key], names.get(r[key], "")
    return [
        Row(
            rank=i + 1,
            key=r["id"],
            name=r["label"],
            hours=quantize(r["hours"] or 0),
            points=quantize(r["points"] or 0),
            services=r["services"],
        )
        for i, r in enumerate(rows)
    ]
