"""The grid-tree import's optional GeoJSON boundary file: each boundary checked by grids.geography
(valid polygon, inside its parent's boundary), reported row by row in the dry run, written with its
centroid and box on apply; importing it again changes nothing."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grids.geography import rectangle
from grids.models import GridUnit
from imports import services
from imports.models import ImportJob
from tests.factories import UserFactory

from .helpers import apply, sheet

pytestmark = pytest.mark.django_db

CITY_BOX = rectangle(25.0, 110.0, 25.5, 110.5)
DISTRICT_BOX = rectangle(25.1, 110.1, 25.3, 110.3)
OUTSIDE_BOX = rectangle(26.0, 111.0, 26.1, 111.1)  # not inside the district
OPEN_RING = {"type": "Polygon", "coordinates": [[[110.1, 25.1], [110.2, 25.1], [110.2, 25.2], [110.1, 25.2]]]}

ROWS = [
    ("BD-CITY", "边界市", "1", ""),
    ("BD-D1", "边界一区", "2", "BD-CITY"),
    ("BD-D2", "边界二区", "2", "BD-CITY"),
    ("BD-D3", "边界三区", "2", "BD-CITY"),
]


def _geojson(features: dict[str, dict], name: str = "boundaries.geojson") -> SimpleUploadedFile:
    document = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"code": code}, "geometry": geometry}
            for code, geometry in features.items()
        ],
    }
    return SimpleUploadedFile(name, json.dumps(document).encode())


def _check(capture, admin, rows, boundaries) -> ImportJob:
    with capture(execute=True):
        job = services.job_create(actor=admin, kind="grid_tree", upload=sheet("grid_tree", rows), boundaries=boundaries)
    job.refresh_from_db()
    return job


def test_boundaries_are_checked_row_by_row_and_written_on_apply(django_capture_on_commit_callbacks):
    admin = UserFactory(is_superuser=True)
    # Given a tree whose boundary file has a good city and district, one district outside the city... and
    # one with an open ring.
    bad = _check(
        django_capture_on_commit_callbacks,
        admin,
        ROWS,
        _geojson({"BD-CITY": CITY_BOX, "BD-D1": DISTRICT_BOX, "BD-D2": OUTSIDE_BOX, "BD-D3": OPEN_RING}),
    )
    assert bad.status == ImportJob.Status.CHECKED
    refused = {row["key"]: row for row in bad.preview if row["action"] == "refuse"}
    assert set(refused) == {"BD-D2", "BD-D3"}
    assert refused["BD-D2"]["row"] == 5
    assert "超出上级单元“BD-CITY”" in refused["BD-D2"]["reason"]
    assert "环未闭合" in refused["BD-D3"]["reason"]
    assert not bad.can_apply
    assert not GridUnit.objects.filter(code__startswith="BD-").exists()  # a dry run writes nothing

    # When the file is fixed and applied.
    good = _geojson({"BD-CITY": CITY_BOX, "BD-D1": DISTRICT_BOX})
    job = _check(django_capture_on_commit_callbacks, admin, ROWS, good)
    assert job.counts == {"create": 4, "update": 0, "unchanged": 0, "refuse": 0}
    job = apply(django_capture_on_commit_callbacks, actor=admin, job=job)
    assert job.status == ImportJob.Status.APPLIED

    # Then each unit has its boundary, with its centroid and box; the others none.
    district = GridUnit.objects.get(code="BD-D1")
    assert district.boundary == DISTRICT_BOX
    assert (district.bbox_south, district.bbox_west, district.bbox_north, district.bbox_east) == (
        25.1,
        110.1,
        25.3,
        110.3,
    )
    assert district.centroid_lat == pytest.approx(25.2)
    assert district.centroid_lng == pytest.approx(110.2)
    assert GridUnit.objects.get(code="BD-D2").boundary is None

    # And the same files again change nothing; a new outline is an update of that unit only.
    good.seek(0)
    again = _check(django_capture_on_commit_callbacks, admin, ROWS, good)
    assert again.counts == {"create": 0, "update": 0, "unchanged": 4, "refuse": 0}
    moved = _check(
        django_capture_on_commit_callbacks,
        admin,
        ROWS,
        _geojson({"BD-CITY": CITY_BOX, "BD-D1": rectangle(25.1, 110.1, 25.2, 110.2)}),
    )
    assert moved.counts == {"create": 0, "update": 1, "unchanged": 3, "refuse": 0}
    assert "边界：更新" in next(r["reason"] for r in moved.preview if r["key"] == "BD-D1")


def test_a_child_is_checked_against_its_parents_stored_boundary(django_capture_on_commit_callbacks):
    admin = UserFactory(is_superuser=True)
    job = _check(django_capture_on_commit_callbacks, admin, ROWS[:2], _geojson({"BD-CITY": CITY_BOX}))
    apply(django_capture_on_commit_callbacks, actor=admin, job=job)
    # The city is in the database with its boundary; a district outside it is refused.
    job = _check(django_capture_on_commit_callbacks, admin, [ROWS[2]], _geojson({"BD-D2": OUTSIDE_BOX}))
    assert job.counts["refuse"] == 1
    assert "超出上级单元" in job.preview[0]["reason"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json", "不是有效的 GeoJSON"),
        (b'{"type": "Feature"}', "FeatureCollection"),
        (json.dumps({"type": "FeatureCollection", "features": [{"properties": {}}]}).encode(), "properties.code"),
    ],
)
def test_a_boundary_file_that_is_not_one_fails_the_job_saying_why(django_capture_on_commit_callbacks, content, message):
    admin = UserFactory(is_superuser=True)
    job = _check(django_capture_on_commit_callbacks, admin, ROWS, SimpleUploadedFile("b.geojson", content))
    assert job.status == ImportJob.Status.FAILED
    assert message in job.error


def test_a_boundary_naming_a_unit_not_in_the_sheet_fails_the_job(django_capture_on_commit_callbacks):
    admin = UserFactory(is_superuser=True)
    job = _check(django_capture_on_commit_callbacks, admin, ROWS, _geojson({"NO-SUCH": CITY_BOX}))
    assert job.status == ImportJob.Status.FAILED
    assert "NO-SUCH" in job.error


def test_bad_boundary_uploads_are_a_400_naming_the_field(client):
    client.force_login(UserFactory(is_superuser=True))
    jobs = ImportJob.objects.count()
    wrong_kind = client.post(
        reverse("import-job-list"),
        {"kind": "people", "file": sheet("people", []), "boundaries": _geojson({"BD-CITY": CITY_BOX})},
    )
    assert wrong_kind.status_code == 400
    assert "boundaries" in wrong_kind.json()
    wrong_type = client.post(
        reverse("import-job-list"),
        {"kind": "grid_tree", "file": sheet("grid_tree", ROWS), "boundaries": SimpleUploadedFile("b.txt", b"{}")},
    )
    assert wrong_type.status_code == 400
    assert "boundaries" in wrong_type.json()
    page = client.post(
        reverse("imports:job_list"),
        {"kind": "people", "file": sheet("people", []), "boundaries": _geojson({"BD-CITY": CITY_BOX})},
    )
    assert page.status_code == 400
    assert ImportJob.objects.count() == jobs


def test_the_api_takes_the_boundary_file(client, django_capture_on_commit_callbacks):
    client.force_login(UserFactory(is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("import-job-list"),
            {"kind": "grid_tree", "file": sheet("grid_tree", ROWS), "boundaries": _geojson({"BD-CITY": CITY_BOX})},
        )
    assert response.status_code == 201
    detail = client.get(reverse("import-job-detail", args=[response.json()["id"]])).json()
    assert detail["counts"]["create"] == 4
    assert any(row["key"] == "BD-CITY" and row["reason"] == "含边界" for row in detail["rows"])


def test_the_boundary_export_imports_back_unchanged(client, django_capture_on_commit_callbacks):
    admin = UserFactory(is_superuser=True)
    job = _check(
        django_capture_on_commit_callbacks, admin, ROWS, _geojson({"BD-CITY": CITY_BOX, "BD-D1": DISTRICT_BOX})
    )
    apply(django_capture_on_commit_callbacks, actor=admin, job=job)
    client.force_login(admin)
    response = client.get(reverse("imports:boundary_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    exported = json.loads(response.content)
    by_code = {f["properties"]["code"]: f["geometry"] for f in exported["features"]}
    assert by_code["BD-D1"] == DISTRICT_BOX
    # The tree export beside it (the units with a boundary among them) imports back: nothing changes.
    tree = client.get(reverse("imports:export_download", args=["grid_tree", "csv"])).content
    with django_capture_on_commit_callbacks(execute=True):
        again = services.job_create(
            actor=admin,
            kind="grid_tree",
            upload=SimpleUploadedFile("tree.csv", tree),
            boundaries=SimpleUploadedFile("b.geojson", response.content),
        )
    again.refresh_from_db()
    assert again.status == ImportJob.Status.CHECKED, again.error
    assert again.counts["create"] == again.counts["update"] == again.counts["refuse"] == 0


def test_the_boundary_export_holds_only_the_staff_subtree(client):
    from grids.geography import BOUNDARY_FIELDS, boundary_fields
    from tests.people.world import build

    w = build()
    for unit, box in ((w.zone_a, DISTRICT_BOX), (w.zone_b, OUTSIDE_BOX)):
        for field, value in boundary_fields(box).items():
            setattr(unit, field, value)
        GridUnit.objects.bulk_update([unit], BOUNDARY_FIELDS)
    client.force_login(w.street_a_staff)
    codes = {
        f["properties"]["code"] for f in json.loads(client.get(reverse("imports:boundary_export")).content)["features"]
    }
    assert w.zone_a.code in codes
    assert w.zone_b.code not in codes
    client.force_login(w.worker_a)
    assert client.get(reverse("imports:boundary_export")).status_code == 403
