"""What every map page needs from the settings and the geography: the tile source and the display position.

Stored coordinates are WGS-84. Chinese tile providers draw in GCJ-02, so when the tiles are in GCJ-02
(`MAP_COORDINATE_SYSTEM`) a position is converted for display here and only here, by
`grids.geography` (the one tested conversion). The pages' scripts draw what they are given and never
convert; a tapped point goes back through the locate endpoint with its `crs`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

WGS84 = "wgs84"
GCJ02 = "gcj02"


@dataclass(frozen=True)
class MapConfig:
    tile_url: str
    tile_attribution: str
    crs: str

    @property
    def has_tiles(self) -> bool:
        return bool(self.tile_url)


def map_config() -> MapConfig:
    """The tile layer of every map (none when `MAP_TILE_URL` is empty: vectors on a plain ground)."""
    crs = (getattr(settings, "MAP_COORDINATE_SYSTEM", WGS84) or WGS84).lower().replace("-", "")
    return MapConfig(
        tile_url=getattr(settings, "MAP_TILE_URL", "") or "",
        tile_attribution=getattr(settings, "MAP_TILE_ATTRIBUTION", "") or "",
        crs=GCJ02 if crs == GCJ02 else WGS84,
    )


def display_position(lat: float | Decimal | None, lng: float | Decimal | None) -> list[float] | None:
    """A stored WGS-84 point as [lat, lng] in the tiles' system (6 decimals, about 0.1 m), None when unset."""
    if lat is None or lng is None:
        return None
    lat, lng = float(lat), float(lng)
    crs = map_config().crs
    if crs != WGS84:
        from grids.geography import to_display

        lat, lng = to_display(lat, lng, crs)
    return [round(lat, 6), round(lng, 6)]
