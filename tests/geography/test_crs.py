"""WGS-84 ↔ GCJ-02 against published reference points (googollee/eviltransform's test table, MIT)."""

import math

import pytest

from grids.geography import (
    Crs,
    from_display,
    gcj02_to_wgs84,
    geometry_to_display,
    rectangle,
    to_display,
    wgs84_to_gcj02,
)

# (WGS-84 lat, lng) → (GCJ-02 lat, lng), as published with eviltransform's tests.
REFERENCE = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
]


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Equirectangular distance: exact enough at the metre scale."""
    dlat = math.radians(b[0] - a[0])
    dlng = math.radians(b[1] - a[1]) * math.cos(math.radians((a[0] + b[0]) / 2))
    return 6_371_000 * math.hypot(dlat, dlng)


@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE)
def test_forward_matches_reference_within_a_metre(wgs, gcj):
    assert metres_between(wgs84_to_gcj02(*wgs), gcj) < 1.0


@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE)
def test_inverse_matches_reference_within_a_metre(wgs, gcj):
    assert metres_between(gcj02_to_wgs84(*gcj), wgs) < 1.0


def test_the_shift_is_real_in_guilin_and_round_trips():
    guilin = (25.2736, 110.2900)
    shifted = wgs84_to_gcj02(*guilin)
    # GCJ-02 moves Guilin by hundreds of metres: a map drawn without converting would misplace every pin.
    assert 100 < metres_between(guilin, shifted) < 1000
    assert metres_between(gcj02_to_wgs84(*shifted), guilin) < 0.01


def test_outside_china_nothing_moves():
    assert wgs84_to_gcj02(48.8584, 2.2945) == (48.8584, 2.2945)
    assert gcj02_to_wgs84(48.8584, 2.2945) == (48.8584, 2.2945)


def test_display_conversion_follows_the_named_system():
    point = (25.2736, 110.29)
    assert to_display(*point, Crs.WGS84) == point
    assert to_display(*point, Crs.GCJ02) == wgs84_to_gcj02(*point)
    assert metres_between(from_display(*to_display(*point, Crs.GCJ02), Crs.GCJ02), point) < 0.01
    box = rectangle(25.0, 110.0, 25.1, 110.1)
    assert geometry_to_display(box, Crs.WGS84) is box
    moved = geometry_to_display(box, Crs.GCJ02)
    lng, lat = moved["coordinates"][0][0]
    assert metres_between((lat, lng), wgs84_to_gcj02(25.0, 110.0)) < 1e-6
