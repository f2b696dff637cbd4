"""The issue form's map at 360 px and at a desk: a worker taps the map where the problem is, the
micro-grid under the tap is selected, and the logged issue keeps the point (WGS-84) and that grid."""

import pytest

from grids.models import GridUnit
from issues.models import Issue
from issues.selectors import default_log_unit
from tests.browser.conftest import DESK, log_in, no_horizontal_scroll
from tests.browser.phone import PHONE_360, measure

from .geometry import tile_subtree

pytestmark = [pytest.mark.browser]

# The worker's micro-grid in a box of the test's own, away from the demo's boundaries
BOX = (24.0000, 110.2800, 24.0100, 110.3000)  # south of the demo city (24.3° N): nothing else there


def _worker_grid(demo_user):
    unit = default_log_unit(viewer=demo_user("xiufeng_worker"))
    tile_subtree(unit, *BOX)
    return unit


def _tap(page, lat: float, lng: float) -> None:
    """A tap on the map at a WGS-84 point (the test's settings draw in WGS-84: no tiles, no conversion)."""
    point = page.evaluate(
        "([lat, lng]) => { const el = document.querySelector('[data-location-map]');"
        " el.scrollIntoView({block: 'center'});"
        " const p = el.portalMap.latLngToContainerPoint([lat, lng]); const r = el.getBoundingClientRect();"
        " return {x: r.left + p.x, y: r.top + p.y}; }",
        [lat, lng],
    )
    page.mouse.click(point["x"], point["y"])


@pytest.mark.parametrize("viewport", [PHONE_360, DESK], ids=["phone", "desk"])
def test_a_worker_logs_an_issue_by_tapping_the_map(seeded_transactional_db, demo_user, local_page, shoot, viewport):
    # Given the worker's micro-grid and its units carry boundaries
    area = _worker_grid(demo_user)
    target = (
        GridUnit.objects.filter(path__startswith=area.path, level=GridUnit.Level.ZONE).order_by("path").last()
        or GridUnit.objects.filter(path__startswith=area.path).order_by("path").last()
    )
    page = local_page(viewport=viewport)
    log_in(page, "xiufeng_worker")
    page.goto("/issues/new/")
    page.wait_for_selector("[data-location-picker][data-ready='1']")
    page.wait_for_load_state("networkidle")
    assert page.locator(".leaflet-overlay-pane path").count() >= 2  # the grid and its children, as vectors
    assert page.locator(".leaflet-tile").count() == 0
    shoot(page, "form-map")

    # When they tap the map inside the deepest unit (its centroid)
    _tap(page, target.centroid_lat, target.centroid_lng)
    status = page.locator("[data-location-status]")
    status.filter(has_text=target.name).wait_for()
    # Then that unit is selected in the form and the hidden fields hold the point
    assert page.locator("[name=unit]").input_value() == str(target.pk)
    assert abs(float(page.locator("[name=latitude]").input_value()) - target.centroid_lat) < 0.0005
    assert abs(float(page.locator("[name=longitude]").input_value()) - target.centroid_lng) < 0.0005
    assert no_horizontal_scroll(page)
    assert measure(page)["small"] == []
    shoot(page, "tapped")

    page.select_option("[name=category]", index=1)
    page.fill("[name=description]", "路灯不亮，地图点选位置")
    page.locator("form[data-once] button[type=submit]").click()
    page.wait_for_url("**/issues/*/")
    issue = Issue.objects.order_by("-pk").first()
    assert issue.description == "路灯不亮，地图点选位置"
    assert issue.unit_id == target.pk
    assert abs(float(issue.latitude) - target.centroid_lat) < 0.0005
    assert abs(float(issue.longitude) - target.centroid_lng) < 0.0005
    assert issue.location_accuracy is None  # placed by hand: no GPS accuracy
    assert page.outside == []
    assert page.failed == []
    assert page.errors == []


def test_use_my_location_fills_the_point_with_its_accuracy(seeded_transactional_db, demo_user, local_page, shoot):
    area = _worker_grid(demo_user)
    page = local_page(viewport=PHONE_360)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": area.centroid_lat, "longitude": area.centroid_lng, "accuracy": 18})
    log_in(page, "xiufeng_worker")
    page.goto("/issues/new/")
    page.wait_for_selector("[data-location-picker][data-ready='1']")
    page.get_by_role("button", name="使用我的位置").click()
    page.locator("[data-location-status]").filter(has_text="精度约 18 米").wait_for()
    assert page.locator("[name=location_accuracy]").input_value() == "18"
    assert abs(float(page.locator("[name=latitude]").input_value()) - area.centroid_lat) < 0.00001
    assert page.locator(".leaflet-overlay-pane path").count() >= 3  # + the accuracy circle
    shoot(page, "gps")
    assert page.outside == []
    assert page.failed == []
    assert page.errors == []
