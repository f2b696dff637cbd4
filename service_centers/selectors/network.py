"""The network under a unit: counts and floor areas, workstation compliance, red-station services per month."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import ExtractMonth, Substr
from django.http import Http404
from django.utils import timezone

from grids.jurisdiction import can_see_unit
from grids.models import PATH_STEP, GridUnit
from grids.viewer import Viewer, viewer_of

from ..access import visible_points_q
from ..compliance import YearAssessment, assess_year
from ..models import (
    DeliberationMeeting,
    JobOffer,
    RedStationMonthlyTally,
    RedStationService,
    ServicePoint,
    StarRating,
    WorkstationActivity,
)
from ..periods import local_midnight, month_window

PUBLIC_SELECTORS_WITHOUT_VIEWER = {
    "kind_level_rows": "counts over a queryset of points the caller has already scoped; returns figures, no rows",
    "red_station_months": "monthly counts over the ids of points the caller has already read; no rows",
    "kind_level_rows_of": "figures from groups the caller has already read; no query",
}

AREA_PLACES = Decimal("0.1")
RED_MONTHS = 12  # the current month and the eleven before it


@dataclass(frozen=True)
class KindLevelRow:
    kind: str
    level: str
    count: int
    with_area: int
    total_area: Decimal
    average_area: Decimal | None

    @property
    def label(self) -> str:
        return ServicePoint.Level(self.level).label if self.level else ServicePoint.Kind(self.kind).label

    @property
    def kind_label(self) -> str:
        return ServicePoint.Kind(self.kind).label


@dataclass(frozen=True)
class ChildRow:
    unit: GridUnit
    counts: dict[str, int]
    total: int


@dataclass(frozen=True)
class MonthCount:
    month: dt.date
    services: int
    live: bool = False  # the month under way, counted from the log


@dataclass(frozen=True)
class WorkstationCompliance:
    point: ServicePoint
    assessment: YearAssessment


@dataclass
class NetworkOverview:
    unit: GridUnit
    rows: list[KindLevelRow]
    kind_totals: dict[str, int]
    total_points: int
    children: list[ChildRow]
    compliance_year: int
    workstations: int
    workstations_flagged: int
    red_months: list[MonthCount]
    red_services_12_months: int
    jobs_offered: int
    star_year: int
    star_counts: dict[int, int] = field(default_factory=dict)

    def row(self, kind: str, level: str = "") -> KindLevelRow | None:
        return next((r for r in self.rows if r.kind == kind and r.level == level), None)

    @property
    def party_centers(self) -> int:
        return self.kind_totals.get(ServicePoint.Kind.PARTY_CENTER, 0)

    @property
    def community_venues(self) -> KindLevelRow | None:
        """The report's “115 urban community venues, average 812 m²”."""
        return self.row(ServicePoint.Kind.PARTY_CENTER, ServicePoint.Level.COMMUNITY)

    @property
    def red_month_max(self) -> int:
        return max((m.services for m in self.red_months), default=0)


