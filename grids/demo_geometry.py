"""Plausible nested boundaries for the demo city: pure functions of the tree's shape (no database).

Guilin's 17 county-level divisions as rectangles tiling the city's box (24.3–26.4° N, 109.6–111.5° E)
at their approximate real positions (the four urban districts and 雁山 in the middle, 临桂 to the west,
the counties around). Every unit below is a cell of its parent's box: the parent is cut into rows of
near-square cells (in kilometres), as many as it has children, so the children tile it exactly and share
edges to the last decimal (each edge is computed once, rounded to 6 places, and reused by both sides).
"""

from __future__ import annotations

import math
import random
from typing import NamedTuple

DECIMALS = 6


class Box(NamedTuple):
    south: float
    west: float
    north: float
    east: float


CITY_BOX = Box(24.3, 109.6, 26.4, 111.5)

# By district code (grids.demo_data.DISTRICTS): (south, west, north, east). They tile CITY_BOX.
DISTRICT_BOXES: dict[str, Box] = {
    "450302": Box(25.24, 110.15, 25.38, 110.27),  # 秀峰区: the old town, west of the Li river
    "450303": Box(25.24, 110.27, 25.38, 110.40),  # 叠彩区: north of the centre
    "450304": Box(25.15, 110.15, 25.24, 110.40),  # 象山区: south of the centre
    "450305": Box(25.15, 110.40, 25.38, 110.55),  # 七星区: east bank
    "450311": Box(24.95, 110.15, 25.15, 110.75),  # 雁山区: south of the city
    "450312": Box(24.95, 109.60, 25.60, 110.15),  # 临桂区: west
    "450321": Box(24.60, 110.15, 24.95, 110.75),  # 阳朔县: down the Li river
    "450323": Box(25.38, 110.15, 25.85, 110.55),  # 灵川县: north
    "450324": Box(25.85, 110.55, 26.40, 111.50),  # 全州县: far north-east
    "450325": Box(25.15, 110.55, 25.85, 111.05),  # 兴安县: north-east
    "450326": Box(24.30, 109.60, 24.95, 110.15),  # 永福县: south-west
    "450327": Box(25.15, 111.05, 25.85, 111.50),  # 灌阳县: east
    "450328": Box(25.60, 109.60, 26.40, 110.15),  # 龙胜各族自治县: north-west
    "450329": Box(25.85, 110.15, 26.40, 110.55),  # 资源县: north
    "450330": Box(24.30, 110.75, 24.70, 111.50),  # 平乐县: south-east
    "450332": Box(24.70, 110.75, 25.15, 111.50),  # 恭城瑶族自治县: south-east
    "450381": Box(24.30, 110.15, 24.60, 110.75),  # 荔浦市: south
}


def _km_aspect(box: Box) -> float:
    """Width over height of the box in kilometres."""
    middle = math.radians((box.south + box.north) / 2)
    return ((box.east - box.west) * math.cos(middle)) / (box.north - box.south)


def split(box: Box, count: int) -> list[Box]:
    """`count` cells tiling the box: rows of near-square cells, north-west first (rows even to within one)."""
    if count <= 0:
        return []
    rows = max(1, min(count, round(math.sqrt(count / _km_aspect(box)))))
    per_row = [count // rows + (1 if r < count % rows else 0) for r in range(rows)]
    lat_edges = [round(box.north - r * (box.north - box.south) / rows, DECIMALS) for r in range(rows + 1)]
    lat_edges[0], lat_edges[-1] = box.north, box.south
    cells = []
    for r, cols in enumerate(per_row):
        lng_edges = [round(box.west + c * (box.east - box.west) / cols, DECIMALS) for c in range(cols + 1)]
        lng_edges[0], lng_edges[-1] = box.west, box.east
        for c in range(cols):
            cells.append(Box(lat_edges[r + 1], lng_edges[c], lat_edges[r], lng_edges[c + 1]))
    return cells


def box_fields(box: Box) -> dict:
    """GridUnit's geography fields for a box (grids.geography.BOUNDARY_FIELDS): a rectangle needs no validation."""
    south, west, north, east = box
    return {
        "boundary": {
            "type": "Polygon",
            "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
        },
        "centroid_lat": round((south + north) / 2, DECIMALS),
        "centroid_lng": round((west + east) / 2, DECIMALS),
        "bbox_south": south,
        "bbox_west": west,
        "bbox_north": north,
        "bbox_east": east,
    }


def point_in(rng: random.Random, south: float, west: float, north: float, east: float) -> tuple[float, float]:
    """A random point well inside a box (a tenth of each side kept clear of the edges), to 6 places."""
    lat = south + (north - south) * (0.1 + 0.8 * rng.random())
    lng = west + (east - west) * (0.1 + 0.8 * rng.random())
    return round(lat, DECIMALS), round(lng, DECIMALS)
