"""Getting to a service point: the distance from the visitor and links that open the phone's map app.

Both apps accept WGS-84, the system the points are stored in, when told so (`coordinate=wgs84` for
Amap's URI API, `coord_type=wgs84` for Baidu's), so the links carry the stored position unconverted and
the app shifts it for its own tiles (GCJ-02 for Amap, BD-09 for Baidu).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

EARTH_RADIUS_M = 6_371_008.8  # the mean radius (IUGG)
BAIDU_SOURCE = "webapp.guilin.gridportal"  # Baidu's URI API asks each caller to name itself (src)


@dataclass(frozen=True)
class NavLink:
    app: str  # "amap" or "baidu"
    url: str


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The great-circle (haversine) distance in metres between two WGS-84 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def navigation_links(*, name: str, lat: float | Decimal | None, lng: float | Decimal | None) -> list[NavLink]:
    """Amap and Baidu marker links for a point (none when it has no position). On a phone with the app
    installed the page hands over to it; elsewhere the map opens in the browser."""
    if lat is None or lng is None:
        return []
    lat_s, lng_s = f"{float(lat):.6f}", f"{float(lng):.6f}"
    amap = "https://uri.amap.com/marker?" + urlencode(
        {"position": f"{lng_s},{lat_s}", "name": name, "coordinate": "wgs84", "callnative": "1"}
    )
    baidu = "https://api.map.baidu.com/marker?" + urlencode(
        {
            "location": f"{lat_s},{lng_s}",
            "title": name,
            "content": name,
            "coord_type": "wgs84",
            "output": "html",
            "src": BAIDU_SOURCE,
        }
    )
    return [NavLink("amap", amap), NavLink("baidu", baidu)]


def parse_near(text: str | None) -> tuple[float, float] | None:
    """'lat,lng' from the query string (the browser's position, WGS-84), or None when absent or not a point."""
    if not text:
        return None
    parts = text.split(",")
    if len(parts) != 2:
        return None
    try:
        lat, lng = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    if not (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return lat, lng
