"""Reads of the service network, always on behalf of a viewer.

Public reads (`directory_*`) show active points and never personal data; staff
reads go through `access.visible_points_q` (jurisdiction plus the viewer's own
points). Every list and dashboard here is a fixed number of queries, whatever
the number of points or log entries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth, Substr, TruncMonth
from django.http import Http404
from django.utils import timezone

from grids.jurisdiction import can_see_unit, get_scoped_or_404
from grids.models import PATH_STEP, GridUnit, Post

from .access import visible_points_q
from .compliance import YearAssessment, assess_year
from .models import (
    DeliberationMeeting,
    JobOffer,
    LocalProduct,
    RedStationService,
    ServiceKind,
    ServicePoint,
    StarRating,
    WorkstationActivity,
    WorkstationMember,
)

PUBLIC_FIELDS = (
    "id",
    "kind",
    "level",
    "name",
    "address",
    "latitude",
    "longitude",
    "floor_area",
    "opening_hours",
    "functions",
    "zones",
    "resident_organisations",
    "service_items",
    "description",
    "opened_on",
    "unit__id",
    "unit__name",
    "unit__path",
    "unit__level",
)


# ---------------------------------------------------------------------------
# Public directory (no log-in, no personal data)
# ---------------------------------------------------------------------------
def districts() -> list[GridUnit]:
    """The county-level units, for the district filter and for naming each point's district."""
    return list(GridUnit.objects.filter(level=GridUnit.Level.DISTRICT).order_by("path").only("id", "name", "path"))


def district_of(point: ServicePoint, district_list: list[GridUnit]) -> GridUnit | None:
    """The district a point lies in, from its unit's path (no query)."""
    prefix = point.unit.path[: GridUnit.Level.DISTRICT * PATH_STEP]
    for district in district_list:
        if district.path == prefix:
            return district
    return None


def directory_points(
    *, viewer: Any = None, kind: str = "", level: str = "", district: GridUnit | None = None, q: str = ""
) -> QuerySet[ServicePoint]:
    """Active points for the public directory, filtered by kind, level, district and name; public columns only."""
    points = ServicePoint.objects.active().select_related("unit").only(*PUBLIC_FIELDS)
    if kind:
        points = points.filter(kind=kind)
    if level:
        points = points.filter(level=level)
    if district is not None:
        points = points.filter(unit__path__startswith=district.path)
    if q:
        points = points.filter(Q(name__icontains=q) | Q(address__icontains=q))
    return points.order_by("kind", "level", "unit__path", "name", "pk")


@dataclass
class PublicPointDetail:
    point: ServicePoint
    district: GridUnit | None
    menu: list[ServiceKind]
    products: list[LocalProduct]
    rating: StarRating | None
    services_12_months: int | None


def directory_point_get(*, viewer: Any = None, pk: int) -> PublicPointDetail:
    """One active point with what the public may see: services, hours, address; never the contact person."""
    try:
        point = ServicePoint.objects.active().select_related("unit").only(*PUBLIC_FIELDS).get(pk=pk)
    except ServicePoint.DoesNotExist as exc:
        raise Http404 from exc
    menu: list[ServiceKind] = []
    products: list[LocalProduct] = []
    services = None
    if point.kind == ServicePoint.Kind.RED_STATION:
        menu = list(point.menu.filter(is_active=True).order_by("sort_order", "pk"))
        products = list(point.products.select_related("origin").only("name", "category", "origin__name", "point_id"))
        services = RedStationService.objects.filter(
            point=point, served_at__gte=timezone.now() - dt.timedelta(days=365)
        ).count()
    rating = StarRating.objects.filter(point=point, is_current=True).order_by("-year").only("year", "stars").first()
    district = None
    if point.unit.level >= GridUnit.Level.DISTRICT:
        district = GridUnit.objects.filter(path=point.unit.path[: 2 * PATH_STEP]).only("id", "name", "path").first()
    return PublicPointDetail(
        point=point, district=district, menu=menu, products=products, rating=rating, services_12_months=services
    )


# ---------------------------------------------------------------------------
# Staff reads
# ---------------------------------------------------------------------------
def point_list(
    *, viewer: Any, unit: GridUnit | None = None, kind: str = "", level: str = "", q: str = ""
) -> QuerySet[ServicePoint]:
    """Points the viewer may read, with contacts, filtered."""
    points = ServicePoint.objects.filter(visible_points_q(viewer)).select_related("unit")
    if unit is not None:
        points = points.filter(unit__path__startswith=unit.path)
    if kind:
        points = points.filter(kind=kind)
    if level:
        points = points.filter(level=level)
    if q:
        points = points.filter(Q(name__icontains=q) | Q(address__icontains=q))
    return points.order_by("unit__path", "kind", "level", "name", "pk")


