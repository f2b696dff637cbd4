"""Renovation projects: the demo's promise, jurisdiction (404 outside), the pages' query counts, progress and photos."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from grids.models import GridUnit, Post, User
from grids.viewer import Viewer
from renovation import selectors, services
from renovation.demo import plan
from renovation.models import Photo, Project
from service_centers.models import ServicePoint
from tests.conftest import DEMO_SCALE

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), "green").save(buffer, format="PNG")
    return buffer.getvalue()


def _qixing_district() -> User:
    qixing = GridUnit.objects.get(level=GridUnit.Level.DISTRICT, name="七星区")
    return User.objects.filter(posts__role=Post.Role.DISTRICT_STAFF, posts__unit=qixing).order_by("username").first()


def _outsider() -> Client:
    client = Client()
    client.force_login(_qixing_district())
    return client


def _xiufeng_project() -> Project:
    return (
        Project.objects.filter(unit__path__startswith=GridUnit.objects.get(name="秀峰区").path).order_by("pk").first()
    )


def test_the_demo_builds_exactly_the_promised_projects():
    promised = plan(DEMO_SCALE)
    assert Project.objects.count() == promised["renovation.projects"]
    assert (
        Project.objects.filter(kind=Project.Kind.URBAN_VILLAGE, status=Project.Status.FINISHED).count()
        == promised["renovation.urban_villages.finished"]
    )
    assert (
        Project.objects.filter(kind=Project.Kind.NO_PROPERTY_COMPOUND, status=Project.Status.FINISHED).count()
        == promised["renovation.compounds.finished"]
    )
    assert Project.objects.filter(status=Project.Status.IN_PROGRESS).count() == promised["renovation.in_progress"]
    assert Project.objects.filter(status=Project.Status.PLANNED).count() == promised["renovation.planned"]
    city = GridUnit.objects.get(level=GridUnit.Level.CITY)
    assert selectors.renovation_figures(unit=city).micro_parks == promised["renovation.micro_parks"]
    # Compounds renovated are compounds without property management; villages are villages.
    compounds = Project.objects.filter(kind=Project.Kind.NO_PROPERTY_COMPOUND)
    assert not compounds.filter(unit__is_property_managed=True).exists()
    assert not compounds.exclude(unit__level=GridUnit.Level.COMPOUND).exists()
    assert not Project.objects.filter(kind=Project.Kind.URBAN_VILLAGE).exclude(unit__name__endswith="村").exists()


def test_the_full_scale_plan_is_the_reports():
    full = plan(1)
    assert full["renovation.urban_villages.finished"] == 111
    assert full["renovation.compounds.finished"] == 260
    assert full["renovation.micro_parks"] >= 60


def test_figures_count_only_finished_projects_and_their_micro_parks():
    city = GridUnit.objects.get(level=GridUnit.Level.CITY)
    before = selectors.renovation_figures(unit=city)
    project = Project.objects.filter(status=Project.Status.FINISHED, kind=Project.Kind.NO_PROPERTY_COMPOUND).first()
    parks = project.produced_points.filter(
        kind=ServicePoint.Kind.THEME_PARK, level=ServicePoint.Level.MICRO_PARK
    ).count()
    Project.objects.filter(pk=project.pk).update(status=Project.Status.IN_PROGRESS, progress=80, finished_on=None)
    after = selectors.renovation_figures(unit=city)
    assert after.compounds == before.compounds - 1
    assert after.in_progress == before.in_progress + 1
    assert after.micro_parks == before.micro_parks - parks


def test_lists_are_scoped_and_outsiders_get_404(client_as, unit_named):
    xiufeng, qixing = unit_named("秀峰区"), unit_named("七星区")
    project = _xiufeng_project()
    outsider = _outsider()
    assert outsider.get(reverse("renovation:project_list", args=[xiufeng.pk])).status_code == 404
    assert outsider.get(reverse("renovation:project_detail", args=[project.pk])).status_code == 404
    response = outsider.get(reverse("renovation:project_list", args=[qixing.pk]))
    assert response.status_code == 200
    assert project.name not in response.content.decode()
    owner = client_as("xiufeng_district")
    assert owner.get(reverse("renovation:project_detail", args=[project.pk])).status_code == 200
    viewer = Viewer.for_user(_qixing_district())
    city = GridUnit.objects.get(level=GridUnit.Level.CITY)
    listed = selectors.project_list(viewer=viewer, unit=city)
    assert not listed.filter(unit__path__startswith=xiufeng.path).exists()
    progress = selectors.district_progress(viewer=viewer, unit=city)
    assert {row.unit.pk for row in progress.rows} <= {qixing.pk}


def test_the_city_page_shows_every_district_with_progress(client_as):
    response = client_as("admin").get(reverse("renovation:home"), follow=True)
    assert response.status_code == 200
    progress = response.context["progress"]
    assert progress.total.projects == Project.objects.count()
    assert progress.total.finished == Project.objects.finished().count()


def _reads(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_list_and_detail_query_counts_do_not_grow_with_the_projects(client_as):
    client = client_as("admin")
    city = GridUnit.objects.get(level=GridUnit.Level.CITY)
    url = reverse("renovation:project_list", args=[city.pk])
    few = _reads(client, url)
    # Thirty more projects (planned, in compounds without one yet): the same number of queries.
    taken = Project.objects.values("unit_id")
    compounds = GridUnit.objects.filter(level=GridUnit.Level.COMPOUND).exclude(pk__in=taken).order_by("pk")[:30]
    Project.objects.bulk_create(
        Project(kind=Project.Kind.NO_PROPERTY_COMPOUND, unit=c, name=f"测试项目{c.pk}", scope="测试") for c in compounds
    )
    assert _reads(client, url) == few
    project = _xiufeng_project()
    detail = reverse("renovation:project_detail", args=[project.pk])
    before = _reads(client, detail)
    Photo.objects.bulk_create(
        Photo(project=project, stage=Photo.Stage.BEFORE, image=f"renovation_photos/x{i}.png") for i in range(5)
    )
    assert _reads(client, detail) == before


def test_progress_is_recorded_by_staff_over_the_project_and_bad_input_changes_nothing(client_as):
    project = Project.objects.filter(
        status=Project.Status.IN_PROGRESS, unit__path__startswith=GridUnit.objects.get(name="秀峰区").path
    ).first()
    url = reverse("renovation:project_progress", args=[project.pk])
    started = project.started_on.isoformat()
    # Finished without a finish date: a form error on that field, nothing saved.
    response = client_as("xiufeng_district").post(url, {"status": "finished", "progress": 100, "started_on": started})
    assert response.status_code == 400
    assert "finished_on" in response.context["progress_form"].errors
    project.refresh_from_db()
    assert project.status == Project.Status.IN_PROGRESS
    # A grid worker reads the project (in their micro-grid or not) but may not record progress.
    worker = User.objects.get(username="xiufeng_worker")
    if Viewer.for_user(worker).sees_path(project.unit.path):
        assert client_as("xiufeng_worker").post(url, {"status": "finished", "progress": 100}).status_code == 403
    else:
        assert client_as("xiufeng_worker").post(url, {"status": "finished", "progress": 100}).status_code == 404
    today = timezone.localdate().isoformat()
    response = client_as("xiufeng_district").post(
        url, {"status": "finished", "progress": 100, "started_on": started, "finished_on": today}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.status, project.progress, project.finished_on) == ("finished", 100, dt.date.fromisoformat(today))


def test_a_photo_is_cleaned_stored_and_served_only_inside_the_jurisdiction(client_as, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    project = _xiufeng_project()
    response = client_as("xiufeng_district").post(
        reverse("renovation:photo_add", args=[project.pk]),
        {"stage": "before", "caption": "改造前的楼道", "image": SimpleUploadedFile("a.png", _png(), "image/png")},
    )
    assert response.status_code == 302
    photo = project.photos.get()
    url = reverse("renovation:photo_file", args=[photo.pk])
    assert client_as("xiufeng_district").get(url).status_code == 200
    assert _outsider().get(url).status_code == 404
    # Not an image: a form error naming the field, no row.
    response = client_as("xiufeng_district").post(
        reverse("renovation:photo_add", args=[project.pk]),
        {"stage": "after", "image": SimpleUploadedFile("b.png", b"not an image", "image/png")},
    )
    assert response.status_code == 400
    assert "image" in response.context["photo_form"].errors
    assert project.photos.count() == 1


def test_the_service_refuses_someone_who_only_reads():
    project = _xiufeng_project()
    worker = User.objects.get(username="xiufeng_worker")
    with pytest.raises(PermissionDenied):
        services.project_update_progress(
            viewer=Viewer.for_user(worker),
            actor=worker,
            project=project,
            status="planned",
            progress=0,
            started_on=None,
            finished_on=None,
        )
