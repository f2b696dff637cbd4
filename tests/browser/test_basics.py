"""A phone-sized browser: log-in, the home page without horizontal scrolling, the language switch."""

import pytest

from .conftest import PHONE, log_in, no_horizontal_scroll

pytestmark = [pytest.mark.browser]


def test_worker_logs_in_on_a_phone_and_switches_to_english(seeded_transactional_db, page_factory, shoot):
    page = page_factory(viewport=PHONE)
    page.goto("/")
    assert page.locator("main").get_by_role("link", name="登录").is_visible()  # the public landing
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    shoot(page, "login")

    log_in(page, "xiufeng_worker")
    assert "您好" in page.locator("h1").inner_text()
    assert page.get_by_text("网格员").first.is_visible()
    assert no_horizontal_scroll(page)
    shoot(page, "home-zh")

    page.locator("details.menu > summary").click()  # the language switch is in the menu
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".workbench-card").count() == 1
    assert no_horizontal_scroll(page)
    shoot(page, "home-en")
    assert page.errors == []


def test_wrong_password_shows_a_message(seeded_transactional_db, page_factory):
    page = page_factory()
    log_in(page, "xiufeng_worker", "not-the-password")
    assert page.get_by_text("用户名或密码不正确").is_visible()
