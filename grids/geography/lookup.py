"""Which units contain a point: a bounding-box prefilter in SQL, then the exact test in Shapely.

One query whatever the tree's size (the box columns are indexed, the jurisdiction is the viewer's
path ranges), then point-in-polygon on the few candidates. A point on a shared edge lies in both
neighbours (`covers`); a point in a hole lies in neither. See tests/geography/.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely import Point
from shapely.geometry import shape

from grids.jurisdiction import scope
from grids.models import GridUnit
from grids.viewer import Viewer

LOOKUP_FIELDS = ("id", "code", "name", "level", "path", "parent_id", "boundary")


def parse_point(
    lat: Any, lng: Any, *, lat_field: str = "latitude", lng_field: str = "longitude"
) -> tuple[float, float]:
    """A WGS-84 point from input, or ValidationError naming the field (a dict keyed by field name)."""
    errors = {}
    values = {}
    for field, raw, limit in ((lat_field, lat, 90), (lng_field, lng, 180)):
        try:
            value = float(str(raw).strip())
        except (TypeError, ValueError):
            errors[field] = [_("应为十进制度数。")]
            continue
        if not math.isfinite(value) or not -limit <= value <= limit:
            errors[field] = [_("超出范围（-%(limit)d 至 %(limit)d）。") % {"limit": limit}]
            continue
        values[field] = value
    if errors:
        raise ValidationError(errors)
    return values[lat_field], values[lng_field]


def parse_lat_lng_pair(text: str, *, field: str = "contains") -> tuple[float, float]:
    """ "<lat>,<lng>" (a query parameter) as a point, or ValidationError naming `field`."""
    parts = str(text or "").split(",")
    if len(parts) != 2:
        raise ValidationError({field: [_("应为“纬度,经度”，例如 25.27,110.29。")]})
    try:
        return parse_point(parts[0], parts[1])
    except ValidationError as exc:
        raise ValidationError({field: [m for ms in exc.message_dict.values() for m in ms]}) from exc


def candidates(viewer: Viewer | Any, lat: float, lng: float, level: int | Iterable[int] | None = None):
    """Units in the viewer's jurisdiction whose box holds the point (the SQL half; one query when read)."""
    queryset = GridUnit.objects.filter(bbox_south__lte=lat, bbox_north__gte=lat, bbox_west__lte=lng, bbox_east__gte=lng)
    if level is not None:
        levels = [level] if isinstance(level, int) else list(level)
        queryset = queryset.filter(level__in=levels)
    return scope(queryset, viewer, unit_field=None).only(*LOOKUP_FIELDS).order_by("level", "path")


def units_containing(
    viewer: Viewer | Any, lat: float, lng: float, level: int | Iterable[int] | None = None
) -> list[GridUnit]:
    """Units in the viewer's jurisdiction whose boundary covers the point (edges included), top level first.

    One query (the box prefilter, scoped) and the exact test in Shapely; units without a boundary are
    never found.
    """
    point = Point(lng, lat)
    return [unit for unit in candidates(viewer, lat, lng, level) if shape(unit.boundary).covers(point)]


def suggest_micro_grid(viewer: Viewer | Any, lat: float, lng: float) -> GridUnit | None:
    """The deepest micro-grid (片区, 小区 or 责任区) of the viewer's that covers the point, or None.

    On a shared edge two neighbours cover it: the first in tree order is suggested (stable).
    """
    found = units_containing(viewer, lat, lng, level=range(GridUnit.Level.AREA, GridUnit.Level.ZONE + 1))
    if not found:
        return None
    deepest = max(unit.level for unit in found)
    return next(unit for unit in found if unit.level == deepest)


def unit_covers(unit: GridUnit, lat: float, lng: float) -> bool | None:
    """Whether this unit's boundary covers the point; None when the unit has no boundary (cannot tell)."""
    if not unit.boundary:
        return None
    return shape(unit.boundary).covers(Point(lng, lat))


def point_for_unit(viewer: Viewer | Any, unit: GridUnit, lat: Any, lng: Any) -> tuple[float, float]:
    """The point where something is logged in `unit`, checked: it parses, and when the unit has a boundary it
    lies in it. Else ValidationError naming the field: `unit` when another micro-grid of the viewer's holds the
    point (named as the suggestion), `latitude` when none does. One query, only when the unit has a boundary.

    A unit without a boundary cannot tell where it lies: the point is then kept as given.
    """
    lat, lng = parse_point(lat, lng)
    if not unit.boundary or shape(unit.boundary).covers(Point(lng, lat)):
        return lat, lng
    suggestion = suggest_micro_grid(viewer, lat, lng)
    if suggestion is None:
        raise ValidationError({"latitude": [_("该位置不在您负责的任何网格内。")]}, code="point_outside")
    raise ValidationError(
        {"unit": [_("所选网格不包含该位置；该位置在“%(name)s”。") % {"name": suggestion.name}]},
        code="point_in_other_unit",
    )
