"""On a phone: the public directory and the red station's one-tap page fit 390 px without horizontal scrolling."""

import pytest

from service_centers.models import RedStationService, ServicePointStaff
from tests.browser.conftest import PHONE, browser, log_in, no_horizontal_scroll, page_factory, shoot  # noqa: F401

pytestmark = [pytest.mark.browser]


def test_the_public_directory_on_a_phone(seeded_transactional_db, page_factory, shoot):  # noqa: F811
    page = page_factory(viewport=PHONE)
    page.goto("/service-points/")
    assert page.locator("h1").inner_text().startswith("党群服务阵地目录")
    assert no_horizontal_scroll(page)
    shoot(page, "directory")
    page.locator(".point-list a").first.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("开放时间").first.is_visible()
    assert no_horizontal_scroll(page)
    shoot(page, "detail")
    assert page.errors == []


def test_a_red_station_logs_a_service_with_one_tap(seeded_transactional_db, page_factory, shoot):  # noqa: F811
    station = ServicePointStaff.objects.get(user__username="yangshuo_station").point
    before = RedStationService.objects.filter(point=station).count()
    page = page_factory(viewport=PHONE)
    log_in(page, "yangshuo_station")
    page.goto("/service-points/staff/")
    page.wait_for_load_state("networkidle")
    assert f"/staff/points/{station.pk}/log/" in page.url
    assert no_horizontal_scroll(page)
    shoot(page, "log-page")
    page.locator("button.tap").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".msg-success").inner_text().startswith("已登记：")
    assert RedStationService.objects.filter(point=station).count() == before + 1
    assert no_horizontal_scroll(page)
    shoot(page, "logged")
    page.goto(f"/service-points/staff/points/{station.pk}/")
    assert no_horizontal_scroll(page)
    shoot(page, "station")
    assert page.errors == []


def test_the_network_overview_on_a_phone(seeded_transactional_db, page_factory, shoot):  # noqa: F811
    page = page_factory(viewport=PHONE)
    log_in(page, "xiufeng_district")
    page.goto("/service-points/staff/")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().startswith("秀峰区")
    assert no_horizontal_scroll(page)
    shoot(page, "overview")
    assert page.errors == []
