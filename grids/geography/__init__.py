"""Geography of the grid: boundaries, points, maps. See README, "Geography", and docs/integration.md.

- `crs`: WGS-84 ↔ GCJ-02, the one conversion each way (display time only).
- `shapes`: validating a boundary, the fields it sets (centroid, box), nesting checks, simplification.
- `lookup`: which units contain a point (box prefilter in SQL, exact test in Shapely).
- `maps`: what the map pages read (GeoJSON per zoom, "locate" a tap).
- `precision`: how exactly a stored point is shown to each audience.
"""

from .crs import Crs, display_crs, from_display, gcj02_to_wgs84, geometry_to_display, to_display, wgs84_to_gcj02
from .lookup import (
    parse_lat_lng_pair,
    parse_point,
    point_for_unit,
    suggest_micro_grid,
    unit_covers,
    units_containing,
)
from .precision import Precision, shown, shown_point
from .shapes import (
    BOUNDARY_FIELDS,
    Refusal,
    boundary_fields,
    check_siblings,
    outside_parent,
    overlap_share,
    rectangle,
    simplify_for_zoom,
    validate_geometry,
    zoom_tolerance,
)

__all__ = [
    "BOUNDARY_FIELDS",
    "Crs",
    "Precision",
    "Refusal",
    "boundary_fields",
    "check_siblings",
    "display_crs",
    "from_display",
    "gcj02_to_wgs84",
    "geometry_to_display",
    "outside_parent",
    "overlap_share",
    "parse_lat_lng_pair",
    "parse_point",
    "point_for_unit",
    "rectangle",
    "shown",
    "shown_point",
    "simplify_for_zoom",
    "suggest_micro_grid",
    "to_display",
    "unit_covers",
    "units_containing",
    "validate_geometry",
    "wgs84_to_gcj02",
    "zoom_tolerance",
]
