"""Validating a boundary: closed rings, valid polygons; the fields it sets; nesting and overlaps."""

import pytest
from django.core.exceptions import ValidationError
from shapely.geometry import shape

from grids.geography import (
    boundary_fields,
    check_siblings,
    outside_parent,
    rectangle,
    simplify_for_zoom,
    validate_geometry,
)


def test_a_rectangle_is_valid_and_sets_centroid_and_box():
    fields = boundary_fields(rectangle(25.0, 110.0, 25.2, 110.4))
    assert (fields["bbox_south"], fields["bbox_west"], fields["bbox_north"], fields["bbox_east"]) == (
        25.0,
        110.0,
        25.2,
        110.4,
    )
    assert fields["centroid_lat"] == pytest.approx(25.1)
    assert fields["centroid_lng"] == pytest.approx(110.2)


def test_no_boundary_clears_every_field():
    assert set(boundary_fields(None).values()) == {None}


def test_an_open_ring_is_refused():
    ring = [[110.0, 25.0], [110.1, 25.0], [110.1, 25.1], [110.0, 25.1]]
    with pytest.raises(ValidationError, match="未闭合|至少"):
        validate_geometry({"type": "Polygon", "coordinates": [ring]})
    ring.append([110.0, 25.05])
    with pytest.raises(ValidationError, match="未闭合"):
        validate_geometry({"type": "Polygon", "coordinates": [ring]})


def test_a_self_crossing_polygon_is_refused():
    bowtie = [[110.0, 25.0], [110.1, 25.1], [110.1, 25.0], [110.0, 25.1], [110.0, 25.0]]
    with pytest.raises(ValidationError, match="有效"):
        validate_geometry({"type": "Polygon", "coordinates": [bowtie]})


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Point", "coordinates": [110.0, 25.0]},
        {"type": "Polygon", "coordinates": []},
        {"type": "Polygon", "coordinates": [[[110.0, 25.0], [200.0, 25.0], [110.0, 26.0], [110.0, 25.0]]]},
        {"type": "Polygon", "coordinates": [[["a", 25.0], [110.1, 25.0], [110.0, 26.0], ["a", 25.0]]]},
        "not a geometry",
    ],
)
def test_malformed_geometries_are_refused(geometry):
    with pytest.raises(ValidationError):
        validate_geometry(geometry)


def test_a_multipolygon_with_a_hole_is_valid():
    outer = rectangle(25.0, 110.0, 25.2, 110.2)["coordinates"][0]
    hole = list(reversed(rectangle(25.05, 110.05, 25.15, 110.15)["coordinates"][0]))
    island = rectangle(25.3, 110.3, 25.4, 110.4)["coordinates"]
    geometry = validate_geometry({"type": "MultiPolygon", "coordinates": [[outer, hole], island]})
    assert geometry.geom_type == "MultiPolygon"


def test_nesting_allows_the_tolerance_and_no_more():
    parent = shape(rectangle(25.0, 110.0, 25.1, 110.1))
    inside = shape(rectangle(25.02, 110.02, 25.08, 110.08))
    # 2 m past the parent's east edge (0.00002° of longitude ≈ 2 m at 25° N): within 5 m.
    slightly_out = shape(rectangle(25.02, 110.02, 25.08, 110.10002))
    far_out = shape(rectangle(25.02, 110.02, 25.08, 110.11))
    assert not outside_parent(inside, parent)
    assert not outside_parent(slightly_out, parent)
    assert outside_parent(far_out, parent)


def test_siblings_sharing_an_edge_do_not_overlap_but_crossing_ones_do():
    shapes = {
        "A": shape(rectangle(25.0, 110.0, 25.1, 110.1)),
        "B": shape(rectangle(25.0, 110.1, 25.1, 110.2)),  # shares A's east edge
        "C": shape(rectangle(25.0, 110.15, 25.1, 110.25)),  # half over B
    }
    assert check_siblings(shapes) == [("B", "C", pytest.approx(0.5))]


def test_simplification_drops_invisible_detail_and_stays_valid():
    # A ring of 2,000 points wobbling by about a metre: at zoom 10 a pixel is ~150 m.
    import math

    ring = [
        [110.0 + 0.1 * math.cos(t / 1000 * math.pi) + 0.00001 * (t % 2), 25.0 + 0.1 * math.sin(t / 1000 * math.pi)]
        for t in range(2000)
    ]
    ring.append(ring[0])
    geometry = {"type": "Polygon", "coordinates": [ring]}
    coarse = simplify_for_zoom(geometry, 10)
    fine = simplify_for_zoom(geometry, 18)
    assert len(coarse["coordinates"][0]) < 200 < len(fine["coordinates"][0])
    assert validate_geometry(coarse).is_valid
