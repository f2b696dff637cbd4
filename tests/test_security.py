"""Login throttling, two-factor authentication for staff, CSP and secure defaults."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from guilin_portal.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def login(client: Client, username: str, password: str = DEMO_PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_repeated_failures_lock_the_account_for_that_address():
    client = Client()
    for _ in range(4):
        assert login(client, "xiufeng_worker", "wrong-password", REMOTE_ADDR="10.0.0.7").status_code == 200
    assert login(client, "xiufeng_worker", "wrong-password", REMOTE_ADDR="10.0.0.7").status_code == 429
    # Locked: even the right password is refused now.
    locked = login(client, "xiufeng_worker", REMOTE_ADDR="10.0.0.7")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address is not locked out by someone else's failures.
    assert login(Client(), "xiufeng_worker", REMOTE_ADDR="10.0.0.8").status_code == 302


@override_settings(PORTAL_PROXY_COUNT=1)
def test_client_address_is_taken_from_the_proxy_header():
    from django.test import RequestFactory

    from guilin_portal.security import client_address

    # One proxy in front: it appends the address it saw, so the client is the last hop, and
    # whatever the client wrote into the header itself is ignored.
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="10.0.0.1")
    assert client_address(request) == "203.0.113.9"
    spoofed = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9", REMOTE_ADDR="10.0.0.1")
    assert client_address(spoofed) == "203.0.113.9"
    with override_settings(PORTAL_PROXY_COUNT=0):
        assert client_address(spoofed) == "10.0.0.1"  # no proxy trusted: the header is ignored


@override_settings(PORTAL_REQUIRE_2FA=True)
def test_staff_must_enrol_and_confirm_a_second_factor(demo_user):
    client = Client()
    assert login(client, "xiufeng_district").status_code == 302
    response = client.get(reverse("workbench:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("otp_setup"))

    client.get(reverse("otp_setup"))
    device = TOTPDevice.objects.get(user=demo_user("xiufeng_district"))
    assert not device.confirmed
    bad = client.post(reverse("otp_setup"), {"token": "000000" if totp(device.bin_key) != 0 else "111111"})
    assert bad.status_code == 200
    assert "token" in bad.context["form"].errors
    # django-otp throttles after a failure (1 s, then doubling); a person would wait.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    good = client.post(reverse("otp_setup"), {"token": f"{totp(device.bin_key):06d}"})
    assert good.status_code == 302
    assert client.get(reverse("workbench:home")).status_code == 200

    # Next log-in: the enrolled device is asked for, not a new one.
    client = Client()
    login(client, "xiufeng_district")
    assert client.get(reverse("workbench:home"))["Location"].startswith(reverse("otp_verify"))


@override_settings(PORTAL_REQUIRE_2FA=True, PORTAL_SECOND_FACTOR_FOR=frozenset({"admin", "staff"}))
def test_grid_workers_are_not_asked_for_a_second_factor_when_grid_posts_do_not_count():
    client = Client()
    login(client, "xiufeng_worker")
    assert client.get(reverse("workbench:home")).status_code == 200


def test_staff_sessions_expire_sooner(settings):
    settings.PORTAL_SECOND_FACTOR_FOR = frozenset({"admin", "staff"})
    client = Client()
    login(client, "xiufeng_district")
    assert client.session.get_expiry_age() == settings.PORTAL_STAFF_SESSION_SECONDS
    worker = Client()
    login(worker, "xiufeng_worker")
    assert worker.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_pages_carry_a_csp_without_inline_script():
    response = Client().get(reverse("login"))
    policy = response["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'self'" in script_src
    assert "unsafe-inline" not in script_src
    assert "frame-ancestors 'none'" in policy
    assert "<script>" not in response.content.decode()


def test_weak_passwords_are_refused():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("12345678901", "password", "guilin"):
        with pytest.raises(ValidationError):
            validate_password(weak)


def _viewer(*roles: str, staff: bool = False, superuser: bool = False):
    from grids.models import User
    from grids.viewer import PostHeld, Standing, Viewer, ViewerKind

    user = User(username="someone", is_staff=staff, is_superuser=superuser)
    built = Viewer(kind=ViewerKind.USER, user=user, sees_everything=superuser, label="test")
    held = tuple(PostHeld(role=role, unit_id=n, path="0001" * (n + 2)) for n, role in enumerate(roles))
    built.__dict__["standing"] = Standing(posts=held)
    return built


@pytest.mark.parametrize(
    ("roles", "flags", "needed"),
    [
        ((), {}, False),
        # Grid posts handle issues and see residents' full contacts (PORTAL_SECOND_FACTOR_FOR "grid_posts").
        (("grid_worker",), {}, True),
        (("grid_leader", "party_instructor"), {}, True),
        (("community_staff",), {}, True),
        (("grid_worker", "district_staff"), {}, True),
        (("org_department",), {}, True),
        ((), {"staff": True}, True),
        ((), {"superuser": True}, True),
    ],
)
def test_the_second_factor_is_asked_of_the_viewer_staff_and_superusers(roles, flags, needed):
    from guilin_portal.security import needs_second_factor

    assert needs_second_factor(_viewer(*roles, **flags)) is needed


def test_programs_and_nobody_need_no_second_factor():
    from grids.viewer import Viewer, ViewerKind
    from guilin_portal.security import needs_second_factor

    assert not needs_second_factor(None)
    assert not needs_second_factor(Viewer.anonymous())
    assert not needs_second_factor(Viewer.system())
    assert not needs_second_factor(Viewer.for_client(ViewerKind.STATS_KEY, object(), ["0001"]))


def test_the_security_plumbing_imports_no_app():
    import ast
    from pathlib import Path

    import guilin_portal.security as module

    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    imported = {(node.module or "").split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
        alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    apps = {"grids", "issues", "volunteers", "service_centers", "contracts", "dashboards", "open311", "audit"}
    assert not imported & apps
