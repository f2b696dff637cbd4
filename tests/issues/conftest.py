"""Fixtures for the issues tests: the browser ones come from tests/browser."""

from tests.browser.conftest import browser, page_factory, shoot  # noqa: F401
