"""Staff maps at 360 px and at a desk: the unit issue list's map (clusters and dots coloured by status, the
list's filters) and the unit dashboard's children shaded by a chosen figure; nothing fetched from elsewhere."""

import pytest

from grids.models import GridUnit
from tests.browser.conftest import DESK, log_in, no_horizontal_scroll
from tests.browser.phone import PHONE_360, measure

pytestmark = [pytest.mark.browser]


def _district() -> GridUnit:
    return GridUnit.objects.get(level=GridUnit.Level.DISTRICT, name="秀峰区")


@pytest.mark.parametrize("viewport", [PHONE_360, DESK], ids=["phone", "desk"])
def test_the_issue_list_map_shows_the_filtered_issues(seeded_transactional_db, local_page, shoot, viewport):
    district = _district()
    page = local_page(viewport=viewport)
    log_in(page, "xiufeng_district")
    page.goto(f"/dashboards/units/{district.pk}/issues/?period=year")
    page.wait_for_selector("[data-issue-list-map][data-ready='1']")
    page.wait_for_load_state("networkidle")
    markers = page.locator(".leaflet-marker-icon")
    assert markers.count() > 0  # dots or clusters
    assert page.locator(".leaflet-tile").count() == 0
    assert "有位置的问题" in page.locator("[data-map-note]").inner_text()
    assert any("/issues/map.json?" in url and "period=year" in url for url in page.requested)
    assert no_horizontal_scroll(page)
    assert measure(page)["small"] == []
    shoot(page, "issue-map")
    # the overdue filter of the list narrows the map: every dot left is red
    page.goto(f"/dashboards/units/{district.pk}/issues/?period=year&overdue=on")
    page.wait_for_selector("[data-issue-list-map][data-ready='1']")
    dots = page.locator(".leaflet-marker-icon.map-dot")
    assert dots.count() == page.locator(".leaflet-marker-icon.map-dot.status-overdue").count()
    assert page.locator(".map-cluster").count() == page.locator(".map-cluster.has-overdue").count()
    shoot(page, "overdue-map")
    assert page.outside == []
    assert page.failed == []
    assert page.errors == []


@pytest.mark.parametrize("viewport", [PHONE_360, DESK], ids=["phone", "desk"])
def test_the_dashboard_shades_the_children_by_a_chosen_figure(seeded_transactional_db, local_page, shoot, viewport):
    district = _district()
    page = local_page(viewport=viewport)
    log_in(page, "xiufeng_district")
    page.goto(f"/dashboards/units/{district.pk}/?period=year")
    page.wait_for_selector("[data-children-map][data-ready='1']")
    shapes = page.locator("[data-children-map] .leaflet-overlay-pane path")
    children = GridUnit.objects.filter(parent=district, boundary__isnull=False).count()
    assert children > 0
    assert shapes.count() == children
    fills = {shapes.nth(i).get_attribute("fill") for i in range(shapes.count())}
    assert "登记问题" in page.locator("[data-scale]").inner_text()
    page.select_option("[data-figure]", "resolution_rate")
    assert "办结率" in page.locator("[data-scale]").inner_text()
    assert fills  # shaded (a class colour, or grey for a child with no figure)
    assert no_horizontal_scroll(page)
    shoot(page, "children-map")
    assert page.outside == []
    assert page.failed == []
    assert page.errors == []
