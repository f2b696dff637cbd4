"""pytest's settings (pyproject.toml): the embedded default, made fast and deterministic.

Everything development reads from the environment still applies (CI runs the suite with
DATABASE_URL, CELERY_BROKER_URL and DATABASE_REPLICA_URL), except what a test must not depend on:
the secret key, demo mode and the second factor are fixed here, and tests that need 2FA turn it
on themselves (`override_settings(PORTAL_REQUIRE_2FA=True)`).
"""

from .development import *  # noqa: F403

# As Django's test runner does anyway; fixed here so nothing read at import time depends on it.
DEBUG = False
SECRET_KEY = "insecure-test-only-key-never-used-outside-pytest"  # noqa: S105
DEMO_MODE = True
PORTAL_REQUIRE_2FA = False
# Hashing a password in microseconds instead of a third of a second: seeds and log-ins are fast.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Every readiness probe checks afresh (tests that exercise the shared verdict set their own seconds).
PORTAL_HEALTH_CACHE_SECONDS = 0
# An issue list's count is never cut short by its time budget: on a loaded machine (the suite beside a
# Celery worker on two cores) 15 ms ran out, the total became an estimate and the page a query longer.
# Tests of the budget itself set their own.
ISSUE_LIST_COUNT_BUDGET_MS = 10_000
