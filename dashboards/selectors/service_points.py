"""Service-network figures for a unit's subtree: points by kind and level with floor areas, per child unit,
workstation compliance (the service_centers rules: `kind_level_rows_of`, `assess_year`), jobs offered, and
the red stations' services in the chosen period: from the other domains' roll-up (FigureMonthlyRollup,
per street and month) where it answers, else counted from their log (index on point, time). A dashboard
reads all of it in one statement (`network_figures`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, DateField, F, IntegerField, QuerySet, Sum, Value
from django.db.models.functions import Concat, ExtractMonth, Power, TruncMonth
from django.http import Http404
from django.utils import timezone

from grids.jurisdiction import can_see_unit
from grids.models import GridUnit
from grids.viewer import Viewer, viewer_of
from service_centers.access import visible_points_q
from service_centers.compliance import YearAssessment, assess_year
from service_centers.models import (
    DeliberationMeeting,
    JobOffer,
    RedStationService,
    ServiceKind,
    ServicePoint,
    WorkstationActivity,
)
from service_centers.selectors import (
    KindLevelRow,
    kind_level_rows_of,
)

from ..models import FigureMonthlyRollup, RollupState
from ..periods import Period
from ..sql import InComputedSet, union_all
from .common import OWN, child_key, from_rollup, in_subtree, rollup_sums

GROUPS = ("kind", "child", "month")

PUBLIC_SELECTORS_WITHOUT_VIEWER = {
    "points_result": "figures from rows the caller read for a unit it had checked; no query",
}


def red_station_query(
    *, unit: GridUnit, period: Period, group_by: str | None = None, state: RollupState | None = None
) -> QuerySet:
    """The values() query of the red stations' services in the period, grouped by `group_by` (k; none:
    one row) with their number (n): from the roll-up with its `state` (`figures_current()`) wherever it
    answers, else from the services' log (index on time)."""
    if from_rollup(state, unit=unit, period=period, by_child=group_by == "child"):
        services: Any = FigureMonthlyRollup.objects.in_subtree(unit).filter(
            figure=FigureMonthlyRollup.Figure.RED_STATION, month__gte=period.start, month__lt=period.end
        )
        measure: Any = Sum("n")
        keys = {"service": F("key"), "child": child_key(unit, "street_path"), "month": F("month")}
    else:
        services = in_subtree(
            RedStationService.objects.filter(point__kind=ServicePoint.Kind.RED_STATION), unit, "point__unit"
        ).filter(served_at__gte=period.start_at, served_at__lt=period.end_at)
        measure = Count("pk")
        keys = {
            "service": F("service_kind_id"),
            "child": child_key(unit, "point__unit__path"),
            "month": TruncMonth("served_at", tzinfo=timezone.get_current_timezone(), output_field=DateField()),
        }
    if group_by is None:
        key: Any = Value(0)
    elif group_by in keys:
        key = keys[group_by]
    else:
        raise ValueError(group_by)
    return services.annotate(k=key).values("k").annotate(n=measure).order_by()


def red_station_result(rows: list[tuple], *, unit: GridUnit, group_by: str | None) -> dict[Any, int]:
    if group_by is None:
        return {None: sum((n or 0) for _k, n in rows)}
    result: dict[Any, int] = {}
    for k, n in rows:
        if group_by == "child" and len(k) <= len(unit.path):
            k = OWN
        result[k] = result.get(k, 0) + (n or 0)
    return result


def red_station_services(
    *, unit: GridUnit, period: Period, group_by: str | None = None, state: RollupState | None = None
) -> dict[Any, int]:
    """Services given at the red stations of the subtree in the period: in total (key None), per menu
    item id (`service`), per child path or per month. One query: from the roll-up with its `state`
    (`figures_current()`) wherever it answers, else from the services' log."""
    (rows,) = union_all([red_station_query(unit=unit, period=period, group_by=group_by, state=state)])
    return red_station_result(rows, unit=unit, group_by=group_by)


# ---------------------------------------------------------------------------
# The service network of a dashboard in one statement
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class NetworkChild:
    unit: GridUnit
    counts: dict[str, int]
    total: int


