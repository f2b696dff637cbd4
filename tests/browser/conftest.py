"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium) against a live server.

Screenshots of every step go to $BROWSER_SCREENSHOTS (default artifacts/screenshots),
which CI keeps. Without Chromium on the machine these tests are skipped (see the
root conftest); `.ci/run` installs it.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(
    os.environ.get("BROWSER_SCREENSHOTS", Path(__file__).resolve().parents[2] / "artifacts" / "screenshots")
)
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}

# Playwright's sync API runs an event loop in this thread; Django's ORM calls in the
# test body are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


_running: dict = {}


def _launch():
    """One Playwright and one Chromium per test process, however many conftests import the fixture.

    Playwright's sync API cannot start twice in one process (its event loop is
    already running), and several app folders import `browser` from here.
    """
    if "browser" not in _running:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        _running["playwright"] = playwright
        _running["browser"] = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
    return _running["browser"]


def stop_browser() -> None:
    """Called once at the end of the session (tests/conftest.py)."""
    browser = _running.pop("browser", None)
    playwright = _running.pop("playwright", None)
    if browser is not None:
        browser.close()
    if playwright is not None:
        playwright.stop()


@pytest.fixture(scope="session")
def browser():
    return _launch()


@pytest.fixture
def page_factory(browser, live_server):
    """New pages with their own cookies: page_factory(viewport=PHONE)."""
    contexts = []

    def make(viewport=PHONE, locale="zh-CN"):
        context = browser.new_context(viewport=viewport, locale=locale, base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def shoot(request):
    """shoot(page, "step-name"): a full-page screenshot named after the test and the step."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 100))

    def take(page, step: str) -> Path:
        path = SCREENSHOTS / f"{request.node.name}-{next(counter):02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def log_in(page, username: str, password: str | None = None) -> None:
    from guilin_portal.demo import DEMO_PASSWORD

    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password or DEMO_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
