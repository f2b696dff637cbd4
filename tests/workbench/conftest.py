"""The workbench's browser tests use the shared Chromium of tests/browser."""

from tests.browser.conftest import browser, page_factory  # noqa: F401
