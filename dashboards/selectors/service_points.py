"""Service-network figures for a unit's subtree: the service_centers app's own overview (points by kind
and level with floor areas, per child unit, workstation compliance, red-station months, jobs, stars),
plus the red stations' services in the chosen period, counted live from their log (index on point, time).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, DateField, F
from django.db.models.functions import TruncMonth
from django.utils import timezone

from grids.models import GridUnit
from grids.viewer import Viewer
from service_centers.models import RedStationService, ServiceKind, ServicePoint
from service_centers.selectors import NetworkOverview, WorkstationCompliance, network_overview, workstation_compliance

from ..periods import Period
from .common import OWN, child_key, in_subtree

GROUPS = ("kind", "child", "month")

PUBLIC_SELECTORS_WITHOUT_VIEWER = {
    "service_kinds": "the red stations' menu items: reference data, the same for every viewer",
}


def network(*, viewer: Viewer, unit: GridUnit) -> NetworkOverview:
    """The service_centers overview of the unit (404 outside the viewer's jurisdiction): about ten queries."""
    return network_overview(viewer=viewer, unit=unit)


def workstations(*, viewer: Viewer, unit: GridUnit, year: int) -> list[WorkstationCompliance]:
    """Each workstation of the subtree against the year's duties (the service_centers rule): three queries."""
    return workstation_compliance(viewer=viewer, unit=unit, year=year)


def red_station_services(*, unit: GridUnit, period: Period, group_by: str | None = None) -> dict[Any, int]:
    """Services given at the red stations of the subtree in the period: in total (key None), per menu
    item id (`service`), per child path or per month. One query."""
    services = in_subtree(
        RedStationService.objects.filter(point__kind=ServicePoint.Kind.RED_STATION), unit, "point__unit"
    ).filter(served_at__gte=period.start_at, served_at__lt=period.end_at)
    if group_by is None:
        return {None: services.count()}
    if group_by == "service":
        key: Any = F("service_kind_id")
    elif group_by == "child":
        key = child_key(unit, "point__unit__path")
    elif group_by == "month":
        key = TruncMonth("served_at", tzinfo=timezone.get_current_timezone(), output_field=DateField())
    else:
        raise ValueError(group_by)
    rows = services.annotate(k=key).values("k").annotate(n=Count("pk")).order_by()
    result = {}
    for row in rows:
        k = row["k"]
        if group_by == "child" and len(k) <= len(unit.path):
            k = OWN
        result[k] = result.get(k, 0) + row["n"]
    return result


def service_kinds() -> dict[int, ServiceKind]:
    """The red stations' menu items by id: one query."""
    return {kind.pk: kind for kind in ServiceKind.objects.order_by("sort_order", "pk")}
