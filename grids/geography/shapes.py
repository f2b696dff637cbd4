"""Boundaries as shapes: validation, the derived fields (centroid, box), nesting checks, simplification.

A boundary is a GeoJSON geometry, Polygon or MultiPolygon, positions [longitude, latitude] in WGS-84
(RFC 7946). Shapely (GEOS) does the geometry; this module turns its answers into the portal's rules and
messages. The management command `import_boundaries`, the spreadsheet import and the demo all call
these functions; none re-derives a rule.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely import make_valid
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

GEOMETRY_TYPES = ("Polygon", "MultiPolygon")
# Degrees of longitude/latitude: a few centimetres. Shared edges of neighbours drawn by different hands
# never match exactly; the nesting and overlap checks below allow this much (see their tolerances).
NESTING_TOLERANCE_M = 5.0  # a child may stick out of its parent by this many metres
OVERLAP_TOLERANCE = 0.01  # siblings may overlap by this share of the smaller one's area
METRES_PER_DEGREE = 111_320.0


def _check_ring(ring, where: str) -> list[str]:
    errors = []
    if not isinstance(ring, list) or len(ring) < 4:
        return [_("%(where)s：环至少需要 4 个坐标点（首尾相同）。") % {"where": where}]
    for position in ring:
        if not (isinstance(position, list | tuple) and len(position) >= 2):
            return [_("%(where)s：坐标点应为 [经度, 纬度]。") % {"where": where}]
        lng, lat = position[0], position[1]
        if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in (lng, lat)):
            return [_("%(where)s：坐标应为数字。") % {"where": where}]
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            return [_("%(where)s：坐标超出范围（经度 -180…180，纬度 -90…90）。") % {"where": where}]
    if list(ring[0][:2]) != list(ring[-1][:2]):
        errors.append(_("%(where)s：环未闭合（首尾坐标应相同）。") % {"where": where})
    return errors


def validate_geometry(geometry) -> BaseGeometry:
    """The boundary as a Shapely geometry, or ValidationError listing every problem (closed rings, validity)."""
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_TYPES:
        raise ValidationError(_("边界应为 GeoJSON 的 Polygon 或 MultiPolygon。"), code="geometry_type")
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if geometry["type"] == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        raise ValidationError(_("边界没有坐标。"), code="geometry_empty")
    errors: list[str] = []
    for p, polygon in enumerate(polygons, start=1):
        if not isinstance(polygon, list) or not polygon:
            errors.append(_("第 %(n)d 个多边形没有环。") % {"n": p})
            continue
        for r, ring in enumerate(polygon, start=1):
            where = _("第 %(p)d 个多边形第 %(r)d 个环") % {"p": p, "r": r}
            errors.extend(_check_ring(ring, where))
    if errors:
        raise ValidationError(errors, code="geometry_rings")
    shaped = shape(geometry)
    if not shaped.is_valid:
        raise ValidationError(
            _("边界不是有效的多边形：%(why)s") % {"why": explain_validity(shaped)}, code="geometry_invalid"
        )
    if shaped.is_empty or shaped.area <= 0:
        raise ValidationError(_("边界面积为零。"), code="geometry_empty")
    return shaped


def boundary_fields(geometry: dict | None) -> dict:
    """The model fields a boundary sets (boundary, centroid, bounding box); all None for no boundary.

    The one writer of GridUnit's geography fields: `GridUnit.objects.bulk_update(units, BOUNDARY_FIELDS)`
    after `setattr` of these on each unit.
    """
    if geometry is None:
        return dict.fromkeys(BOUNDARY_FIELDS)
    shaped = validate_geometry(geometry)
    west, south, east, north = shaped.bounds
    centre = shaped.representative_point() if not shaped.centroid.within(shaped) else shaped.centroid
    return {
        "boundary": {"type": geometry["type"], "coordinates": geometry["coordinates"]},
        "centroid_lat": round(centre.y, 6),
        "centroid_lng": round(centre.x, 6),
        "bbox_south": south,
        "bbox_west": west,
        "bbox_north": north,
        "bbox_east": east,
    }


BOUNDARY_FIELDS = ("boundary", "centroid_lat", "centroid_lng", "bbox_south", "bbox_west", "bbox_north", "bbox_east")


def rectangle(south: float, west: float, north: float, east: float) -> dict:
    """A GeoJSON Polygon of a box (counter-clockwise outer ring, as RFC 7946 asks)."""
    return {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }


# -- nesting: each child inside its parent, siblings not overlapping ---------------------------------


@dataclass(frozen=True)
class Refusal:
    """One boundary refused, with why: what `import_boundaries` and the spreadsheet import report."""

    code: str
    reason: str


def _metres_to_degrees(metres: float, latitude: float) -> float:
    # The tolerance buffer is in degrees; use the smaller (east-west) degree so it never exceeds `metres`.
    return metres / (METRES_PER_DEGREE * max(0.2, math.cos(math.radians(latitude))))


def outside_parent(child: BaseGeometry, parent: BaseGeometry, *, tolerance_m: float = NESTING_TOLERANCE_M) -> bool:
    """True when the child sticks out of the parent by more than the tolerance (metres)."""
    margin = _metres_to_degrees(tolerance_m, parent.centroid.y) * 0.999
    return not parent.buffer(margin).covers(child)


def overlap_share(a: BaseGeometry, b: BaseGeometry) -> float:
    """The area two shapes share, as a share of the smaller one (0 when they only touch)."""
    if not a.intersects(b):
        return 0.0
    shared = a.intersection(b).area
    smaller = min(a.area, b.area)
    return shared / smaller if smaller else 0.0


def check_siblings(
    shapes: dict[str, BaseGeometry], *, tolerance: float = OVERLAP_TOLERANCE
) -> list[tuple[str, str, float]]:
    """Pairs of sibling codes overlapping beyond the tolerance, with the share; an STRtree finds candidates."""
    from shapely import STRtree

    codes = list(shapes)
    geometries = [shapes[c] for c in codes]
    tree = STRtree(geometries)
    found = []
    for i, j in zip(*tree.query(geometries, predicate="intersects"), strict=True):
        if i < j:
            share = overlap_share(geometries[i], geometries[j])
            if share > tolerance:
                found.append((codes[i], codes[j], share))
    return sorted(found)


# -- simplification for maps -----------------------------------------------------------------------

MAX_ZOOM = 18


def zoom_tolerance(zoom: int) -> float:
    """Degrees a screen pixel covers at this zoom (256-px Web-Mercator tiles): detail below it is invisible."""
    zoom = max(0, min(MAX_ZOOM, int(zoom)))
    return 360.0 / (256 * 2**zoom)


def zoom_decimals(zoom: int) -> int:
    """Decimals that keep positions exact to about a pixel at this zoom (fewer bytes served)."""
    return max(3, min(6, math.ceil(-math.log10(zoom_tolerance(zoom)))))


def _round_positions(coordinates, decimals: int):
    if coordinates and isinstance(coordinates[0], int | float):
        return [round(coordinates[0], decimals), round(coordinates[1], decimals)]
    return [_round_positions(c, decimals) for c in coordinates]


def simplify_for_zoom(geometry: dict, zoom: int) -> dict:
    """The boundary simplified to a pixel at this zoom (topology kept), positions rounded to match."""
    if geometry["type"] == "Polygon" and len(geometry["coordinates"]) == 1 and len(geometry["coordinates"][0]) <= 5:
        # A triangle or quadrilateral (the demo's boxes, most imported zones) has nothing to drop: only round.
        return {"type": "Polygon", "coordinates": _round_positions(geometry["coordinates"], zoom_decimals(zoom))}
    shaped = shape(geometry)
    simpler = shaped.simplify(zoom_tolerance(zoom), preserve_topology=True)
    if simpler.is_empty:
        simpler = shaped.envelope
    if not simpler.is_valid:
        simpler = make_valid(simpler)
    out = mapping(simpler)
    if out["type"] not in GEOMETRY_TYPES:  # make_valid may give a collection: keep its polygons
        polygons = [g for g in getattr(simpler, "geoms", []) if g.geom_type in GEOMETRY_TYPES]
        out = mapping(polygons[0]) if polygons else mapping(shaped.envelope)
    return {"type": out["type"], "coordinates": _round_positions(_as_lists(out["coordinates"]), zoom_decimals(zoom))}


def _as_lists(coordinates):
    if isinstance(coordinates, tuple | list) and coordinates and isinstance(coordinates[0], int | float):
        return list(coordinates)
    return [_as_lists(c) for c in coordinates]


def union_bounds(boxes: Iterable[tuple[float, float, float, float]]) -> tuple[float, float, float, float] | None:
    """(south, west, north, east) around every box given; None for none."""
    boxes = list(boxes)
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
