"""The browser fixtures of tests/browser, for the contract pages' phone and desk tests."""

from tests.browser.conftest import browser, page_factory, shoot  # noqa: F401
