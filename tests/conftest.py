"""Fixtures shared by the whole suite.

The test database is seeded once per session with the demo city at a small
scale (`DEMO_SCALE`), so every test can act as the named demo accounts
(`xiufeng_worker`, `qixing_worker`, `xiufeng_district`...). Each test runs in a
transaction that is rolled back. Tests that need real commits
(`transactional_db`) run last (pytest-django orders them so) and reseed with
the `seeded_transactional_db` fixture, because Django empties the tables after
each of them.
"""

import io
import os
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.test import Client
from django.test.testcases import LiveServerThread

from grids.models import GridUnit, User
from guilin_portal.celery import app as celery_app

DEMO_SCALE = 0.01
DEMO_SEED = 7


class _OneRequestAtATimeOnSharedSQLite(ThreadedWSGIServer):
    """The live server's threads share the test's one in-memory SQLite connection, which is not safe
    under two queries at once: a page and the service worker's session check, sent together, hung the
    phone crawl. The views run one at a time there; reading sockets and streaming stay threaded, and
    with PostgreSQL (a connection per thread) nothing changes."""

    _view_lock = threading.Lock()

    def get_app(self):
        app = super().get_app()
        if not self.connections_override:
            return app

        def one_at_a_time(environ, start_response):
            with self._view_lock:
                return app(environ, start_response)

        return one_at_a_time


LiveServerThread.server_class = _OneRequestAtATimeOnSharedSQLite


def seed_demo_city() -> None:
    call_command(
        "seed_demo", scale=DEMO_SCALE, seed=DEMO_SEED, no_progress=True, stdout=io.StringIO(), stderr=io.StringIO()
    )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        seed_demo_city()


@pytest.fixture
def seeded_transactional_db(transactional_db):
    """A committed demo city for tests that need real transactions (locks, workers, on-commit)."""
    if not GridUnit.objects.exists():
        seed_demo_city()


@pytest.fixture
def demo_user(db):
    """Look up a demo account by username: demo_user("xiufeng_worker")."""

    def get(username: str) -> User:
        return User.objects.get(username=username)

    return get


@pytest.fixture
def client_as(db):
    """A test client logged in as the named demo account: client_as("qixing_worker")."""

    def make(username: str) -> Client:
        client = Client()
        client.force_login(User.objects.get(username=username))
        return client

    return make


@pytest.fixture
def unit_named(db):
    """The first unit with this name (districts and streets have unique names in the demo)."""

    def get(name: str) -> GridUnit:
        return GridUnit.objects.filter(name=name).order_by("path").first()

    return get


# ---------------------------------------------------------------------------
# Markers: postgres-only tests and tests that need a real Celery worker
# ---------------------------------------------------------------------------
def _on_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pytest_sessionfinish(session, exitstatus):
    from tests.browser.conftest import stop_browser

    stop_browser()


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL); SQLite has no row locks")
    skip_worker = pytest.mark.skip(reason="needs CELERY_BROKER_URL and PostgreSQL for a real worker")
    skip_browser = pytest.mark.skip(reason="needs Chromium at /usr/bin/chromium (apt-get install chromium)")
    has_chromium = os.path.exists("/usr/bin/chromium")
    for item in items:
        if "browser" in item.keywords and not has_chromium:
            item.add_marker(skip_browser)
        if "postgres" in item.keywords and not _on_postgres():
            item.add_marker(skip_pg)
        if "worker" in item.keywords and not (settings.CELERY_BROKER_URL and _on_postgres()):
            item.add_marker(skip_worker)


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language, whatever an earlier one activated."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _celery_mode(request):
    """Tasks run eagerly in tests, except in tests that use a real worker on a real broker."""
    eager = "worker" not in request.keywords
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(scope="session")
def live_worker(django_db_setup, django_db_blocker):
    """A real Celery worker process on the configured broker, reading the test database.

    Started once for the session's worker tests, bound to the local broker, and
    stopped by its process id afterwards.
    """
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = os.environ | {"DATABASE_URL": database_url, "CELERY_BROKER_URL": settings.CELERY_BROKER_URL}
    # Drop whatever an earlier, interrupted run left on the queues.
    celery_app.control.purge()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "guilin_portal",
            "worker",
            "-Q",
            "routing,tallies,default",
            "--concurrency",
            "2",
            "--loglevel",
            "INFO",
            "--hostname",
            f"pytest-{os.getpid()}@%h",
        ],
        env=env,
        cwd=settings.BASE_DIR,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the Celery worker exited with {process.returncode}")
            if celery_app.control.ping(timeout=1):
                break
        else:
            raise RuntimeError("the Celery worker did not answer a ping within 60 s")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
