"""The import page (with its boundary file field and boundary export link) and the people pages fit a
360 px phone: no horizontal scroll, targets of at least 24 px (issue 20)."""

from __future__ import annotations

import pytest

from .conftest import log_in
from .phone import PHONE_360, measure

pytestmark = [pytest.mark.browser]


def test_import_and_people_pages_fit_a_phone(seeded_transactional_db, page_factory, shoot):
    page = page_factory(viewport=PHONE_360)
    log_in(page, "xiufeng_street")
    for path, step in (("/imports/", "imports"), ("/people/", "people")):
        page.goto(path)
        assert page.locator("h1").is_visible()
        found = measure(page)
        assert found["overflow"] is False, (path, found)
        shoot(page, step)
    page.goto("/imports/")
    assert page.locator("input[type=file][name=boundaries]").count() == 1
    assert page.locator("a[href='/imports/export/boundaries.geojson']").count() == 1
    assert page.errors == []