@dataclass(frozen=True)
class WorkstationRow:
    point_id: int
    name: str
    unit_name: str
    assessment: YearAssessment


@dataclass
class NetworkFigures:
    """What the dashboards show of the service network under a unit (the service_centers overview's rules)."""

    rows: list[KindLevelRow]
    kind_totals: dict[str, int]
    children: list[NetworkChild]
    compliance_year: int
    workstation_rows: list[WorkstationRow]
    jobs_offered: int
    red_by_service: dict[Any, int]
    service_kinds: dict[int, ServiceKind] = field(default_factory=dict)

    @property
    def total_points(self) -> int:
        return sum(self.kind_totals.values())

    @property
    def workstations(self) -> int:
        return len(self.workstation_rows)

    @property
    def workstations_flagged(self) -> int:
        return sum(1 for row in self.workstation_rows if row.assessment.flagged)

    @property
    def party_centers(self) -> int:
        return self.kind_totals.get(ServicePoint.Kind.PARTY_CENTER, 0)

    @property
    def community_venues(self) -> KindLevelRow | None:
        """The report's “115 urban community venues, average 812 m²”."""
        return next(
            (
                r
                for r in self.rows
                if r.kind == ServicePoint.Kind.PARTY_CENTER and r.level == ServicePoint.Level.COMMUNITY
            ),
            None,
        )


def points_query(*, unit: GridUnit, state: RollupState | None, by_child: bool = False) -> QuerySet:
    """The values() query of the active service points per child (branch; the unit's path without
    `by_child`), kind and level, with their floor areas: from the roll-up's snapshot rows (code
    "kind:level") wherever it answers, else from the points. `points_result` reads its rows."""
    if from_rollup(state, unit=unit, period=None, by_child=by_child):
        rows = FigureMonthlyRollup.objects.filter(month__isnull=True, figure=FigureMonthlyRollup.Figure.POINT)
        branch = child_key(unit, "street_path") if by_child else Value(unit.path)
        return (
            rows.in_subtree(unit)
            .annotate(branch=branch)
            .values("branch", "code")
            .annotate(n=Sum("n"), with_area=Sum("n2"), area=Sum("amount"))
            .order_by()
        )
    branch = child_key(unit) if by_child else Value(unit.path)
    return (
        in_subtree(ServicePoint.objects.active(), unit)
        .annotate(branch=branch, code=Concat("kind", Value(":"), "level"))
        .values("branch", "code")
        .annotate(n=Count("pk"), with_area=Count("floor_area"), area=Sum("floor_area"))
        .order_by()
    )


def jobs_query(*, unit: GridUnit, state: RollupState | None) -> QuerySet:
    """The posts the active red stations of the subtree offer (one row, one value): the roll-up's snapshot
    rows wherever it answers, else a sum over the stations' offers."""
    if from_rollup(state, unit=unit, period=None):
        return rollup_sums(unit, FigureMonthlyRollup.Figure.JOBS)
    stations = in_subtree(ServicePoint.objects.active(), unit).filter(kind=ServicePoint.Kind.RED_STATION)
    offers = JobOffer.objects.filter(point__in=stations.values("pk"))
    return offers.annotate(k=Value(0)).values("k").annotate(n=Sum("positions")).values_list("n")


def _month_mask(date_field: str) -> Sum:
    """The months of the year with a row in the group, as one integer: bit m set for month m (a
    station's twelve (station, month) rows read as one). A sum of the distinct powers of two is their
    bitwise OR, on every database; one month extracted per row."""
    return Sum(Power(Value(2), ExtractMonth(date_field)), distinct=True, output_field=IntegerField())


def _of_stations(rows: QuerySet, stations: QuerySet, unit: GridUnit) -> QuerySet:
    """The year's rows (meetings, activities) of the stations shown, found by station through the (point,
    date) indexes: as a semi-join PostgreSQL merged every station of the city in key order, or hashed the
    subtree's units (25 ms for the city at --scale 10). The city shows every station, so its year is read
    whole, one scan instead of 650 index descents (network statement 47 → 30 ms at --scale 10); rows of a
    station not shown are never looked up."""
    if unit.level == GridUnit.Level.CITY:
        return rows
    return rows.filter(InComputedSet("point_id", stations.values("pk")))


