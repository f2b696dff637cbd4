"""Which units contain a point: edges, holes, outside every grid, the jurisdiction, at most two queries.

A small tree of its own, with hand-made boundaries:

    city C  (35.0–35.4 N, 100.0–100.4 E)
      district D1 (west half), D2 (east half)
        D1 → area A1 (south half of D1, with a hole 35.05–35.15 N, 100.05–100.15 E), A2 (north half of D1)
        D2 → area A3 (all of D2)
"""

import pytest
from django.core.exceptions import ValidationError

from grids.geography import parse_lat_lng_pair, parse_point, rectangle, suggest_micro_grid, units_containing
from grids.models import GridUnit
from grids.viewer import Viewer
from tests.geography.conftest import with_boundary, worker_of
from tests.grids.factories import unit


def names(units) -> list[str]:
    return [u.name for u in units]


def test_a_point_inside_finds_each_level_top_first(tree):
    assert names(units_containing(Viewer.system(), 35.3, 100.1)) == ["几何市", "西区", "北片"]


def test_a_point_on_a_shared_edge_lies_in_both_neighbours(tree):
    # 100.2 E is the edge between the districts and between 南片/北片's east side and 东片.
    found = names(units_containing(Viewer.system(), 35.3, 100.2))
    assert found == ["几何市", "西区", "东区", "北片", "东片"]
    # 35.2 N is the edge between 南片 and 北片; the suggestion is stable (first in tree order).
    assert suggest_micro_grid(Viewer.system(), 35.2, 100.1) == tree["a1"]


def test_a_point_in_a_hole_is_not_in_the_holed_unit(tree):
    assert names(units_containing(Viewer.system(), 35.1, 100.1)) == ["几何市", "西区"]
    assert suggest_micro_grid(Viewer.system(), 35.1, 100.1) is None
    # On the hole's rim the unit still covers it.
    assert "南片" in names(units_containing(Viewer.system(), 35.05, 100.1))


def test_a_point_outside_every_grid_finds_nothing(tree):
    assert units_containing(Viewer.system(), 34.9, 100.1) == []
    assert units_containing(Viewer.system(), 35.2, 100.5) == []
    assert suggest_micro_grid(Viewer.system(), 36.0, 101.0) is None


def test_the_level_filter(tree):
    assert names(units_containing(Viewer.system(), 35.3, 100.3, level=GridUnit.Level.DISTRICT)) == ["东区"]


def test_only_the_viewers_jurisdiction_is_searched(tree):
    worker = worker_of(tree["a1"])
    assert names(units_containing(worker, 35.1, 100.01)) == ["南片"]
    assert units_containing(worker, 35.3, 100.3) == []  # 东片 exists, but is not theirs
    assert suggest_micro_grid(worker, 35.3, 100.3) is None
    assert suggest_micro_grid(worker, 35.01, 100.01) == tree["a1"]
    # Nobody at all sees nothing.
    assert units_containing(Viewer.anonymous(), 35.1, 100.01) == []


def test_the_lookup_is_one_query_whatever_the_tree(tree, django_assert_max_num_queries):
    worker = worker_of(tree["a1"], tree["a2"])
    worker.standing  # noqa: B018 (the Viewer's own query, once per request)
    with django_assert_max_num_queries(1):
        assert suggest_micro_grid(worker, 35.3, 100.1) == tree["a2"]
    # More micro-grids with boundaries: still one query.
    for i in range(20):
        with_boundary(unit(tree["c1"]), rectangle(35.2 + i * 0.001, 100.0, 35.201 + i * 0.001, 100.001))
    with django_assert_max_num_queries(1):
        units_containing(Viewer.system(), 35.2005, 100.0005)


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
    for bad in ("35.27", "a,b", "25,200", ""):
        with pytest.raises(ValidationError) as caught:
            parse_lat_lng_pair(bad)
        assert list(caught.value.message_dict) == ["contains"]
