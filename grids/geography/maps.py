"""What the map pages read: boundaries as GeoJSON for a zoom, and "where am I" for a point.

Coordinates leave in the configured display system (MAP_COORDINATE_SYSTEM) and come back from a tap in
it; both conversions happen here, with grids.geography.crs, and nowhere else on the server.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from grids.jurisdiction import scope
from grids.models import GridUnit
from grids.viewer import Viewer

from .crs import Crs, display_crs, from_display, geometry_to_display, to_display
from .lookup import parse_point, suggest_micro_grid
from .shapes import MAX_ZOOM, simplify_for_zoom

DEFAULT_ZOOM = 12


def parse_map_query(unit: GridUnit, level: Any, zoom: Any) -> tuple[int, int]:
    """The map request's level (the unit's own or below; default its children's) and zoom, or ValidationError."""
    errors = {}
    try:
        level = int(level) if level not in (None, "") else min(unit.level + 1, GridUnit.Level.ZONE)
        if not unit.level <= level <= GridUnit.Level.ZONE:
            raise ValueError
    except (TypeError, ValueError):
        errors["level"] = [_("层级应在 %(low)d 到 %(high)d 之间。") % {"low": unit.level, "high": GridUnit.Level.ZONE}]
    try:
        zoom = int(zoom) if zoom not in (None, "") else DEFAULT_ZOOM
        if not 0 <= zoom <= MAX_ZOOM:
            raise ValueError
    except (TypeError, ValueError):
        errors["zoom"] = [_("缩放级别应在 0 到 %(max)d 之间。") % {"max": MAX_ZOOM}]
    if errors:
        raise ValidationError(errors)
    return level, zoom


def parse_viewport(value: Any, crs: str | None = None) -> tuple[float, float, float, float] | None:
    """`west,south,east,north` of the map's window (in the display system) as a WGS-84 (south, west, north,
    east) box, or None when not given; ValidationError naming `bbox` when malformed."""
    if value in (None, ""):
        return None
    try:
        west, south, east, north = (float(part) for part in str(value).split(","))
        if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
            raise ValueError
    except ValueError as error:
        raise ValidationError({"bbox": [_("应为“西,南,东,北”的经纬度。")]}) from error
    crs = crs or display_crs()
    # GCJ-02 shifts by well under 0.01°: convert the corners and keep a margin so nothing at the edge is lost.
    (south, west), (north, east) = from_display(south, west, crs), from_display(north, east, crs)
    margin = 0.01 if crs == Crs.GCJ02 else 0.0
    return south - margin, west - margin, north + margin, east + margin


def boundary_features(
    viewer: Viewer | Any,
    unit: GridUnit,
    *,
    level: int,
    zoom: int,
    crs: str | None = None,
    viewport: tuple[float, float, float, float] | None = None,
) -> dict:
    """The unit's units at `level` (itself when it is its own level) inside the viewer's jurisdiction, as a
    GeoJSON FeatureCollection simplified for the zoom and in the display system. One query.

    Units without a boundary are left out; `viewport` (south, west, north, east in WGS-84) keeps only the
    units whose box meets the map's window; `bbox` is [west, south, east, north] of what is drawn.
    """
    crs = crs or display_crs()
    queryset = scope(GridUnit.objects.subtree_of(unit).filter(level=level), viewer, unit_field=None)
    if viewport is not None:
        south, west, north, east = viewport
        queryset = queryset.filter(
            bbox_north__gte=south, bbox_south__lte=north, bbox_east__gte=west, bbox_west__lte=east
        )
    rows = (
        queryset.filter(boundary__isnull=False)
        .order_by("path")
        .values_list("id", "code", "name", "level", "boundary", "bbox_south", "bbox_west", "bbox_north", "bbox_east")
    )
    features = []
    south = west = float("inf")
    north = east = float("-inf")
    for pk, code, name, unit_level, boundary, b_south, b_west, b_north, b_east in rows:
        features.append(
            {
                "type": "Feature",
                "id": pk,
                "geometry": geometry_to_display(simplify_for_zoom(boundary, zoom), crs),
                "properties": {"id": pk, "code": code, "name": name, "level": unit_level},
            }
        )
        south, west, north, east = min(south, b_south), min(west, b_west), max(north, b_north), max(east, b_east)
    bbox = None
    if features:
        (s, w), (n, e) = to_display(south, west, crs), to_display(north, east, crs)
        bbox = [round(w, 6), round(s, 6), round(e, 6), round(n, 6)]
    return {"type": "FeatureCollection", "crs_name": crs, "bbox": bbox, "features": features}


def locate(viewer: Viewer | Any, lat: Any, lng: Any, crs: str | None = None) -> dict:
    """A point from a map (in `crs`, default the display system) back in WGS-84 and the viewer's micro-grid
    that covers it: {latitude, longitude, display: [lat, lng] in the display system, micro_grid: {id, code,
    name} | None, error}.

    Bad input raises ValidationError naming `lat`/`lng`/`crs`; a point outside every micro-grid of the
    viewer answers micro_grid None with the error text to show.
    """
    crs = crs or display_crs()
    if crs not in tuple(Crs):
        raise ValidationError({"crs": [_("坐标系应为 wgs84 或 gcj02。")]})
    lat, lng = parse_point(lat, lng, lat_field="lat", lng_field="lng")
    lat, lng = from_display(lat, lng, crs)
    unit = suggest_micro_grid(viewer, lat, lng)
    shown_lat, shown_lng = to_display(lat, lng, display_crs())
    return {
        "latitude": round(lat, 6),
        "longitude": round(lng, 6),
        # The same point in the map's system (MAP_COORDINATE_SYSTEM), to draw a GPS fix on its tiles.
        "display": [round(shown_lat, 6), round(shown_lng, 6)],
        "micro_grid": None if unit is None else {"id": unit.pk, "code": unit.code, "name": unit.name},
        "error": "" if unit is not None else _("该位置不在您负责的任何网格内。"),
    }
