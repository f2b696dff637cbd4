"""On a phone (360×740): the renovation pages fit the screen, have no target under 24×24 px and pass
axe-core (no critical or serious violation); the district staff reach them from the menu."""

import pytest

from grids.models import GridUnit
from renovation.models import Project
from tests.browser.conftest import browser, log_in, page_factory, shoot  # noqa: F401
from tests.browser.phone import PHONE_360, axe_scan, measure

pytestmark = [pytest.mark.browser]


def _fits(page) -> None:
    found = measure(page)
    assert found["overflow"] is False, found["wide"]
    assert found["small"] == [], found["small"]
    assert axe_scan(page) == []


def test_the_renovation_pages_on_a_phone(seeded_transactional_db, page_factory, shoot):  # noqa: F811
    page = page_factory(viewport=PHONE_360)
    log_in(page, "xiufeng_district")
    assert page.locator('a[href="/renovation/"]').count() == 1  # in the menu
    page.goto("/renovation/")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().startswith("秀峰区")
    _fits(page)
    shoot(page, "list")
    xiufeng = GridUnit.objects.get(level=GridUnit.Level.DISTRICT, name="秀峰区")
    project = Project.objects.filter(unit__path__startswith=xiufeng.path).order_by("pk").first()
    page.goto(f"/renovation/projects/{project.pk}/")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == project.name
    _fits(page)
    shoot(page, "detail")
    assert page.errors == []
