"""Staff of one street cannot import into, see, or manage the people of another street, nor grant a post
above their own level: table-driven, each table run through the pages and through the API."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from grids.models import Post
from people import services as people_services
from tests.people.world import build, phone

from .helpers import check, sheet

pytestmark = pytest.mark.django_db
R = Post.Role


@pytest.fixture
def w():
    return build()


# (who acts, whose person, expected status of the person page)
PAGES = [
    ("street_a_staff", "worker_a", 200),
    ("street_a_staff", "worker_b", 404),
    ("street_b_staff", "worker_a", 404),
    ("community_a_staff", "worker_a", 200),
    ("community_a_staff", "street_a_staff", 404),  # a street officer is above a community's staff
    ("district_staff", "worker_b", 200),
    ("worker_a", "worker_a", 404),  # a grid worker is no staff
]


@pytest.mark.parametrize(("actor", "person", "status"), PAGES)
def test_person_page_and_its_forms_answer_only_inside_the_staff_subtree(client, w, actor, person, status):
    client.force_login(getattr(w, actor))
    target = getattr(w, person)
    post = Post.objects.filter(user=target).first()
    assert client.get(reverse("people:person_detail", args=[target.pk])).status_code == status
    if status == 404:
        # Every form about them is a 404 too, and nothing changes.
        for name, args in [
            ("people:person_send_link", [target.pk]),
            ("people:person_lock", [target.pk]),
            ("people:post_add", [target.pk]),
            ("people:post_move", [post.pk]),
            ("people:post_retire", [post.pk]),
        ]:
            response = client.post(
                reverse(name, args=args), {"confirm": "on", "unit": w.zone_a.code, "role": R.GRID_WORKER}
            )
            assert response.status_code in (403, 404), name
        target.refresh_from_db()
        assert target.is_active
        assert Post.objects.filter(pk=post.pk, unit=post.unit).exists()


# (who grants, which role, at which unit, allowed?, the API's answer: 201, 400 naming a unit outside the
# caller's subtrees, 403 for a post above the caller's level inside them)
GRANTS = [
    ("street_a_staff", R.GRID_WORKER, "zone_a", True, 201),
    ("street_a_staff", R.COMMUNITY_STAFF, "community_a", True, 201),
    ("street_a_staff", R.STREET_STAFF, "street_a", True, 201),  # at their own level
    ("street_a_staff", R.DISTRICT_STAFF, "district", False, 400),  # above it
    ("street_a_staff", R.GRID_WORKER, "zone_b", False, 400),  # another street
    ("street_a_staff", R.COMMUNITY_STAFF, "community_b", False, 400),
    ("community_a_staff", R.STREET_STAFF, "street_a", False, 400),
    ("district_staff", R.ORG_DEPARTMENT, "district", False, 403),  # the organisation department's own post
    ("district_staff", R.STREET_STAFF, "street_b", True, 201),
]


@pytest.mark.parametrize(("actor", "role", "unit", "allowed", "api_status"), GRANTS)
def test_granting_a_post(w, actor, role, unit, allowed, api_status):
    person = w.leader_a
    call = lambda: people_services.post_grant(actor=getattr(w, actor), person=person, unit=getattr(w, unit), role=role)  # noqa: E731
    if allowed:
        assert call().role == role
    else:
        with pytest.raises(PermissionDenied):
            call()
        assert not Post.objects.filter(user=person, role=role, unit=getattr(w, unit)).exists()


@pytest.mark.parametrize(("actor", "role", "unit", "allowed", "api_status"), GRANTS)
def test_granting_a_post_through_the_page_and_the_api(client, w, actor, role, unit, allowed, api_status):
    person = w.leader_a
    client.force_login(getattr(w, actor))
    target = getattr(w, unit)
    page = client.post(
        reverse("people:post_add", args=[person.pk]), {"unit": target.code, "role": role, "is_full_time": ""}
    )
    assert page.status_code == (302 if allowed else 400 if api_status == 400 else 403)
    Post.objects.filter(user=person, role=role, unit=target).delete()
    response = client.post(
        reverse("person-posts", args=[person.pk]), {"unit": target.pk, "role": role}, content_type="application/json"
    )
    assert response.status_code == api_status, response.json()
    if api_status == 400:
        assert "unit" in response.json()
    assert Post.objects.filter(user=person, role=role, unit=target).exists() == allowed


@pytest.mark.parametrize(("actor", "person", "status"), PAGES)
def test_person_api_answers_only_inside_the_staff_subtree(client, w, actor, person, status):
    client.force_login(getattr(w, actor))
    target = getattr(w, person)
    post = Post.objects.filter(user=target).first()
    assert client.get(reverse("person-detail", args=[target.pk])).status_code == status
    assert client.get(reverse("people-post-detail", args=[post.pk])).status_code == status
    listed = client.get(reverse("person-list"))
    if listed.status_code == 200:
        assert (target.pk in {row["id"] for row in listed.json()["results"]}) == (status == 200)
    else:
        assert listed.status_code == 403  # no staff: no list at all
    if status == 404:
        body = {"unit": w.zone_a.pk, "role": R.GRID_WORKER}
        for name, args in [
            ("person-activation-link", [target.pk]),
            ("person-lock", [target.pk]),
            ("person-posts", [target.pk]),
            ("people-post-move", [post.pk]),
            ("people-post-retire", [post.pk]),
        ]:
            response = client.post(reverse(name, args=args), body, content_type="application/json")
            assert response.status_code == 404, name
        target.refresh_from_db()
        assert target.is_active
        assert Post.objects.filter(pk=post.pk, unit=post.unit).exists()


def test_the_people_list_shows_only_the_staff_subtree(client, w):
    client.force_login(w.street_a_staff)
    body = client.get(reverse("people:person_list")).content.decode()
    assert w.worker_a.display_name in body
    assert w.worker_b.display_name not in body
    assert w.street_b_staff.display_name not in body
    # A filter naming another street's unit finds nobody and says so.
    response = client.get(reverse("people:person_list"), {"unit": w.zone_b.code})
    assert w.worker_b.display_name not in response.content.decode()


IMPORTS = [
    ("people", lambda w: ("越界者", phone(), "网格员", w.zone_b.code, "否", "否"), "管辖范围"),
    ("people", lambda w: ("越级者", phone(), "城区工作人员", w.district.code, "否", "否"), "高于您的层级"),
    ("grid_tree", lambda w: ("X-B-COMM", "越界社区", "4", w.street_b.code), "管辖范围"),
    ("grid_tree", lambda w: (w.zone_b.code, "改名", "7", w.zone_b.parent.code), "管辖范围"),
]


@pytest.mark.parametrize(("kind", "row", "reason"), IMPORTS)
def test_a_street_cannot_import_into_another_street_through_the_api(
    client, django_capture_on_commit_callbacks, w, kind, row, reason
):
    client.force_login(w.street_a_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import-job-list"), {"kind": kind, "file": sheet(kind, [row(w)])})
    assert response.status_code == 201
    job = client.get(reverse("import-job-detail", args=[response.json()["id"]])).json()
    assert job["counts"]["refuse"] == 1
    assert reason in job["rows"][0]["reason"]
    assert client.post(reverse("import-job-apply", args=[job["id"]])).status_code == 400
    assert not job["can_apply"]


@pytest.mark.parametrize(("kind", "row", "reason"), IMPORTS)
def test_a_street_cannot_import_into_another_street(django_capture_on_commit_callbacks, w, kind, row, reason):
    job = check(django_capture_on_commit_callbacks, actor=w.street_a_staff, kind=kind, upload=sheet(kind, [row(w)]))
    assert job.counts["refuse"] == 1
    assert reason in job.preview[0]["reason"]
    assert not job.can_apply


def test_an_import_job_is_a_404_to_anyone_but_its_importer(client, django_capture_on_commit_callbacks, w):
    job = check(
        django_capture_on_commit_callbacks,
        actor=w.street_a_staff,
        kind="people",
        upload=sheet("people", [("本街道人员", phone(), "网格员", w.zone_a.code, "否", "否")]),
    )
    client.force_login(w.street_b_staff)
    for name in ("imports:job_detail", "imports:job_status", "imports:job_report"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("imports:job_apply", args=[job.pk])).status_code == 404
    for name in ("import-job-detail", "import-job-progress", "import-job-report"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("import-job-apply", args=[job.pk])).status_code == 404
    assert job.pk not in {row["id"] for row in client.get(reverse("import-job-list")).json()["results"]}
    job.refresh_from_db()
    assert job.status == "checked"


def test_the_export_holds_only_the_staff_subtree(client, w):
    client.force_login(w.street_a_staff)
    body = client.get(reverse("imports:export_download", args=["grid_tree", "csv"])).content.decode("utf-8-sig")
    assert w.zone_a.code in body
    codes = {line.split(",")[0] for line in body.splitlines()}
    assert w.zone_a.code in codes
    assert w.street_a.code in codes
    assert w.zone_b.code not in codes
    assert w.district.code not in codes  # named only as the street's parent
    people = client.get(reverse("imports:export_download", args=["people", "csv"])).content.decode("utf-8-sig")
    assert w.worker_a.phone in people
    assert w.worker_b.phone not in people
