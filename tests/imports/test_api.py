"""The import API (/api/v1/imports/): upload for a dry run, its rows, progress, apply, the result report;
bad input is a 400 naming the field; a job is a 404 to anyone but its importer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from grids.models import Post, User
from imports.models import ImportJob
from tests.people.world import build, phone

from .helpers import sheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build()


def _upload(client, kind: str, rows, fmt: str = "xlsx"):
    return client.post(reverse("import-job-list"), {"kind": kind, "file": sheet(kind, rows, fmt)})


def test_upload_dry_run_rows_progress_apply_and_report(client, w, django_capture_on_commit_callbacks):
    client.force_login(w.street_a_staff)
    new_phone = phone()
    rows = [
        ("导入新人", new_phone, "网格员", w.zone_a.code, "是", "否"),
        ("越界者", phone(), "网格员", w.zone_b.code, "否", "否"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, "people", rows)
    assert response.status_code == 201, response.json()
    job_id = response.json()["id"]

    detail = client.get(reverse("import-job-detail", args=[job_id])).json()
    assert detail["status"] == ImportJob.Status.CHECKED
    assert detail["counts"] == {"create": 1, "update": 0, "unchanged": 0, "refuse": 1}
    assert detail["can_apply"] is False
    refused = detail["rows"][0]
    assert (refused["row"], refused["action"]) == (4, "refuse")  # headers, key row, then the rows from row 3
    assert "管辖范围" in refused["reason"]
    assert not User.objects.filter(phone=new_phone).exists()  # a dry run writes nothing

    # Applying a job with a refused row is a 400 naming it, and writes nothing.
    refused_apply = client.post(reverse("import-job-apply", args=[job_id]))
    assert refused_apply.status_code == 400
    assert "job" in refused_apply.json()

    with django_capture_on_commit_callbacks(execute=True):
        job_id = _upload(client, "people", rows[:1]).json()["id"]
    progress = client.get(reverse("import-job-progress", args=[job_id])).json()
    assert progress["finished"] is True
    assert progress["total"] == progress["done"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import-job-apply", args=[job_id]))
    assert response.status_code == 202
    assert client.get(reverse("import-job-detail", args=[job_id])).json()["status"] == ImportJob.Status.APPLIED
    person = User.objects.get(phone=new_phone)
    assert Post.objects.filter(user=person, unit=w.zone_a, role=Post.Role.GRID_WORKER).exists()

    report = client.get(reverse("import-job-report", args=[job_id]))
    assert report.status_code == 200
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    assert new_phone in text

    listed = client.get(reverse("import-job-list")).json()["results"]
    assert job_id in {row["id"] for row in listed}


def test_the_kinds_name_their_columns(client, w):
    client.force_login(w.community_a_staff)
    kinds = {k["name"]: k for k in client.get(reverse("import-kind-list")).json()}
    assert {"grid_tree", "people", "service_points", "cobuilding_units"} <= set(kinds)
    assert [c["key"] for c in kinds["people"]["columns"]][:4] == ["name", "mobile", "role", "unit_code"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "no_such_kind"}, "kind"),
        ({"kind": "people"}, "file"),
        ({"kind": "people", "file": "not-a-sheet.txt"}, "file"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, w, body, field):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(w.street_a_staff)
    if body.get("file") == "not-a-sheet.txt":
        body = {**body, "file": SimpleUploadedFile("not-a-sheet.txt", b"hello")}
    elif body["kind"] != "people":
        body = {**body, "file": sheet("people", [])}
    jobs = ImportJob.objects.count()
    response = client.post(reverse("import-job-list"), body)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert ImportJob.objects.count() == jobs


def test_a_grid_worker_may_not_import(client, w):
    client.force_login(w.worker_a)
    assert client.get(reverse("import-job-list")).status_code == 403
    assert _upload(client, "people", [("某人", phone(), "网格员", w.zone_a.code, "否", "否")]).status_code == 403
    assert not ImportJob.objects.exists()


def _jobs(owner, n: int) -> None:
    import uuid

    from django.utils import timezone

    ImportJob.objects.bulk_create(
        ImportJob(
            token=uuid.uuid4(),
            kind="people",
            created_by=owner,
            file_name="p.csv",
            file="imports/p.csv",
            status=ImportJob.Status.CHECKED,
            created_at=timezone.now(),
        )
        for _ in range(n)
    )


def test_the_job_list_costs_the_same_for_3_and_30_jobs(client, w):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(w.street_a_staff)
    url = reverse("import-job-list")
    counts = []
    for n in (3, 27):
        _jobs(w.street_a_staff, n)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(captured))
    assert response.json()["count"] == 30
    assert counts[0] == counts[1]
