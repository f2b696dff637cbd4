"""Production mode refuses to start half-configured and passes Django's deployment checks."""

import os
import subprocess
import sys

from django.conf import settings

PRODUCTION = {"DJANGO_DEBUG": "false", "DJANGO_ALLOWED_HOSTS": "portal.example.gov.cn"}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_without_a_secret_key_refuses_to_start():
    result = run_manage("check", env=PRODUCTION)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_without_allowed_hosts_refuses_to_start():
    result = run_manage("check", env={"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "x" * 60})
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set" in result.stderr


def test_production_passes_check_deploy():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION | {"DJANGO_SECRET_KEY": "k3" * 30 + "Zq!"}
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_embedded_default_is_sqlite_and_eager_when_nothing_is_set():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG)",
        env=dict.fromkeys(("DATABASE_URL", "CELERY_BROKER_URL"), ""),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["django.db.backends.sqlite3", "True", "True"]
