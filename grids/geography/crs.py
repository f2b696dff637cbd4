"""WGS-84 ↔ GCJ-02: the one conversion each way (display time only; stored points are WGS-84).

Chinese tile providers (Amap/高德, Tencent, Google's China tiles) draw in GCJ-02, the "Mars" datum
of GB 20263: WGS-84 shifted by a published, deterministic obfuscation (hundreds of metres, varying
smoothly). 天地图 and OpenStreetMap draw in WGS-84 (CGCS2000, within centimetres), needing none.

The forward formula is the widely published one (Krasovsky ellipsoid a = 6378245 m, e² below); the
inverse has no closed form and is found by fixed-point iteration until the forward image of the answer
lies within 1e-9 degrees (millimetres) of the given point. Outside China the datum is not shifted.
Tests check both against published reference points (tests/geography/test_crs.py).
"""

from __future__ import annotations

import math
from enum import StrEnum

_A = 6378245.0  # semi-major axis of the Krasovsky 1940 ellipsoid, as used by GCJ-02
_EE = 0.00669342162296594323  # its first eccentricity squared


class Crs(StrEnum):
    WGS84 = "wgs84"
    GCJ02 = "gcj02"


def _out_of_china(lat: float, lng: float) -> bool:
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _shift(lat: float, lng: float) -> tuple[float, float]:
    """GCJ-02 minus WGS-84 at a WGS-84 point, in degrees (dlat, dlng)."""
    x, y = lng - 105.0, lat - 35.0
    common = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x)) + common
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    dlng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x)) + common
    dlng += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlng += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return dlat, dlng


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    """A WGS-84 point (latitude, longitude) as GCJ-02; unchanged outside China."""
    if _out_of_china(lat, lng):
        return lat, lng
    dlat, dlng = _shift(lat, lng)
    return lat + dlat, lng + dlng


def gcj02_to_wgs84(lat: float, lng: float) -> tuple[float, float]:
    """A GCJ-02 point (a tap on a Chinese tile map) back to WGS-84, to millimetres (the exact inverse)."""
    if _out_of_china(lat, lng):
        return lat, lng
    wgs_lat, wgs_lng = lat, lng
    for _step in range(30):
        gcj_lat, gcj_lng = wgs84_to_gcj02(wgs_lat, wgs_lng)
        err_lat, err_lng = gcj_lat - lat, gcj_lng - lng
        if abs(err_lat) < 1e-9 and abs(err_lng) < 1e-9:
            break
        wgs_lat, wgs_lng = wgs_lat - err_lat, wgs_lng - err_lng
    return wgs_lat, wgs_lng


def to_display(lat: float, lng: float, crs: str) -> tuple[float, float]:
    """A stored (WGS-84) point in the map's coordinate system."""
    return wgs84_to_gcj02(lat, lng) if crs == Crs.GCJ02 else (lat, lng)


def from_display(lat: float, lng: float, crs: str) -> tuple[float, float]:
    """A point in the map's coordinate system (a tap) back to WGS-84 for storing."""
    return gcj02_to_wgs84(lat, lng) if crs == Crs.GCJ02 else (lat, lng)


def display_crs() -> str:
    """The configured display system (setting MAP_COORDINATE_SYSTEM)."""
    from django.conf import settings

    return Crs(getattr(settings, "MAP_COORDINATE_SYSTEM", Crs.WGS84) or Crs.WGS84).value


def geometry_to_display(geometry: dict, crs: str) -> dict:
    """A GeoJSON geometry (lng, lat positions) converted for display; a copy, WGS-84 returned as is."""
    if crs != Crs.GCJ02:
        return geometry

    def ring(positions):
        return [list(reversed(wgs84_to_gcj02(lat, lng))) for lng, lat, *_rest in positions]

    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(r) for r in geometry["coordinates"]]}
    return {"type": "MultiPolygon", "coordinates": [[ring(r) for r in poly] for poly in geometry["coordinates"]]}
