"""A phone-sized browser: the demo team's leader works through the resident demands routed to the team."""

import pytest

from issues.models import Issue
from tests.browser.conftest import DESK, PHONE, log_in, no_horizontal_scroll

from .factories import home_team

pytestmark = [pytest.mark.browser]


def test_team_leader_works_a_demand_on_a_phone_and_a_desk(seeded_transactional_db, page_factory, shoot):
    team = home_team()
    waiting = Issue.objects.filter(handler_team=team, status=Issue.Status.ALLOCATED).order_by("pk").first()
    split = Issue.objects.filter(handler_team=team, status=Issue.Status.DECOMPOSED).first()
    urls = [
        f"/volunteers/teams/{team.pk}/issues/",
        f"/volunteers/teams/{team.pk}/issues/?all=1",
        f"/volunteers/demands/{split.pk}/",
        f"/volunteers/demands/{waiting.pk}/",
    ]
    for viewport, name in ((PHONE, "phone"), (DESK, "desk")):
        page = page_factory(viewport=viewport)
        log_in(page, "xiufeng_team_leader")
        for url in urls:
            page.goto(url)
            assert page.locator("h1").is_visible()
            assert no_horizontal_scroll(page), (name, url)
            shoot(page, f"demand-{name}-{url.strip('/').replace('/', '-').replace('?', '-')}")
        assert page.errors == []

    # On the phone: accept the waiting demand, then it is in progress in grids' life cycle.
    page = page_factory(viewport=PHONE)
    log_in(page, "xiufeng_team_leader")
    page.goto(f"/volunteers/demands/{waiting.pk}/")
    page.get_by_role("button", name="受理").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("已受理").first.is_visible()
    assert Issue.objects.get(pk=waiting.pk).status == Issue.Status.IN_PROGRESS
    assert page.get_by_role("button", name="安排班次").is_visible()
    assert no_horizontal_scroll(page)
    shoot(page, "demand-phone-accepted")
