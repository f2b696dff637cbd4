"""The people API (/api/v1/people/): the pages' reads and acts through the same selectors and services.

Lists cost the same for 3 and 30 people; add a person and a post, move, retire with a successor,
activation link, lock; bad input is a 400 naming the field and changes nothing; outside the caller's
subtree a person or post is a 404; a post above the caller's level a 403.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grids.models import Post, User
from issues.models import IssueEvent
from people import services
from people.models import ActivationLink
from tests.factories import UserFactory

from .test_offboarding import _issues_held_by
from .world import build, phone

pytestmark = pytest.mark.django_db
R = Post.Role


@pytest.fixture
def w():
    return build()


@pytest.fixture
def api(client, w):
    client.force_login(w.street_a_staff)
    return client


def _post(client, name: str, args=(), **body):
    return client.post(reverse(name, args=args), body, content_type="application/json")


def test_the_list_shows_the_subtree_with_search_role_and_unit_filters(api, w):
    body = api.get(reverse("person-list")).json()
    ids = {row["id"] for row in body["results"]}
    assert {w.worker_a.pk, w.leader_a.pk, w.community_a_staff.pk, w.street_a_staff.pk} <= ids
    assert w.worker_b.pk not in ids
    assert w.street_b_staff.pk not in ids
    assert w.district_staff.pk not in ids  # their post is above the street
    row = next(r for r in body["results"] if r["id"] == w.worker_a.pk)
    assert row["posts"][0]["unit_code"] == w.zone_a.code
    assert row["phone"] == w.worker_a.phone

    by_role = api.get(reverse("person-list"), {"role": R.GRID_LEADER}).json()["results"]
    assert [r["id"] for r in by_role] == [w.leader_a.pk]
    by_name = api.get(reverse("person-list"), {"q": w.worker_a.phone[:9]}).json()["results"]
    assert w.worker_a.pk in {r["id"] for r in by_name}
    by_unit = api.get(reverse("person-list"), {"unit": w.community_a.pk}).json()["results"]
    assert w.street_a_staff.pk not in {r["id"] for r in by_unit}
    assert w.worker_a.pk in {r["id"] for r in by_unit}
    # A unit of another street is no filter of theirs: 404, not an empty hint.
    assert api.get(reverse("person-list"), {"unit": w.zone_b.pk}).status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_costs_the_same_for_3_and_30_people(api, w):
    url = reverse("person-list")
    few = _queries(api, url)
    for _ in range(27):
        Post.objects.create(user=UserFactory(phone=phone()), unit=w.zone_a, role=R.GRID_WORKER)
    assert _queries(api, url) == few


def test_a_grid_worker_is_refused_the_people_api(client, w):
    client.force_login(w.worker_a)
    assert client.get(reverse("person-list")).status_code == 403
    assert client.get(reverse("person-detail", args=[w.worker_a.pk])).status_code == 404


def test_add_a_person_then_a_post_move_it_and_retire_it_leaving_a_history(api, w):
    new_phone = phone()
    response = _post(
        api,
        "person-list",
        full_name="新网格员",
        phone=new_phone,
        unit=w.zone_a.pk,
        role=R.GRID_WORKER,
        is_full_time=True,
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    person = User.objects.get(phone=new_phone)
    assert body["person"]["id"] == person.pk
    assert not person.has_usable_password()  # they set it themselves through the link
    assert "/people/activate/" in body["activation"]["url"]
    assert ActivationLink.objects.filter(user=person, used_at__isnull=True).count() == 1

    response = _post(api, "person-posts", [person.pk], unit=w.community_a.pk, role=R.COMMUNITY_STAFF)
    assert response.status_code == 201, response.json()
    second = Post.objects.get(pk=response.json()["id"])

    worker_post = Post.objects.get(user=person, role=R.GRID_WORKER)
    area = w.leader_a.posts.get().unit
    response = _post(api, "people-post-move", [worker_post.pk], unit=area.pk)
    assert response.status_code == 200, response.json()
    assert response.json()["unit_code"] == area.code

    response = _post(api, "people-post-retire", [second.pk], ended_on=None)
    assert response.status_code == 200, response.json()
    assert response.json()["deactivated"] is False
    second = Post.terms.get(pk=second.pk)
    assert second.ended_on is not None

    detail = api.get(reverse("person-detail", args=[person.pk])).json()
    assert [p["id"] for p in detail["current"]] == [worker_post.pk]
    assert [p["id"] for p in detail["past"]] == [second.pk]
    changes = [row["change"] for row in detail["history"]]
    assert {"created", "moved", "retired"} <= set(changes)
    assert all(row["by"] == w.street_a_staff.display_name for row in detail["history"])
    assert "lock" in detail["actions"]
    assert worker_post.pk in detail["manageable_posts"]


def test_retiring_the_last_post_through_the_api_hands_open_issues_to_the_successor(api, w):
    issues = _issues_held_by(w, w.worker_a, 2)
    post = Post.objects.get(user=w.worker_a)
    response = _post(api, "people-post-retire", [post.pk], successor=w.leader_a.pk)
    assert response.status_code == 200, response.json()
    assert response.json()["deactivated"] is True
    assert response.json()["handed_over"]["issues"] == 3  # two issues and a sub-task
    for issue in issues:
        issue.refresh_from_db()
        assert w.leader_a.pk in (issue.handler_user_id, issue.assignee_id)
        assert IssueEvent.objects.filter(issue=issue, data__handover__from_user=w.worker_a.pk).exists()
    w.worker_a.refresh_from_db()
    assert not w.worker_a.is_active


def test_a_successor_out_of_sight_or_unknown_is_a_400_naming_it_and_nothing_changes(api, w):
    post = Post.objects.get(user=w.worker_a)
    for successor in (w.worker_b.pk, 987654321):
        response = _post(api, "people-post-retire", [post.pk], successor=successor)
        assert response.status_code == 400
        assert "successor" in response.json()
    assert Post.objects.filter(pk=post.pk).exists()
    w.worker_a.refresh_from_db()
    assert w.worker_a.is_active


def test_activation_link_and_lock(api, w):
    old = services.activation_issue(actor=w.street_a_staff, person=w.worker_a)
    response = _post(api, "person-activation-link", [w.worker_a.pk])
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    token = response.json()["url"].rstrip("/").rsplit("/", 1)[-1]
    assert services.activation_find(token=token) is not None
    assert services.activation_find(token=old) is None  # the older link stops working

    response = _post(api, "person-lock", [w.worker_a.pk], successor=w.leader_a.pk)
    assert response.status_code == 200, response.json()
    assert response.json()["deactivated"] is True
    w.worker_a.refresh_from_db()
    assert not w.worker_a.is_active
    assert services.activation_find(token=token) is None
    # Locking twice is bad input (the account is closed), named.
    again = _post(api, "person-lock", [w.worker_a.pk])
    assert again.status_code == 400
    assert "person" in again.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"full_name": "", "phone": "13712345678", "role": "grid_worker"}, "full_name"),
        ({"full_name": "某人", "phone": "12345", "role": "grid_worker"}, "phone"),
        ({"full_name": "某人", "phone": "13712345678", "role": "no_such_role"}, "role"),
        ({"full_name": "某人", "phone": "13712345678", "role": "grid_worker", "unit": "abc"}, "unit"),
        ({"full_name": "某人", "phone": "13712345678", "role": "grid_worker", "unit": 987654321}, "unit"),
        ({"full_name": "某人", "phone": "existing", "role": "grid_worker"}, "phone"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_changes(api, w, body, field):
    body = dict(body)
    body.setdefault("unit", w.zone_a.pk)
    if body["phone"] == "existing":
        body["phone"] = w.worker_b.phone
    users = User.objects.count()
    response = _post(api, "person-list", **body)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert User.objects.count() == users


def test_a_unit_of_another_street_in_a_body_is_a_400_and_a_post_above_the_callers_level_a_403(api, w):
    person = w.leader_a
    response = _post(api, "person-posts", [person.pk], unit=w.zone_b.pk, role=R.GRID_WORKER)
    assert response.status_code == 400
    assert "unit" in response.json()
    response = _post(api, "person-posts", [person.pk], unit=w.district.pk, role=R.DISTRICT_STAFF)
    assert response.status_code == 400  # the district is no unit of the street's subtree either
    response = _post(api, "person-posts", [person.pk], unit=w.street_a.pk, role=R.STREET_STAFF)
    assert response.status_code == 201  # at their own level
    client = api
    client.force_login(w.community_a_staff)
    response = _post(client, "person-posts", [w.worker_a.pk], unit=w.community_a.pk, role=R.STREET_STAFF)
    assert response.status_code in (400, 403)  # a street post is no community's to grant
    assert not Post.objects.filter(user=w.worker_a, role=R.STREET_STAFF).exists()
