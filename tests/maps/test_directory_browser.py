"""The public service-point directory's map at 360 px and at a desk: points drawn as vectors with no tile
server, "near me" sorting by the browser's position, navigation links; nothing fetched from elsewhere."""

import pytest

from service_centers.models import ServicePoint
from tests.browser.conftest import DESK, no_horizontal_scroll
from tests.browser.phone import PHONE_360, measure

pytestmark = [pytest.mark.browser]


@pytest.mark.parametrize("viewport", [PHONE_360, DESK], ids=["phone", "desk"])
def test_the_directory_map_draws_its_points_without_tiles(seeded_transactional_db, local_page, shoot, viewport):
    page = local_page(viewport=viewport)
    page.goto("/service-points/")
    page.wait_for_load_state("networkidle")
    shown = page.locator(".point-list > li").count()
    with_position = ServicePoint.objects.active().exclude(latitude=None).count()
    assert shown > 0
    assert with_position > 0
    map_box = page.locator("[data-directory-map]")
    assert map_box.is_visible()
    assert page.locator(".leaflet-tile").count() == 0  # no tile layer when MAP_TILE_URL is empty
    assert page.locator(".leaflet-marker-icon.map-dot").count() > 0
    page.locator(".leaflet-marker-icon.map-dot").first.click()
    popup = page.locator(".leaflet-popup-content")
    assert popup.is_visible()
    assert popup.locator("a[href*='uri.amap.com/marker']").count() == 1
    assert no_horizontal_scroll(page)
    assert measure(page)["small"] == []
    shoot(page, "directory-map")
    assert page.outside == []
    assert page.failed == []
    assert page.errors == []


def test_near_me_sorts_the_directory_by_distance(seeded_transactional_db, local_page, shoot):
    # Given a point with a position, and the visitor standing right next to it
    point = ServicePoint.objects.active().exclude(latitude=None).order_by("-pk").first()
    page = local_page(viewport=PHONE_360)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": float(point.latitude) + 0.0005, "longitude": float(point.longitude)})
    page.goto("/service-points/")
    page.get_by_role("button", name="离我最近").click()
    page.wait_for_url("**near=**")
    page.wait_for_load_state("networkidle")
    # Then the list starts with that point, about 60 m away, and the map still draws
    first = page.locator(".point-list > li").first
    assert point.name in first.inner_text()
    assert "距离约 60 米" in first.inner_text() or "距离约 50 米" in first.inner_text()
    assert page.get_by_role("link", name="取消按距离排序").is_visible()
    assert no_horizontal_scroll(page)
    shoot(page, "near-me")
    assert page.outside == []
    assert page.failed == []
    assert page.errors == []
