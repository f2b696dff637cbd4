"""The public directory: active points, public columns only, never the contact person."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Cos, Power, Radians, Sin
from django.http import Http404
from django.utils import timezone

from grids.models import PATH_STEP, GridUnit
from grids.viewer import Viewer

from ..models import LocalProduct, RedStationService, ServiceKind, ServicePoint, StarRating

PUBLIC_SELECTORS_WITHOUT_VIEWER = {
    "districts": "public service-point directory: the county-level units' names, no personal data",
}

# What the public may read of a point. The contact person (name, phone) is not among them.
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
    "is_active",
    "unit__id",
    "unit__name",
    "unit__path",
    "unit__level",
)


def districts() -> list[GridUnit]:
    """The county-level units, for the district filter and for naming each point's district."""
    return list(GridUnit.objects.filter(level=GridUnit.Level.DISTRICT).order_by("path").only("id", "name", "path"))


def district_of(point: ServicePoint, district_list: list[GridUnit]) -> GridUnit | None:
    """The district a point lies in, from its unit's path (no query)."""
    prefix = point.unit.path[: GridUnit.Level.DISTRICT * PATH_STEP]
    return next((d for d in district_list if d.path == prefix), None)


def directory_points(
    *,
    viewer: Viewer | None = None,
    kind: str = "",
    level: str = "",
    district: GridUnit | None = None,
    q: str = "",
    near: tuple[float, float] | None = None,
) -> QuerySet[ServicePoint]:
    """Active points for the public directory, filtered by kind, level, district and name; public columns only.

    With `near` (a WGS-84 latitude, longitude), the nearest first (points with no position last)."""
    points = ServicePoint.objects.active().select_related("unit").only(*PUBLIC_FIELDS)
    if kind:
        points = points.filter(kind=kind)
    if level:
        points = points.filter(level=level)
    if district is not None:
        points = points.filter(unit__path__startswith=district.path)
    if q:
        points = points.filter(Q(name__icontains=q) | Q(address__icontains=q))
    # The report's order: service centers first (city down to village), then studios, workstations...
    kind_rank = Case(*(When(kind=k, then=Value(i)) for i, k in enumerate(ServicePoint.Kind.values)), default=Value(99))
    level_rank = Case(
        *(When(level=lv, then=Value(i)) for i, lv in enumerate(ServicePoint.Level.values)), default=Value(99)
    )
    if near is not None:
        return points.annotate(nearness=_nearness(*near)).order_by(F("nearness").asc(nulls_last=True), "name", "pk")
    return points.order_by(kind_rank, level_rank, "unit__path", "name", "pk")


def _nearness(lat: float, lng: float):
    """A database expression that orders points as their great-circle distance from (lat, lng) does: the
    haversine's sin²(Δφ/2) + cos φ₁ cos φ₂ sin²(Δλ/2), which grows with the distance, so the order agrees
    with the metres the page shows for each point it lists (`service_centers.navigation.distance_m`). An
    equirectangular approximation put a point 21 m farther first at 55 km."""
    phi = Radians(Cast("latitude", FloatField()))
    dphi = phi - Value(math.radians(lat))
    dlmb = Radians(Cast("longitude", FloatField())) - Value(math.radians(lng))
    return Power(Sin(dphi / 2), 2) + Value(math.cos(math.radians(lat))) * Cos(phi) * Power(Sin(dlmb / 2), 2)


@dataclass
class PublicPointDetail:
    point: ServicePoint
    district: GridUnit | None
    menu: list[ServiceKind]
    products: list[LocalProduct]
    rating: StarRating | None
    services_12_months: int | None


def directory_point_get(*, viewer: Viewer | None = None, pk: int | None) -> PublicPointDetail:
    """One active point with what the public may see: services, hours, address; never the contact person."""
    if pk is None:
        raise Http404
    try:
        point = ServicePoint.objects.active().select_related("unit").only(*PUBLIC_FIELDS).get(pk=pk)
    except ServicePoint.DoesNotExist as exc:
        raise Http404 from exc
    menu: list[ServiceKind] = []
    products: list[LocalProduct] = []
    services = None
    if point.kind == ServicePoint.Kind.RED_STATION:
        menu = list(point.menu.filter(is_active=True).order_by("sort_order", "pk"))
        products = list(
            point.products.select_related("origin").only(
                "name", "category", "first_secretary_pick", "origin__name", "point_id"
            )
        )
        services = RedStationService.objects.filter(
            point=point, served_at__gte=timezone.now() - dt.timedelta(days=365)
        ).count()
    rating = StarRating.objects.filter(point=point, is_current=True).order_by("-year").only("year", "stars").first()
    district = None
    if point.unit.level >= GridUnit.Level.DISTRICT:
        district = (
            GridUnit.objects.filter(path=point.unit.path[: GridUnit.Level.DISTRICT * PATH_STEP])
            .only("id", "name", "path")
            .first()
        )
    return PublicPointDetail(
        point=point, district=district, menu=menu, products=products, rating=rating, services_12_months=services
    )
