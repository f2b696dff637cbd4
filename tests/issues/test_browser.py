"""A phone-sized browser (360 px): a grid worker logs an issue, the community office takes it on, the pages fit."""

import pytest

from issues.models import Issue
from tests.browser.conftest import DESK, log_in, no_horizontal_scroll

pytestmark = [pytest.mark.browser]

SMALL_PHONE = {"width": 360, "height": 740}


def test_worker_logs_an_issue_on_a_360px_phone_and_the_office_accepts_it(seeded_transactional_db, page_factory, shoot):
    page = page_factory(viewport=SMALL_PHONE)
    log_in(page, "xiufeng_worker")
    page.goto("/issues/new/")
    assert no_horizontal_scroll(page)
    shoot(page, "log-form")
    page.select_option("#id_category", label="物业服务")
    page.fill("#id_description", "3栋电梯停运两天，老人上下楼困难。")
    page.fill("#id_resident_phone", "13907731234")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    issue = Issue.objects.filter(reporter__username="xiufeng_worker").latest("pk")
    assert page.url.endswith(f"/issues/{issue.pk}/")
    assert page.get_by_text(f"问题 #{issue.pk} 已登记").is_visible()
    assert no_horizontal_scroll(page)
    shoot(page, "logged")
    page.goto("/issues/mine/")
    assert page.get_by_role("link", name=f"#{issue.pk}").is_visible()
    assert no_horizontal_scroll(page)
    shoot(page, "my-issues")
    assert page.errors == []

    office = page_factory(viewport=SMALL_PHONE)
    log_in(office, "xiufeng_community")
    assert office.locator(".bell .badge").is_visible()  # unread notifications
    office.goto("/issues/inbox/")
    assert no_horizontal_scroll(office)
    shoot(office, "inbox")
    office.goto(f"/issues/{issue.pk}/")
    assert office.get_by_text("13907731234").is_visible()  # the handler sees the phone in full
    office.locator("details", has_text="受理").get_by_role("button", name="受理").click()
    office.wait_for_load_state("networkidle")
    assert office.get_by_text("已受理。").is_visible()
    assert no_horizontal_scroll(office)
    shoot(office, "accepted")
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.IN_PROGRESS
    assert office.errors == []


def test_supervision_and_detail_fit_a_desk_and_a_phone(seeded_transactional_db, page_factory, shoot):
    for viewport, name in ((DESK, "desk"), (SMALL_PHONE, "phone")):
        page = page_factory(viewport=viewport)
        log_in(page, "xiufeng_street")
        page.goto("/issues/supervision/")
        assert page.locator(".badge.red").first.is_visible()  # the overdue showcase issue
        assert no_horizontal_scroll(page)
        shoot(page, f"supervision-{name}")
        page.locator(".issue-list a").first.click()
        page.wait_for_load_state("networkidle")
        assert page.locator(".timeline li").count() >= 3
        assert no_horizontal_scroll(page)
        shoot(page, f"detail-{name}")
        assert page.errors == []
