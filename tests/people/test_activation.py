"""A one-time activation link: the person sets their own password once; the link expires; only its hash is kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from grids.models import Post
from people import services
from people.models import ActivationLink

from .world import build

pytestmark = pytest.mark.django_db
PASSWORD = "Guilin-grid-2026!"


def test_a_new_person_activates_once_through_the_link_page(client):
    w = build()
    person, token = services.person_create(
        actor=w.community_a_staff,
        full_name="新网格员",
        phone="13812345678",
        unit=w.zone_a,
        role=Post.Role.GRID_WORKER,
    )
    assert not person.has_usable_password()
    link = ActivationLink.objects.get(user=person)
    assert token not in link.token_hash  # only the hash is stored
    url = reverse("people:activate", args=[token])

    assert client.get(url).status_code == 200
    response = client.post(url, {"password": PASSWORD, "password_again": PASSWORD})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(PASSWORD)
    assert person.is_active

    # Used once: the page and the form refuse it now, and the password stays.
    client.logout()
    assert client.get(url).status_code == 404
    assert (
        client.post(url, {"password": "Another-pass-2026!", "password_again": "Another-pass-2026!"}).status_code == 404
    )
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_an_expired_link_does_nothing():
    w = build()
    token = services.activation_issue(actor=w.community_a_staff, person=w.worker_a)
    ActivationLink.objects.filter(user=w.worker_a).update(
        created_at=timezone.now() - timedelta(days=4), expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert services.activation_find(token=token) is None
    with pytest.raises(ValidationError):
        services.activation_redeem(token=token, password=PASSWORD, password_again=PASSWORD)
    w.worker_a.refresh_from_db()
    assert not w.worker_a.check_password(PASSWORD)


def test_a_new_link_voids_the_older_one_and_a_reset_never_sets_a_password_for_anyone():
    w = build()
    first = services.activation_issue(actor=w.community_a_staff, person=w.worker_a)
    second = services.activation_issue(actor=w.community_a_staff, person=w.worker_a)
    assert services.activation_find(token=first) is None
    assert services.activation_find(token=second) is not None
    before = w.worker_a.password
    w.worker_a.refresh_from_db()
    assert w.worker_a.password == before  # issuing a link changed no password


def test_the_link_page_shows_a_qr_code_drawn_on_the_server(client):
    w = build()
    client.force_login(w.community_a_staff)
    response = client.post(reverse("people:person_send_link", args=[w.worker_a.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<svg" in body
    assert "/people/activate/" in body
    assert "no-store" in response["Cache-Control"]


def test_locking_an_account_voids_its_links_and_refuses_log_in(client):
    w = build()
    token = services.activation_issue(actor=w.community_a_staff, person=w.worker_a)
    services.account_lock(actor=w.community_a_staff, person=w.worker_a)
    w.worker_a.refresh_from_db()
    assert not w.worker_a.is_active
    assert services.activation_find(token=token) is None