def _round_area(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(AREA_PLACES, rounding=ROUND_HALF_UP)


def _grouped(points: QuerySet[ServicePoint], branch_length: int) -> list[dict]:
    """Points per branch of the tree (the first `branch_length` path characters), kind and level,
    with their floor areas: one grouped query serves the kind/level table and the per-child counts."""
    return list(
        points.annotate(branch=Substr("unit__path", 1, branch_length))
        .values("branch", "kind", "level")
        .annotate(n=Count("pk"), with_area=Count("floor_area"), area=Sum("floor_area"))
        .order_by()
    )


def _kind_level_rows(groups: list[dict]) -> list[KindLevelRow]:
    totals: dict[tuple[str, str], list] = {}
    for g in groups:
        total = totals.setdefault((g["kind"], g["level"]), [0, 0, Decimal(0)])
        total[0] += g["n"]
        total[1] += g["with_area"]
        total[2] += Decimal(g["area"] or 0)
    kind_order = {k: i for i, k in enumerate(ServicePoint.Kind.values)}
    level_order = {lv: i for i, lv in enumerate(["", *ServicePoint.Level.values])}
    rows = [
        KindLevelRow(
            kind=kind,
            level=level,
            count=n,
            with_area=with_area,
            total_area=_round_area(area),
            average_area=_round_area(area / with_area) if with_area else None,
        )
        for (kind, level), (n, with_area, area) in totals.items()
    ]
    return sorted(rows, key=lambda r: (kind_order.get(r.kind, 99), level_order.get(r.level, 99)))


def kind_level_rows(*, points: QuerySet[ServicePoint]) -> list[KindLevelRow]:
    """Counts, total and average floor area per kind and level: one grouped query."""
    return _kind_level_rows(_grouped(points, 0))


def kind_level_rows_of(groups: list[dict]) -> list[KindLevelRow]:
    """The same rows from groups a caller has read already (dicts of kind, level, n, with_area, area: the
    dashboards read them in one statement with their other figures). No query."""
    return _kind_level_rows(groups)


def red_station_months(
    *, point_ids: list[int], months: int = RED_MONTHS, today: dt.date | None = None
) -> list[MonthCount]:
    """Services per calendar month at these stations: closed months from the roll-up, the month under way
    live from the log (index on point and time). Two queries."""
    window = month_window(today or timezone.localdate(), months)
    current = window[-1]
    if not point_ids:
        return [MonthCount(month=m, services=0, live=m == current) for m in window]
    closed = dict(
        RedStationMonthlyTally.objects.filter(point_id__in=point_ids, month__gte=window[0], month__lt=current)
        .values("month")
        .annotate(n=Sum("services"))
        .order_by()
        .values_list("month", "n")
    )
    live = RedStationService.objects.filter(point_id__in=point_ids, served_at__gte=local_midnight(current)).count()
    return [MonthCount(month=m, services=live if m == current else closed.get(m, 0), live=m == current) for m in window]


def red_station_kind_counts(*, point: ServicePoint, months: int = RED_MONTHS) -> dict[int, int]:
    """Services per menu item over the same window as `red_station_months`, for one station. Two queries."""
    window = month_window(timezone.localdate(), months)
    counts: dict[int, int] = dict(
        RedStationMonthlyTally.objects.filter(point=point, month__gte=window[0], month__lt=window[-1])
        .values("service_kind_id")
        .annotate(n=Sum("services"))
        .order_by()
        .values_list("service_kind_id", "n")
    )
    for kind_id, n in (
        RedStationService.objects.filter(point=point, served_at__gte=local_midnight(window[-1]))
        .values("service_kind_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("service_kind_id", "n")
    ):
        counts[kind_id] = counts.get(kind_id, 0) + n
    return counts


def workstation_compliance(
    *, viewer: Viewer, unit: GridUnit | None, year: int, today: dt.date | None = None, point: ServicePoint | None = None
) -> list[WorkstationCompliance]:
    """Each workstation in the unit's subtree (or the one point) against the year's duties: three queries."""
    today = today or timezone.localdate()
    stations = (
        ServicePoint.objects.workstations().active().filter(visible_points_q(viewer_of(viewer))).select_related("unit")
    )
    if unit is not None:
        stations = stations.filter(unit__path__startswith=unit.path)
    if point is not None:
        stations = stations.filter(pk=point.pk)
    stations = list(stations.order_by("unit__path", "name", "pk"))
    ids = [s.pk for s in stations]
    meetings = dict(
        DeliberationMeeting.objects.filter(point_id__in=ids, held_on__year=year)
        .values("point_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("point_id", "n")
    )
    months: dict[int, set[int]] = {}
    for point_id, month in (
        WorkstationActivity.objects.filter(point_id__in=ids, held_on__year=year)
        .annotate(month=ExtractMonth("held_on"))
        .values_list("point_id", "month")
        .order_by()  # no default ordering in the DISTINCT
        .distinct()
    ):
        months.setdefault(point_id, set()).add(month)
    return [
        WorkstationCompliance(
            point=station,
            assessment=assess_year(
                year=year,
                meetings=meetings.get(station.pk, 0),
                active_months=months.get(station.pk, set()),
                today=today,
                opened_on=station.opened_on,
            ),
        )
        for station in stations
    ]


def network_overview(*, viewer: Viewer, unit: GridUnit, today: dt.date | None = None) -> NetworkOverview:
    """The network under a unit the viewer may see: counts and floor areas by kind and level, per child unit,
    last year's workstation compliance, red-station services per month, jobs offered, star ratings.
    A fixed number of queries (ten) whatever the size of the subtree."""
    if not can_see_unit(viewer, unit):
        raise Http404
    today = today or timezone.localdate()
    points = ServicePoint.objects.active().filter(unit__path__startswith=unit.path)
    child_units = list(GridUnit.objects.filter(parent=unit).order_by("path").only("id", "name", "path", "level"))
    groups = _grouped(points, (unit.level + 1) * PATH_STEP)
    rows = _kind_level_rows(groups)
    kind_totals: dict[str, int] = {}
    for row in rows:
        kind_totals[row.kind] = kind_totals.get(row.kind, 0) + row.count
    per_child: dict[str, dict[str, int]] = {}
    for g in groups:
        counts = per_child.setdefault(g["branch"], {})
        counts[g["kind"]] = counts.get(g["kind"], 0) + g["n"]
    children = [
        ChildRow(unit=child, counts=per_child.get(child.path, {}), total=sum(per_child.get(child.path, {}).values()))
        for child in child_units
    ]

    compliance = workstation_compliance(viewer=viewer, unit=unit, year=today.year - 1, today=today)
    red_ids = list(points.filter(kind=ServicePoint.Kind.RED_STATION).values_list("pk", flat=True))
    months = red_station_months(point_ids=red_ids, today=today)
    jobs = (JobOffer.objects.filter(point_id__in=red_ids).aggregate(n=Sum("positions"))["n"] or 0) if red_ids else 0
    star_year = today.year - 1
    star_counts = dict(
        StarRating.objects.filter(unit__path__startswith=unit.path, year=star_year, is_current=True)
        .values("stars")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("stars", "n")
    )
    return NetworkOverview(
        unit=unit,
        rows=rows,
        kind_totals=kind_totals,
        total_points=sum(kind_totals.values()),
        children=children,
        compliance_year=today.year - 1,
        workstations=len(compliance),
        workstations_flagged=sum(1 for c in compliance if c.assessment.flagged),
        red_months=months,
        red_services_12_months=sum(m.services for m in months),
        jobs_offered=jobs,
        star_year=star_year,
        star_counts={stars: star_counts.get(stars, 0) for stars in range(5, -1, -1)},
    )