def point_get(*, viewer: Any, pk: int) -> ServicePoint:
    """A point the viewer may read (jurisdiction or its own staff), or 404."""
    try:
        return ServicePoint.objects.filter(visible_points_q(viewer)).select_related("unit").get(pk=pk)
    except ServicePoint.DoesNotExist as exc:
        raise Http404 from exc


def unit_get(*, viewer: Any, pk: int) -> GridUnit:
    return get_scoped_or_404(GridUnit.objects.all(), viewer, unit_field=None, pk=pk)


def home_unit(*, viewer: Any) -> GridUnit | None:
    """Where a staff member's network page opens: their highest post's unit (the city for a superuser)."""
    post = Post.objects.filter(user_id=viewer.pk).select_related("unit").order_by("unit__level", "unit__path").first()
    if post is not None:
        return post.unit
    if viewer.is_superuser:
        return GridUnit.objects.filter(level=GridUnit.Level.CITY).order_by("path").first()
    return None


def member_points(*, viewer: Any) -> list[ServicePoint]:
    """The points whose staff the viewer belongs to."""
    return list(ServicePoint.objects.filter(staff__user_id=viewer.pk).select_related("unit").order_by("name", "pk"))


# ---------------------------------------------------------------------------
# Network overview for a unit
# ---------------------------------------------------------------------------
AREA_PLACES = Decimal("0.1")


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


def kind_level_rows(*, points: QuerySet[ServicePoint]) -> list[KindLevelRow]:
    """Counts, total and average floor area per kind and level: one grouped query."""
    grouped = (
        points.values("kind", "level")
        .annotate(n=Count("pk"), with_area=Count("floor_area"), area=Sum("floor_area"), avg=Avg("floor_area"))
        .order_by()
    )
    kind_order = {k: i for i, k in enumerate(ServicePoint.Kind.values)}
    level_order = {lv: i for i, lv in enumerate(["", *ServicePoint.Level.values])}
    rows = [
        KindLevelRow(
            kind=g["kind"],
            level=g["level"],
            count=g["n"],
            with_area=g["with_area"],
            total_area=_round_area(g["area"]) or Decimal(0),
            average_area=_round_area(g["avg"]),
        )
        for g in grouped
    ]
    return sorted(rows, key=lambda r: (kind_order.get(r.kind, 99), level_order.get(r.level, 99)))


def _month_starts(today: dt.date, months: int) -> list[dt.date]:
    year, month = today.year, today.month
    starts = []
    for _i in range(months):
        starts.append(dt.date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(starts))


