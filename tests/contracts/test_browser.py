"""Contracts in a real browser: a unit contact reports progress on a phone; the public board and staff pages fit."""

import pytest

from contracts.models import Progress
from guilin_portal.demo import DEMO_PASSWORD
from tests.browser.conftest import DESK, PHONE, log_in, no_horizontal_scroll

from . import factories as f

pytestmark = [pytest.mark.browser]


def test_unit_contact_reports_progress_on_a_phone(seeded_transactional_db, page_factory, shoot):
    community, staff = f.community()
    unit, contact = f.cobuilding_unit()
    contact.set_password(DEMO_PASSWORD)
    contact.save()
    contract = f.contract(
        community=community,
        staff=staff,
        unit=unit,
        commitments=[{"kind": "count", "weight": 2, "targets": {2: 2, 4: 3}}],
    )
    page = page_factory(viewport=PHONE)
    log_in(page, contact.username)

    page.goto("/contracts/")
    assert no_horizontal_scroll(page)
    shoot(page, "my-contracts")
    page.get_by_role("link", name=unit.name).click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().startswith("测试共建契约")
    assert no_horizontal_scroll(page)
    shoot(page, "contract")

    page.get_by_role("link", name="填报").last.click()  # the fourth quarter
    page.wait_for_load_state("networkidle")
    page.select_option("#id_status", "met")
    page.fill("#id_achieved_count", "3")
    page.fill("#id_evidence_text", "开展健康义诊 3 次，服务群众 120 人次。")
    assert no_horizontal_scroll(page)
    shoot(page, "progress-form")
    page.get_by_role("button", name="保存进度").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("进度已保存").is_visible()
    assert no_horizontal_scroll(page)
    shoot(page, "saved")
    progress = Progress.objects.get(commitment__contract=contract, quarter=4)
    assert (progress.status, progress.achieved_count, progress.reported_by_id) == ("met", 3, contact.pk)
    assert page.errors == []


def test_public_board_and_staff_pages_fit_a_phone_and_a_desk(seeded_transactional_db, page_factory, shoot):
    phone = page_factory(viewport=PHONE)
    phone.goto("/contracts/board/")
    assert phone.locator("h1").inner_text().startswith("党务公开栏")
    assert no_horizontal_scroll(phone)
    shoot(phone, "board")
    phone.get_by_role("link", name="解东社区").click()
    phone.wait_for_load_state("networkidle")
    phone.locator("tbody a").first.click()
    phone.wait_for_load_state("networkidle")
    assert no_horizontal_scroll(phone)
    shoot(phone, "board-quarter")

    for viewport, name in ((PHONE, "phone"), (DESK, "desk")):
        page = page_factory(viewport=viewport)
        log_in(page, "xiufeng_orgdept")
        for url in ("/contracts/evaluations/", "/contracts/tallies/", "/contracts/awards/"):
            page.goto(url)
            assert page.locator("h1").is_visible()
            assert no_horizontal_scroll(page), (name, url)
            shoot(page, f"{name}-{url.strip('/').replace('/', '-')}")
        assert page.errors == []
