"""The second factor on every channel: pages, the API's session channel, and the tokens it issues.

Run under production's rule (`PORTAL_REQUIRE_2FA=True`); test settings turn it off elsewhere.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from grids.viewer import Viewer
from guilin_portal.demo import DEMO_PASSWORD
from guilin_portal.security import needs_second_factor, second_factor_standings
from guilin_portal.tokens import token_issue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_second_factor_on")]

STAFF = "xiufeng_district"
DEPARTMENT = "xiufeng_urban"
TEAM_LEADER = "xiufeng_team_leader"
GRID_WORKER = "xiufeng_worker"


@pytest.fixture
def _second_factor_on():
    with override_settings(PORTAL_REQUIRE_2FA=True):
        yield


def password_only(username: str) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, username
    return client


def verified(demo_user, username: str) -> Client:
    """Logged in with the password, then a code from an enrolled authenticator."""
    client = password_only(username)
    device = TOTPDevice.objects.create(user=demo_user(username), name="phone", confirmed=True)
    response = client.post(reverse("otp_verify"), {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("username", [STAFF, DEPARTMENT, TEAM_LEADER, GRID_WORKER])
def test_everyone_who_sees_full_contacts_or_acts_as_staff_needs_it(demo_user, username):
    assert needs_second_factor(Viewer.for_user(demo_user(username)))


def test_which_standings_count_is_a_setting(demo_user):
    department = Viewer.for_user(demo_user(DEPARTMENT))
    assert "departments" in second_factor_standings(department)
    with override_settings(PORTAL_SECOND_FACTOR_FOR=frozenset({"staff"})):
        assert not needs_second_factor(department)
        assert needs_second_factor(Viewer.for_user(demo_user(STAFF)))


@pytest.mark.parametrize("username", [STAFF, DEPARTMENT, TEAM_LEADER])
def test_pages_send_a_password_only_session_to_the_second_factor(username):
    response = password_only(username).get(reverse("workbench:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("otp_setup") + "?next=")


@pytest.mark.parametrize("username", [STAFF, DEPARTMENT, TEAM_LEADER])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/issues/"),
        ("post", "/api/v1/issues/"),
        ("get", "/api/v1/units/"),
        ("get", "/api/v1/stats/overview/"),
    ],
)
def test_the_api_refuses_a_password_only_session_with_a_json_body(username, method, path):
    client = password_only(username)
    response = getattr(client, method)(path, HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "second_factor_required"
    assert body["verify_url"] == reverse("otp_setup")
    assert body["detail"]


def test_the_api_refuses_it_even_when_the_middleware_is_passed_by(demo_user):
    """The session authentication applies the same rule itself (a view reached without the middleware)."""
    from rest_framework.exceptions import APIException
    from rest_framework.request import Request

    from grids.api.authentication import ViewerSessionAuthentication

    request = RequestFactory().get("/api/v1/issues/")
    user = demo_user(STAFF)
    user.is_verified = lambda: False
    request.user = user
    request._dont_enforce_csrf_checks = True
    with pytest.raises(APIException) as refused:
        ViewerSessionAuthentication().authenticate(Request(request))
    assert refused.value.status_code == 403
    assert refused.value.detail["code"] == "second_factor_required"


def test_after_the_second_factor_the_api_answers(demo_user):
    client = verified(demo_user, STAFF)
    assert client.get("/api/v1/issues/").status_code == 200
    assert client.get(reverse("workbench:home")).status_code == 200


def test_tokens_are_issued_only_after_the_second_factor(demo_user):
    client = password_only(STAFF)
    refused = client.post("/api/v1/tokens/")
    assert refused.status_code == 403
    assert refused.json()["code"] == "second_factor_required"
    assert client.post(reverse("api_tokens"), {"action": "issue"})["Location"].startswith(reverse("otp_setup"))
    assert not Token.objects.filter(user=demo_user(STAFF)).exists()
    # The service itself refuses too, whatever calls it.
    request = RequestFactory().post("/")
    user = demo_user(STAFF)
    user.is_verified = lambda: False
    request.user = user
    with pytest.raises(PermissionDenied):
        token_issue(request=request, user=user)

    client = verified(demo_user, STAFF)
    issued = client.post("/api/v1/tokens/")
    assert issued.status_code == 201
    key = issued.json()["key"]
    assert Token.objects.get(user=demo_user(STAFF)).key == key
    # The token works on its own, and beside a session that has not passed the second factor.
    assert Client().get("/api/v1/issues/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    assert password_only(STAFF).get("/api/v1/issues/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    # A token cannot mint another one.
    minted = Client().post("/api/v1/tokens/", HTTP_AUTHORIZATION=f"Token {key}")
    assert minted.status_code == 403
    assert Token.objects.get(user=demo_user(STAFF)).key == key


def test_owners_list_and_revoke_their_tokens(demo_user):
    client = verified(demo_user, STAFF)
    key = client.post("/api/v1/tokens/").json()["key"]
    assert [row["prefix"] for row in client.get("/api/v1/tokens/").json()] == [key[:8]]
    page = client.get(reverse("api_tokens"))
    assert key[:8] in page.content.decode()
    assert key not in page.content.decode()

    # Someone else cannot see or revoke it: "not found", nothing changes.
    other = verified(demo_user, DEPARTMENT)
    assert other.get("/api/v1/tokens/").json() == []
    assert other.delete(f"/api/v1/tokens/{key[:8]}/").status_code == 404
    assert other.post(reverse("api_tokens"), {"action": "revoke", "prefix": key[:8]}).status_code == 302
    assert Token.objects.filter(key=key).exists()

    assert client.delete(f"/api/v1/tokens/{key[:8]}/").status_code == 204
    assert not Token.objects.filter(key=key).exists()
    assert Client().get("/api/v1/issues/", HTTP_AUTHORIZATION=f"Token {key}").status_code in (401, 403)

    # The page issues (the key shown once) and revokes as well.
    shown = client.post(reverse("api_tokens"), {"action": "issue"})
    new_key = Token.objects.get(user=demo_user(STAFF)).key
    assert new_key in shown.content.decode()
    client.post(reverse("api_tokens"), {"action": "revoke", "prefix": new_key[:8]})
    assert not Token.objects.filter(user=demo_user(STAFF)).exists()
