"""The settings package: DJANGO_SETTINGS_MODULE chooses the environment, DJANGO_DEBUG never does.

Each environment is loaded in a fresh interpreter, as a server or manage.py would load it, with
the DJANGO_* and PORTAL_* variables of the calling shell removed.
"""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION = "guilin_portal.settings.production"
DEVELOPMENT = "guilin_portal.settings.development"
SECRETS = {"DJANGO_SECRET_KEY": "k3" * 30 + "Zq!", "DJANGO_ALLOWED_HOSTS": "portal.example.gov.cn"}

# What production turns on, read back by settings_of().
SECURITY_NAMES = [
    "DEBUG",
    "ALLOWED_HOSTS",
    "DEMO_MODE",
    "PORTAL_REQUIRE_2FA",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_PROXY_SSL_HEADER",
    "MIDDLEWARE",
    "STORAGES",
]


def clean_env(env: dict[str, str]) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_"))}
    return kept | env


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=clean_env(env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=clean_env(env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def settings_of(module: str, env: dict[str, str], names: list[str] = SECURITY_NAMES) -> dict:
    """The named settings of `module` as a fresh process sees them (absent ones as None)."""
    code = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {names!r}}}))"
    )
    result = run_python(code, env | {"DJANGO_SETTINGS_MODULE": module})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


# ---------------------------------------------------------------------------
# Production refuses to start half-configured and passes the deployment checks
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("DJANGO_SECRET_KEY", "DJANGO_SECRET_KEY must be set"),
        ("DJANGO_ALLOWED_HOSTS", "DJANGO_ALLOWED_HOSTS must be set"),
    ],
)
@pytest.mark.parametrize("how", ["unset", "empty"])
def test_production_refuses_to_start_without_its_secrets(missing, message, how):
    env = {k: v for k, v in SECRETS.items() if k != missing} | ({missing: ""} if how == "empty" else {})
    result = run_python("import django; django.setup()", env | {"DJANGO_SETTINGS_MODULE": PRODUCTION})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
    assert PRODUCTION in result.stderr  # the message names the module that refused


def test_production_refuses_even_when_debug_is_asked_for():
    result = run_python(
        "import django; django.setup()",
        {"DJANGO_SETTINGS_MODULE": PRODUCTION, "DJANGO_DEBUG": "true", "DJANGO_ALLOWED_HOSTS": "x.example"},
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_with_its_secrets_passes_check_deploy():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env=SECRETS | {"DJANGO_SETTINGS_MODULE": PRODUCTION}
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_development_would_fail_check_deploy():
    """The check above is meaningful: the same command on the embedded default reports warnings."""
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env={})
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout  # no HSTS


def test_production_turns_on_https_2fa_and_collected_static_files():
    production = settings_of(PRODUCTION, SECRETS)
    assert production["DEBUG"] is False
    assert production["ALLOWED_HOSTS"] == ["portal.example.gov.cn"]
    assert production["DEMO_MODE"] is False
    assert production["PORTAL_REQUIRE_2FA"] is True
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    middleware = production["MIDDLEWARE"]
    assert middleware.count("whitenoise.middleware.WhiteNoiseMiddleware") == 1
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") == (
        middleware.index("django.middleware.security.SecurityMiddleware") + 1
    )
    assert production["STORAGES"]["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_production_keeps_its_documented_switches():
    """The README's variables still turn these off explicitly (a demo server, a proxy that redirects itself)."""
    production = settings_of(
        PRODUCTION,
        SECRETS | {"PORTAL_DEMO_MODE": "true", "PORTAL_REQUIRE_2FA": "false", "DJANGO_SECURE_SSL_REDIRECT": "false"},
    )
    assert production["DEMO_MODE"] is True
    assert production["PORTAL_REQUIRE_2FA"] is False
    assert production["SECURE_SSL_REDIRECT"] is False
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("debug", ["true", "1", "false", ""])
def test_django_debug_has_no_effect_on_production(debug):
    reference = settings_of(PRODUCTION, SECRETS)
    assert settings_of(PRODUCTION, SECRETS | {"DJANGO_DEBUG": debug}) == reference


def test_debug_on_in_development_does_not_weaken_production():
    """Both modules in one process, development first: production's lists are its own, base's untouched."""
    code = (
        "import json\n"
        "from guilin_portal.settings import base, development, production\n"
        "names = ['DEBUG', 'SESSION_COOKIE_SECURE', 'PORTAL_REQUIRE_2FA', 'DEMO_MODE', 'MIDDLEWARE', 'STORAGES']\n"
        "print(json.dumps({m.__name__.rsplit('.', 1)[-1]: {n: getattr(m, n, None) for n in names}"
        " for m in (base, development, production)}))\n"
    )
    result = run_python(code, SECRETS | {"DJANGO_DEBUG": "true"})
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.splitlines()[-1])
    development, production, base = seen["development"], seen["production"], seen["base"]
    assert development["DEBUG"] is True
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["PORTAL_REQUIRE_2FA"] is True
    assert production["DEMO_MODE"] is False
    whitenoise = "whitenoise.middleware.WhiteNoiseMiddleware"
    assert whitenoise in production["MIDDLEWARE"]
    assert whitenoise not in development["MIDDLEWARE"]
    assert whitenoise not in base["MIDDLEWARE"]
    assert base["STORAGES"]["staticfiles"] == development["STORAGES"]["staticfiles"]
    assert "whitenoise" not in development["STORAGES"]["staticfiles"]["BACKEND"]
    assert production["STORAGES"]["default"] == development["STORAGES"]["default"]
    # The same production settings as a process that never imported development.
    alone = settings_of(PRODUCTION, SECRETS)
    assert alone["MIDDLEWARE"] == production["MIDDLEWARE"]
    assert alone["STORAGES"] == production["STORAGES"]


