"""The browser fixtures of tests/browser, for the volunteer pages' phone tests."""

from tests.browser.conftest import browser, page_factory, shoot  # noqa: F401
