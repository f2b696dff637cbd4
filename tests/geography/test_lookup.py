"""Which units contain a point: edges, holes, outside every grid, the jurisdiction, at most two queries.

A small tree of its own, with hand-made boundaries:

    city C  (25.0–25.4 N, 110.0–110.4 E)
      district D1 (west half), D2 (east half)
        D1 → area A1 (south half of D1, with a hole 25.05–25.15 N, 110.05–110.15 E), A2 (north half of D1)
        D2 → area A3 (all of D2)
"""

import pytest
from django.core.exceptions import ValidationError

from grids.geography import (
    BOUNDARY_FIELDS,
    boundary_fields,
    parse_lat_lng_pair,
    parse_point,
    rectangle,
    suggest_micro_grid,
    units_containing,
)
from grids.models import GridUnit, Post, User
from grids.viewer import Viewer
from tests.grids.factories import unit


def _with_boundary(grid: GridUnit, geometry: dict) -> GridUnit:
    for name, value in boundary_fields(geometry).items():
        setattr(grid, name, value)
    GridUnit.objects.bulk_update([grid], BOUNDARY_FIELDS)
    return grid


def _holed(south, west, north, east, hole):
    outer = rectangle(south, west, north, east)["coordinates"][0]
    inner = list(reversed(rectangle(*hole)["coordinates"][0]))
    return {"type": "Polygon", "coordinates": [outer, inner]}


@pytest.fixture
def tree(db):
    city = _with_boundary(unit(None, name="几何市"), rectangle(25.0, 110.0, 25.4, 110.4))
    d1 = _with_boundary(unit(city, name="西区"), rectangle(25.0, 110.0, 25.4, 110.2))
    d2 = _with_boundary(unit(city, name="东区"), rectangle(25.0, 110.2, 25.4, 110.4))
    s1, s2 = unit(d1), unit(d2)  # streets and communities without boundaries: the lookup skips them
    c1, c2 = unit(s1), unit(s2)
    a1 = _with_boundary(unit(c1, name="南片"), _holed(25.0, 110.0, 25.2, 110.2, (25.05, 110.05, 25.15, 110.15)))
    a2 = _with_boundary(unit(c1, name="北片"), rectangle(25.2, 110.0, 25.4, 110.2))
    a3 = _with_boundary(unit(c2, name="东片"), rectangle(25.0, 110.2, 25.4, 110.4))
    return {"city": city, "d1": d1, "d2": d2, "a1": a1, "a2": a2, "a3": a3, "c1": c1}


def _worker_of(*units: GridUnit) -> Viewer:
    user = User.objects.create(username=f"geo_worker_{units[0].pk}")
    for grid in units:
        Post.objects.create(user=user, unit=grid, role=Post.Role.GRID_WORKER)
    return Viewer.for_user(user)


def names(units) -> list[str]:
    return [u.name for u in units]


def test_a_point_inside_finds_each_level_top_first(tree):
    assert names(units_containing(Viewer.system(), 25.3, 110.1)) == ["几何市", "西区", "北片"]


def test_a_point_on_a_shared_edge_lies_in_both_neighbours(tree):
    # 110.2 E is the edge between the districts and between 南片/北片's east side and 东片.
    found = names(units_containing(Viewer.system(), 25.3, 110.2))
    assert found == ["几何市", "西区", "东区", "北片", "东片"]
    # 25.2 N is the edge between 南片 and 北片; the suggestion is stable (first in tree order).
    assert suggest_micro_grid(Viewer.system(), 25.2, 110.1) == tree["a1"]


def test_a_point_in_a_hole_is_not_in_the_holed_unit(tree):
    assert names(units_containing(Viewer.system(), 25.1, 110.1)) == ["几何市", "西区"]
    assert suggest_micro_grid(Viewer.system(), 25.1, 110.1) is None
    # On the hole's rim the unit still covers it.
    assert "南片" in names(units_containing(Viewer.system(), 25.05, 110.1))


def test_a_point_outside_every_grid_finds_nothing(tree):
    assert units_containing(Viewer.system(), 24.9, 110.1) == []
    assert units_containing(Viewer.system(), 25.2, 110.5) == []
    assert suggest_micro_grid(Viewer.system(), 26.0, 111.0) is None


def test_the_level_filter(tree):
    assert names(units_containing(Viewer.system(), 25.3, 110.3, level=GridUnit.Level.DISTRICT)) == ["东区"]


def test_only_the_viewers_jurisdiction_is_searched(tree):
    worker = _worker_of(tree["a1"])
    assert names(units_containing(worker, 25.1, 110.01)) == ["南片"]
    assert units_containing(worker, 25.3, 110.3) == []  # 东片 exists, but is not theirs
    assert suggest_micro_grid(worker, 25.3, 110.3) is None
    assert suggest_micro_grid(worker, 25.01, 110.01) == tree["a1"]
    # Nobody at all sees nothing.
    assert units_containing(Viewer.anonymous(), 25.1, 110.01) == []


def test_the_lookup_is_one_query_whatever_the_tree(tree, django_assert_max_num_queries):
    worker = _worker_of(tree["a1"], tree["a2"])
    worker.standing  # noqa: B018 (the Viewer's own query, once per request)
    with django_assert_max_num_queries(1):
        assert suggest_micro_grid(worker, 25.3, 110.1) == tree["a2"]
    # More micro-grids with boundaries: still one query.
    for i in range(20):
        _with_boundary(unit(tree["c1"]), rectangle(25.2 + i * 0.001, 110.0, 25.201 + i * 0.001, 110.001))
    with django_assert_max_num_queries(1):
        units_containing(Viewer.system(), 25.2005, 110.0005)


@pytest.mark.parametrize(
    ("lat", "lng", "field"),
    [("abc", "110", "latitude"), ("91", "110", "latitude"), ("25", "181", "longitude"), ("nan", "1", "latitude")],
)
def test_bad_points_name_the_field(lat, lng, field):
    with pytest.raises(ValidationError) as caught:
        parse_point(lat, lng)
    assert field in caught.value.message_dict


def test_a_pair_parses_or_names_its_parameter():
    assert parse_lat_lng_pair("25.27, 110.29") == (25.27, 110.29)
    for bad in ("25.27", "a,b", "25,200", ""):
        with pytest.raises(ValidationError) as caught:
            parse_lat_lng_pair(bad)
        assert list(caught.value.message_dict) == ["contains"]
