"""The people pages: the list's query count does not grow with the people on it; add, move, retire through
the pages; the history on the person's page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grids.models import Post
from tests.factories import UserFactory

from .world import build, phone

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_people_list_costs_the_same_for_3_and_30_people(client):
    w = build()
    client.force_login(w.street_a_staff)
    url = reverse("people:person_list")
    few = _queries(client, url)
    for _ in range(27):
        Post.objects.create(user=UserFactory(phone=phone()), unit=w.zone_a, role=Post.Role.GRID_WORKER)
    assert _queries(client, url) == few


def test_add_move_and_retire_through_the_pages_leave_a_history(client):
    w = build()
    client.force_login(w.street_a_staff)
    response = client.post(
        reverse("people:person_create"),
        {"full_name": "页面新人", "phone": "13655556666", "unit": w.zone_a.code, "role": Post.Role.GRID_WORKER},
    )
    assert response.status_code == 200
    assert "<svg" in response.content.decode()
    post = Post.objects.get(user__phone="13655556666")
    area = w.zone_a.parent.parent  # the area: a grid worker's post may sit there too
    response = client.post(reverse("people:post_move", args=[post.pk]), {"unit": area.code})
    assert response.status_code == 302
    response = client.post(reverse("people:post_retire", args=[post.pk]), {"confirm": "on"})
    assert response.status_code == 302
    post = Post.terms.get(pk=post.pk)
    assert post.ended_on is not None
    assert post.unit_id == area.pk
    assert not post.user.is_active
    page = client.get(reverse("people:person_detail", args=[post.user_id])).content.decode()
    for word in ("任命", "调整", "离任"):
        assert word in page
    # Who did it: the history rows name the street's staff member.
    assert set(Post.history.filter(id=post.pk).values_list("history_user_id", flat=True)) == {w.street_a_staff.pk}


def test_a_bad_form_is_a_400_and_changes_nothing(client):
    w = build()
    client.force_login(w.street_a_staff)
    before = Post.terms.count()
    response = client.post(
        reverse("people:person_create"),
        {"full_name": "越界", "phone": "13655557777", "unit": w.zone_b.code, "role": Post.Role.GRID_WORKER},
    )
    assert response.status_code == 400
    assert Post.terms.count() == before