def _months_of(mask: int) -> set[int]:
    return {month for month in range(1, 13) if mask >> month & 1}


def points_result(rows: list[tuple]) -> list[tuple]:
    """(branch, kind, level, n, with_area, area) from `points_query`'s rows."""
    found = []
    for branch, code, n, with_area, area in rows:
        kind, _sep, level = code.partition(":")
        found.append((branch, kind, level, n or 0, with_area or 0, area))
    return found


def network_figures(
    *,
    viewer: Viewer,
    unit: GridUnit,
    children: list[GridUnit],
    period: Period,
    state: RollupState | None = None,
    today: dt.date | None = None,
) -> NetworkFigures:
    """The network under the unit (404 outside the viewer's jurisdiction): points by kind and level with
    floor areas and per child, last year's workstation compliance (`assess_year`, the service_centers
    rule), jobs offered, the red stations' services in the period per menu item (from the roll-up with
    its `state` wherever it answers) and the menu itself. One statement (`union_all`)."""
    if not can_see_unit(viewer, unit):
        raise Http404
    today = today or timezone.localdate()
    year = today.year - 1
    stations = (
        ServicePoint.objects.workstations()
        .active()
        .filter(visible_points_q(viewer_of(viewer)))
        .filter(unit__path__startswith=unit.path)
    )
    red = red_station_query(unit=unit, period=period, group_by="service", state=state)
    found = union_all(
        [
            points_query(unit=unit, state=state, by_child=True),
            jobs_query(unit=unit, state=state),
            stations.values_list("pk", "name", "unit__name", "opened_on", "unit__path"),
            _of_stations(DeliberationMeeting.objects.filter(held_on__year=year), stations, unit)
            .values("point_id")
            .annotate(n=Count("pk"))
            .order_by(),
            _of_stations(WorkstationActivity.objects.filter(held_on__year=year), stations, unit)
            .values("point_id")
            .annotate(months=_month_mask("held_on"))
            .order_by(),
            red,
            ServiceKind.objects.values_list("pk", "code", "name", "sort_order"),
        ]
    )
    groups, jobs, station_rows, meeting_rows, month_rows, red_rows, kind_rows = found
    groups = points_result(groups)
    rows = kind_level_rows_of(
        [{"kind": k, "level": lv, "n": n, "with_area": w, "area": a} for _b, k, lv, n, w, a in groups]
    )
    kind_totals: dict[str, int] = {}
    per_child: dict[str, dict[str, int]] = {}
    for branch, kind, _level, n, _with_area, _area in groups:
        kind_totals[kind] = kind_totals.get(kind, 0) + n
        counts = per_child.setdefault(branch, {})
        counts[kind] = counts.get(kind, 0) + n
    meetings = dict(meeting_rows)
    months = {point_id: _months_of(mask) for point_id, mask in month_rows}
    workstation_rows = [
        WorkstationRow(
            point_id=pk,
            name=name,
            unit_name=unit_name,
            assessment=assess_year(
                year=year,
                meetings=meetings.get(pk, 0),
                active_months=months.get(pk, set()),
                today=today,
                opened_on=opened_on,
            ),
        )
        for pk, name, unit_name, opened_on, _path in sorted(station_rows, key=lambda r: (r[4], r[1], r[0]))
    ]
    kinds = {
        pk: ServiceKind(pk=pk, code=code, name=name, sort_order=order)
        for pk, code, name, order in sorted(kind_rows, key=lambda r: (r[3], r[0]))
    }
    return NetworkFigures(
        rows=rows,
        kind_totals=kind_totals,
        children=[
            NetworkChild(
                unit=child, counts=per_child.get(child.path, {}), total=sum(per_child.get(child.path, {}).values())
            )
            for child in children
        ],
        compliance_year=year,
        workstation_rows=workstation_rows,
        jobs_offered=(jobs[0][0] or 0) if jobs else 0,
        red_by_service=red_station_result(red_rows, unit=unit, group_by="service"),
        service_kinds=kinds,
    )
