"""Staff of one street cannot import into, see, or manage the people of another street, nor grant a post
above their own level: table-driven over the pages (there is no API for people or imports)."""

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


@pytest.mark.parametrize(
    ("actor", "role", "unit", "allowed"),
    [
        ("street_a_staff", R.GRID_WORKER, "zone_a", True),
        ("street_a_staff", R.COMMUNITY_STAFF, "community_a", True),
        ("street_a_staff", R.STREET_STAFF, "street_a", True),  # at their own level
        ("street_a_staff", R.DISTRICT_STAFF, "district", False),  # above it
        ("street_a_staff", R.GRID_WORKER, "zone_b", False),  # another street
        ("street_a_staff", R.COMMUNITY_STAFF, "community_b", False),
        ("community_a_staff", R.STREET_STAFF, "street_a", False),
        ("district_staff", R.ORG_DEPARTMENT, "district", False),  # the organisation department's own post
        ("district_staff", R.STREET_STAFF, "street_b", True),
    ],
)
def test_granting_a_post(w, actor, role, unit, allowed):
    person = w.leader_a
    call = lambda: people_services.post_grant(actor=getattr(w, actor), person=person, unit=getattr(w, unit), role=role)  # noqa: E731
    if allowed:
        assert call().role == role
    else:
        with pytest.raises(PermissionDenied):
            call()
        assert not Post.objects.filter(user=person, role=role, unit=getattr(w, unit)).exists()


def test_the_people_list_shows_only_the_staff_subtree(client, w):
    client.force_login(w.street_a_staff)
    body = client.get(reverse("people:person_list")).content.decode()
    assert w.worker_a.display_name in body
    assert w.worker_b.display_name not in body
    assert w.street_b_staff.display_name not in body
    # A filter naming another street's unit finds nobody and says so.
    response = client.get(reverse("people:person_list"), {"unit": w.zone_b.code})
    assert w.worker_b.display_name not in response.content.decode()


@pytest.mark.parametrize(
    ("kind", "row", "reason"),
    [
        ("people", lambda w: ("越界者", phone(), "网格员", w.zone_b.code, "否", "否"), "管辖范围"),
        ("people", lambda w: ("越级者", phone(), "城区工作人员", w.district.code, "否", "否"), "高于您的层级"),
        ("grid_tree", lambda w: ("X-B-COMM", "越界社区", "4", w.street_b.code), "管辖范围"),
        ("grid_tree", lambda w: (w.zone_b.code, "改名", "7", w.zone_b.parent.code), "管辖范围"),
    ],
)
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
