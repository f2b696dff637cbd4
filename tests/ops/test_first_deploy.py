"""First deploy: seed_demo never runs on production settings; the first administrator's second factor
cannot be enrolled with the password alone."""

import io
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from grids.models import GridUnit, Post, User
from guilin_portal.demo import DEMO_PASSWORD
from guilin_portal.first_admin import PROVISIONED_DEVICE_NAME

from ..conftest import DEMO_SCALE, DEMO_SEED

pytestmark = pytest.mark.django_db

STRONG = "Lijiang-river-7-peaks!"


def counts():
    return (GridUnit.objects.count(), User.objects.count(), Post.objects.count(), TOTPDevice.objects.count())


@override_settings(PORTAL_ENVIRONMENT="production")
def test_seed_demo_under_production_settings_refuses_and_changes_nothing():
    before = counts()
    hashes = dict(User.objects.values_list("username", "password"))
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", scale=DEMO_SCALE, reset=True, stdout=io.StringIO(), stderr=io.StringIO())
    assert counts() == before
    assert dict(User.objects.values_list("username", "password")) == hashes


def test_seed_demo_with_the_real_production_settings_module_refuses_before_touching_the_database(tmp_path):
    database = tmp_path / "portal.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_", "DATABASE_", "CELERY_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "guilin_portal.settings.production",
        "DJANGO_SECRET_KEY": "k3" * 30,
        "DJANGO_ALLOWED_HOSTS": "portal.example.gov.cn",
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "uploads"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--scale", "0.01", "--no-progress"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "refuses to run under production settings" in result.stderr
    assert "create_first_admin" in result.stderr
    # Nothing was written: not even the database file was opened for writing.
    assert not database.exists() or database.stat().st_size == 0


def test_a_staging_copy_gets_random_passwords_printed_once(tmp_path, settings):
    # One mechanism only (pytest-django's fixture): mixed with override_settings its undo would leak.
    settings.PORTAL_ENVIRONMENT = "production"
    settings.BASE_DIR = tmp_path  # where demo mode would write demo_accounts.json
    settings.DEMO_MODE = False
    out = io.StringIO()
    call_command(
        "seed_demo",
        "--i-know-this-is-not-production",
        scale=DEMO_SCALE,
        seed=DEMO_SEED,
        reset=True,
        no_progress=True,
        stdout=out,
        stderr=io.StringIO(),
    )
    printed = dict(re.findall(r"^  (\w+)\s+(\S{20})\s", out.getvalue(), flags=re.MULTILINE))
    assert {"admin", "xiufeng_worker", "xiufeng_district"} <= set(printed)
    assert len(set(printed.values())) == len(printed)  # one each, random
    assert DEMO_PASSWORD not in out.getvalue()
    for username, password in printed.items():
        user = User.objects.get(username=username)
        assert user.check_password(password)
        assert not user.check_password(DEMO_PASSWORD)
    # Every account that can log in is one of those printed (the published password opens nothing).
    usable = {u.username for u in User.objects.all() if u.has_usable_password()}
    assert usable == set(printed)
    assert not (tmp_path / "var" / "demo_accounts.json").exists()  # shown once, stored nowhere


@pytest.fixture
def no_superuser():
    """A database as on the first deploy: no administrator yet (the demo's is demoted for the test)."""
    User.objects.filter(is_superuser=True).update(is_superuser=False, is_staff=False)


def create_admin(**env) -> str:
    out = io.StringIO()
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        call_command("create_first_admin", "--no-input", stdout=out, stderr=io.StringIO())
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return out.getvalue()


@pytest.mark.parametrize(
    "password", ["short-1A!", "alllowercaseletters", "12345678901234567", "ops_chief_admin_2026", "Password12345678"]
)
def test_weak_passwords_are_refused_and_nothing_is_created(no_superuser, password):
    before = counts()
    with pytest.raises(CommandError, match="nothing was created"):
        create_admin(PORTAL_ADMIN_USERNAME="ops_chief", PORTAL_ADMIN_PASSWORD=password)
    assert counts() == before


def test_a_second_first_admin_is_refused():
    with pytest.raises(CommandError, match="already exists"):
        create_admin(PORTAL_ADMIN_USERNAME="ops_chief", PORTAL_ADMIN_PASSWORD=STRONG)


@override_settings(PORTAL_REQUIRE_2FA=True)
def test_the_first_admin_enrols_only_with_the_code_of_the_key_shown_to_the_operator(no_superuser):
    output = create_admin(PORTAL_ADMIN_USERNAME="ops_chief", PORTAL_ADMIN_PASSWORD=STRONG)
    secret = re.search(r"key: ([A-Z2-7]+)", output).group(1)
    admin = User.objects.get(username="ops_chief")
    assert admin.is_superuser
    assert admin.is_staff
    assert admin.check_password(STRONG)
    device = TOTPDevice.objects.get(user=admin)
    assert device.name == PROVISIONED_DEVICE_NAME
    assert not device.confirmed

    # Someone with the password only: logged in, sent to enrol, but the page shows no key.
    client = Client()
    assert client.post(reverse("login"), {"username": "ops_chief", "password": STRONG}).status_code == 302
    assert client.get("/admin/")["Location"].startswith(reverse("otp_setup"))
    page = client.get(reverse("otp_setup"))
    assert page.status_code == 200
    assert secret not in page.content.decode()
    assert device.config_url not in page.content.decode()
    assert TOTPDevice.objects.filter(user=admin).count() == 1  # no second device with a fresh, visible key
    wrong = (totp(device.bin_key) + 1) % 1_000_000
    client.post(reverse("otp_setup"), {"token": f"{wrong:06d}"})
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/admin/").status_code == 302

    # The operator, with the app loaded from the printed key.
    import base64

    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    code = totp(base64.b32decode(secret))
    response = client.post(reverse("otp_setup"), {"token": f"{code:06d}"})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200


def test_the_first_admin_command_is_documented_in_the_readme():
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    assert "create_first_admin" in readme
    assert "--i-know-this-is-not-production" in readme
