"""Fixtures for the issues tests: the browser ones come from tests/browser; `world`, a small city of
their own for the service tests."""

import pytest

from tests.browser.conftest import browser, page_factory, shoot  # noqa: F401

from .world import World, build_world


@pytest.fixture
def world(db) -> World:
    return build_world()
