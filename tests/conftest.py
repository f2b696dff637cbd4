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

import pytest
from django.core.management import call_command
from django.test import Client

from grids.models import GridUnit, User

DEMO_SCALE = 0.01
DEMO_SEED = 7


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
