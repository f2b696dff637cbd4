"""The demo city's boundaries (the session's seed at a small scale): every unit has one, each child lies
inside its parent, siblings do not overlap and together cover their parent; districts at their real places."""

from collections import defaultdict

import pytest
from shapely.geometry import shape
from shapely.ops import unary_union

from grids import demo_geometry
from grids.geography import check_siblings, outside_parent, validate_geometry
from grids.models import GridUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_shapes():
    rows = list(
        GridUnit.objects.filter(code__startswith="4503").values("id", "code", "name", "parent_id", "boundary", "level")
    )
    assert rows, "the session's demo city is missing"
    return rows


def test_every_demo_unit_has_a_valid_boundary(demo_shapes):
    for row in demo_shapes:
        assert row["boundary"] is not None, row["name"]
        validate_geometry(row["boundary"])


def test_children_nest_and_siblings_tile_their_parent(demo_shapes):
    shapes = {row["id"]: shape(row["boundary"]) for row in demo_shapes}
    children = defaultdict(list)
    for row in demo_shapes:
        if row["parent_id"] in shapes:
            children[row["parent_id"]].append(row)
    assert len(children) > 100
    for parent_id, kids in children.items():
        parent = shapes[parent_id]
        for kid in kids:
            assert not outside_parent(shapes[kid["id"]], parent, tolerance_m=0.0), kid["name"]
        assert check_siblings({kid["code"]: shapes[kid["id"]] for kid in kids}, tolerance=0.0) == []
        # Siblings tile the parent: their union is the parent, to floating-point noise.
        union = unary_union([shapes[kid["id"]] for kid in kids])
        assert parent.symmetric_difference(union).area < parent.area * 1e-9


def test_the_districts_lie_where_they_are():
    # Centres of the real seats, roughly (degrees): each district's box holds its own seat.
    seats = {"秀峰区": (25.28, 110.26), "临桂区": (25.24, 110.0), "阳朔县": (24.78, 110.49), "全州县": (25.93, 111.07)}
    for name, (lat, lng) in seats.items():
        unit = GridUnit.objects.get(name=name, level=GridUnit.Level.DISTRICT)
        assert unit.bbox_south <= lat <= unit.bbox_north, name
        assert unit.bbox_west <= lng <= unit.bbox_east, name
    city = GridUnit.objects.get(level=GridUnit.Level.CITY, code="4503")
    assert (city.bbox_south, city.bbox_west, city.bbox_north, city.bbox_east) == tuple(demo_geometry.CITY_BOX)


@pytest.mark.parametrize("count", [1, 2, 3, 7, 11, 40, 97])
def test_split_tiles_a_box_with_near_square_cells(count):
    box = demo_geometry.Box(25.0, 110.0, 25.3, 110.7)
    cells = demo_geometry.split(box, count)
    assert len(cells) == count
    total = sum((c.north - c.south) * (c.east - c.west) for c in cells)
    assert total == pytest.approx((box.north - box.south) * (box.east - box.west))
    assert all(box.south <= c.south < c.north <= box.north for c in cells)
    assert all(box.west <= c.west < c.east <= box.east for c in cells)


def test_demo_issues_are_located_inside_their_micro_grid():
    from issues.models import Issue

    rows = list(
        Issue.objects.filter(unit__boundary__isnull=False).values_list(
            "latitude", "longitude", "unit__bbox_south", "unit__bbox_west", "unit__bbox_north", "unit__bbox_east"
        )
    )
    located = [row for row in rows if row[0] is not None]
    # The issues demo's history is located; a few issues other apps' demos log (Open311 requests, demands
    # raised by volunteers) come without a point, as a client may send none.
    assert len(located) > 50
    assert len(located) > 0.7 * len(rows)
    for lat, lng, south, west, north, east in located:
        assert south < float(lat) < north
        assert west < float(lng) < east


def test_demo_service_points_lie_inside_their_unit():
    from service_centers.models import ServicePoint

    rows = list(
        ServicePoint.objects.values_list(
            "latitude", "longitude", "unit__bbox_south", "unit__bbox_west", "unit__bbox_north", "unit__bbox_east"
        )
    )
    assert len(rows) > 20
    for lat, lng, south, west, north, east in rows:
        assert south < float(lat) < north
        assert west < float(lng) < east
