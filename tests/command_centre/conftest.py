"""The browser fixtures of tests/browser, for the screen's wall-sized test."""

from tests.browser.conftest import browser, page_factory, shoot  # noqa: F401