def red_station_months(*, points: QuerySet[ServicePoint], months: int = 12) -> list[MonthCount]:
    """Services logged per calendar month (local time) over the last `months` months, this one included."""
    starts = _month_starts(timezone.localdate(), months)
    since = timezone.make_aware(dt.datetime.combine(starts[0], dt.time.min))
    counts = {
        (row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]): row["n"]
        for row in RedStationService.objects.filter(point__in=points, served_at__gte=since)
        .annotate(month=TruncMonth("served_at", tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    }
    return [MonthCount(month=start, services=counts.get(start, 0)) for start in starts]


def network_overview(*, viewer: Any, unit: GridUnit, today: dt.date | None = None) -> NetworkOverview:
    """The network under a unit the viewer may see: counts and floor areas by kind and level, per child unit,
    workstation compliance, red-station services per month, jobs offered, star ratings. A fixed number of queries."""
    if not can_see_unit(viewer, unit):
        raise Http404
    today = today or timezone.localdate()
    points = ServicePoint.objects.active().filter(unit__path__startswith=unit.path)
    rows = kind_level_rows(points=points)
    kind_totals: dict[str, int] = {}
    for row in rows:
        kind_totals[row.kind] = kind_totals.get(row.kind, 0) + row.count

    children: list[ChildRow] = []
    child_units = list(GridUnit.objects.filter(parent=unit).order_by("path").only("id", "name", "path", "level"))
    if child_units:
        prefix_len = (unit.level + 1) * PATH_STEP
        per_child: dict[str, dict[str, int]] = {}
        for g in (
            points.filter(unit__level__gt=unit.level)
            .annotate(child_path=Substr("unit__path", 1, prefix_len))
            .values("child_path", "kind")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            per_child.setdefault(g["child_path"], {})[g["kind"]] = g["n"]
        children = [
            ChildRow(
                unit=child, counts=per_child.get(child.path, {}), total=sum(per_child.get(child.path, {}).values())
            )
            for child in child_units
        ]

    compliance = workstation_compliance(viewer=viewer, unit=unit, year=today.year - 1, today=today)
    red_points = points.filter(kind=ServicePoint.Kind.RED_STATION)
    months = red_station_months(points=red_points)
    jobs = JobOffer.objects.filter(point__in=red_points).aggregate(n=Sum("positions"))["n"] or 0
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


# ---------------------------------------------------------------------------
# Workstation compliance
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class WorkstationCompliance:
    point: ServicePoint
    assessment: YearAssessment


def workstation_compliance(
    *, viewer: Any, unit: GridUnit | None, year: int, today: dt.date | None = None, point: ServicePoint | None = None
) -> list[WorkstationCompliance]:
    """Each workstation in the unit's subtree (or the one point) against the year's duties: three queries."""
    today = today or timezone.localdate()
    stations = ServicePoint.objects.workstations().active().filter(visible_points_q(viewer)).select_related("unit")
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


# ---------------------------------------------------------------------------
# One point, for its staff
# ---------------------------------------------------------------------------
@dataclass
class PointWorkspace:
    point: ServicePoint
    district: GridUnit | None
    staff: list
    ratings: list[StarRating]
    members: list[WorkstationMember] = field(default_factory=list)
    meetings: list[DeliberationMeeting] = field(default_factory=list)
    activities: list[WorkstationActivity] = field(default_factory=list)
    compliance: list[WorkstationCompliance] = field(default_factory=list)
    menu: list[ServiceKind] = field(default_factory=list)
    months: list[MonthCount] = field(default_factory=list)
    by_kind: list[tuple[ServiceKind, int]] = field(default_factory=list)
    recent: list[RedStationService] = field(default_factory=list)
    jobs: list[JobOffer] = field(default_factory=list)
    products: list[LocalProduct] = field(default_factory=list)


def point_workspace(*, viewer: Any, point: ServicePoint, year: int | None = None) -> PointWorkspace:
    """Everything the staff page of one point shows: a fixed number of queries per kind of point."""
    today = timezone.localdate()
    year = year or today.year
    workspace = PointWorkspace(
        point=point,
        district=GridUnit.objects.filter(path=point.unit.path[: 2 * PATH_STEP], level=GridUnit.Level.DISTRICT).first(),
        staff=list(point.staff.select_related("user").order_by("role", "user__username")),
        ratings=list(point.ratings.select_related("rated_by").order_by("-year", "-rated_at", "-pk")),
    )
    if point.kind == ServicePoint.Kind.WORKSTATION:
        workspace.members = list(point.members.prefetch_related("honours").order_by("joined_on", "pk"))
        workspace.meetings = list(point.meetings.filter(held_on__year=year).order_by("-held_on", "-pk"))
        workspace.activities = list(point.workstation_activities.filter(held_on__year=year).order_by("-held_on", "-pk"))
        workspace.compliance = [
            *workstation_compliance(viewer=viewer, unit=None, point=point, year=year, today=today),
            *workstation_compliance(viewer=viewer, unit=None, point=point, year=year - 1, today=today),
        ]
    elif point.kind == ServicePoint.Kind.RED_STATION:
        workspace.menu = list(point.menu.order_by("sort_order", "pk"))
        workspace.months = red_station_months(points=ServicePoint.objects.filter(pk=point.pk))
        since = timezone.make_aware(dt.datetime.combine(workspace.months[0].month, dt.time.min))
        kind_counts = dict(
            RedStationService.objects.filter(point=point, served_at__gte=since)
            .values("service_kind")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("service_kind", "n")
        )
        workspace.by_kind = [(kind, kind_counts.get(kind.pk, 0)) for kind in workspace.menu]
        workspace.recent = list(
            point.services_given.select_related("service_kind", "logged_by").order_by("-served_at", "-pk")[:20]
        )
        workspace.jobs = list(point.job_offers.order_by("-offered_on", "pk"))
        workspace.products = list(point.products.select_related("origin"))
    return workspace


def red_station_recent(*, viewer: Any, point: ServicePoint, limit: int = 10) -> list[RedStationService]:
    return list(point.services_given.select_related("service_kind").order_by("-served_at", "-pk")[:limit])


def red_station_today_count(*, viewer: Any, point: ServicePoint) -> int:
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    return RedStationService.objects.filter(point=point, served_at__gte=start).count()


# ---------------------------------------------------------------------------
# Star ratings
# ---------------------------------------------------------------------------
def rating_list(*, viewer: Any, unit: GridUnit, year: int, current_only: bool = True) -> QuerySet[StarRating]:
    """Ratings of points and compounds under a unit the viewer may see, for a year."""
    if not can_see_unit(viewer, unit):
        raise Http404
    ratings = StarRating.objects.filter(unit__path__startswith=unit.path, year=year).select_related(
        "point", "compound", "unit", "rated_by"
    )
    if current_only:
        ratings = ratings.filter(is_current=True)
    return ratings.order_by("-stars", "-total", "unit__path", "pk")


def compound_ratings(*, viewer: Any, compound: GridUnit) -> list[StarRating]:
    return list(
        StarRating.objects.filter(compound=compound).select_related("rated_by").order_by("-year", "-rated_at", "-pk")
    )


def service_kinds() -> list[ServiceKind]:
    return list(ServiceKind.objects.filter(is_active=True).order_by("sort_order", "pk"))


def menu_prefetch() -> Prefetch:
    return Prefetch("menu", queryset=ServiceKind.objects.order_by("sort_order", "pk"))
