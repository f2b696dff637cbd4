"""`import_boundaries`: matched by code, validated, nested, siblings apart; the refused listed with why."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from grids.geography import rectangle
from grids.models import GridUnit
from tests.geography.conftest import with_boundary

pytestmark = pytest.mark.django_db


def feature(code: str, geometry: dict) -> dict:
    return {"type": "Feature", "properties": {"code": code}, "geometry": geometry}


def run(tmp_path, level, features, *extra) -> str:
    path = tmp_path / "boundaries.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    out = io.StringIO()
    call_command("import_boundaries", str(level), str(path), *extra, stdout=out)
    return out.getvalue()


def test_good_boundaries_are_written_and_bad_ones_refused_with_why(tree, tmp_path):
    a1, a2, a3 = tree["a1"], tree["a2"], tree["a3"]
    with_boundary(tree["c1"], rectangle(35.0, 100.0, 35.4, 100.2))  # the areas' communities: as their districts
    with_boundary(tree["c2"], rectangle(35.0, 100.2, 35.4, 100.4))
    open_ring = {"type": "Polygon", "coordinates": [[[100.0, 35.2], [100.1, 35.2], [100.1, 35.3], [100.0, 35.3]]]}
    report = run(
        tmp_path,
        "area",
        [
            feature(a1.code, rectangle(35.0, 100.0, 35.2, 100.15)),  # smaller than before: fine
            feature(a2.code, open_ring),  # not closed
            feature(a3.code, rectangle(35.0, 100.2, 35.4, 100.6)),  # far outside 东区
            feature("NO-SUCH-CODE", rectangle(35.0, 100.0, 35.1, 100.1)),
            feature(tree["d1"].code, rectangle(35.0, 100.0, 35.1, 100.1)),  # a district, not an area
        ],
    )
    assert "1 accepted, 4 refused" in report
    assert f"REFUSED {a2.code}" in report
    assert "未闭合" in report
    assert f"REFUSED {a3.code}: 超出上级网格 {tree['c2'].code}" in report
    assert "REFUSED NO-SUCH-CODE" in report
    assert f"REFUSED {tree['d1'].code}" in report
    a1.refresh_from_db()
    assert a1.bbox_east == 100.15
    a3.refresh_from_db()
    assert a3.bbox_east == 100.4  # unchanged


def test_overlapping_a_stored_sibling_is_refused(tree, tmp_path):
    # 北片 stretched south over half of 南片 (which stays as stored).
    report = run(tmp_path, 5, [feature(tree["a2"].code, rectangle(35.1, 100.0, 35.4, 100.2))])
    assert "0 accepted, 1 refused" in report
    assert "重叠" in report
    assert tree["a1"].code in report


def test_a_dry_run_writes_nothing(tree, tmp_path):
    report = run(tmp_path, 5, [feature(tree["a1"].code, rectangle(35.0, 100.0, 35.2, 100.15))], "--dry-run")
    assert "1 accepted, 0 refused" in report
    assert "Dry run" in report
    tree["a1"].refresh_from_db()
    assert tree["a1"].bbox_east == 100.2


def test_not_a_feature_collection_is_a_clear_error(tree, tmp_path):
    path = tmp_path / "x.geojson"
    path.write_text(json.dumps({"type": "Polygon"}), encoding="utf-8")
    with pytest.raises(CommandError, match="FeatureCollection"):
        call_command("import_boundaries", "5", str(path))
    with pytest.raises(CommandError, match="level"):
        call_command("import_boundaries", "planet", str(path))


def test_the_check_is_three_queries_and_the_write_one_transaction(tree, tmp_path, django_assert_max_num_queries):
    from grids.geography.imports import apply_boundaries, plan_boundaries

    features = [
        feature(tree["a1"].code, rectangle(35.0, 100.0, 35.2, 100.2)),
        feature(tree["a2"].code, rectangle(35.2, 100.0, 35.4, 100.2)),
    ]
    with django_assert_max_num_queries(3):
        plan = plan_boundaries(GridUnit.Level.AREA, {"type": "FeatureCollection", "features": features})
    assert sorted(plan.accepted) == sorted([tree["a1"].code, tree["a2"].code])
    assert apply_boundaries(plan) == 2