# ---------------------------------------------------------------------------
# Development is the embedded default
# ---------------------------------------------------------------------------
def test_development_is_the_default_of_manage_py():
    result = run_manage("shell", "-c", "from django.conf import settings as s; print(s.SETTINGS_MODULE)", env={})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == DEVELOPMENT


@pytest.mark.parametrize("module", ["guilin_portal.wsgi", "guilin_portal.asgi", "guilin_portal.celery"])
def test_development_is_the_default_of_every_entry_point(module):
    result = run_python(f"import os, {module}; print(os.environ['DJANGO_SETTINGS_MODULE'])", {})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == DEVELOPMENT


def test_an_explicit_settings_module_wins_over_the_default():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.SETTINGS_MODULE, s.DEBUG)",
        env=SECRETS | {"DJANGO_SETTINGS_MODULE": PRODUCTION},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == [PRODUCTION, "False"]


def test_embedded_default_is_sqlite_eager_debug_and_demo_when_nothing_is_set():
    names = ["DATABASES", "CELERY_TASK_ALWAYS_EAGER", "DEBUG", "DEMO_MODE", "PORTAL_REQUIRE_2FA"]
    names += ["SESSION_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "ALLOWED_HOSTS"]
    development = settings_of(DEVELOPMENT, dict.fromkeys(("DATABASE_URL", "CELERY_BROKER_URL"), ""), names)
    assert development["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert development["DATABASES"]["default"]["NAME"] == str(settings.BASE_DIR / "db.sqlite3")
    assert development["CELERY_TASK_ALWAYS_EAGER"] is True
    assert development["DEBUG"] is True
    assert development["DEMO_MODE"] is True
    assert development["PORTAL_REQUIRE_2FA"] is False
    # Plain HTTP on 127.0.0.1: Django's defaults, nothing of production's.
    assert development["SESSION_COOKIE_SECURE"] is False
    assert development["SECURE_SSL_REDIRECT"] is False
    assert development["SECURE_HSTS_SECONDS"] == 0
    assert development["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "testserver"]


def test_development_follows_database_url_and_broker_url():
    development = settings_of(
        DEVELOPMENT,
        {"DATABASE_URL": "postgres://portal@db.internal:5432/portal", "CELERY_BROKER_URL": "redis://r:6379/0"},
        ["DATABASES", "CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL"],
    )
    assert development["DATABASES"]["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert development["DATABASES"]["default"]["NAME"] == "portal"
    assert development["CELERY_TASK_ALWAYS_EAGER"] is False
    assert development["CELERY_BROKER_URL"] == "redis://r:6379/0"


def test_django_debug_false_no_longer_selects_production():
    """An old production environment (DJANGO_DEBUG=false, no settings module) stops instead of running development."""
    result = run_manage("check", env=SECRETS | {"DJANGO_DEBUG": "false"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG=false no longer selects production" in result.stderr
    assert f"DJANGO_SETTINGS_MODULE={PRODUCTION}" in result.stderr


# ---------------------------------------------------------------------------
# Test settings (this process)
# ---------------------------------------------------------------------------
def test_the_suite_runs_on_the_test_settings():
    assert settings.SETTINGS_MODULE == "guilin_portal.settings.test"
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert settings.DEMO_MODE is True
    assert settings.PORTAL_REQUIRE_2FA is False
    assert "whitenoise.middleware.WhiteNoiseMiddleware" not in settings.MIDDLEWARE


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql", reason="a PostgreSQL planner setting"
)
def test_postgresql_connections_carry_the_planners_random_page_cost(db):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert float(cursor.fetchone()[0]) == settings.DATABASE_RANDOM_PAGE_COST != 4


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql", reason="a PostgreSQL planner setting"
)
def test_postgresql_connections_compile_no_statement_just_in_time(db):
    """JIT compiling cost the city dashboard's one-statement aggregates more than running them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
