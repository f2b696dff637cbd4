"""A phone-sized browser: a volunteer signs up for an activity, the pages fit 390 px, the leader's pages too."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.conftest import DESK, PHONE, log_in, no_horizontal_scroll
from volunteers.models import ActivitySignup

from .factories import community_of, home_team, make_activity

pytestmark = [pytest.mark.browser]


def test_organ_member_signs_up_on_a_phone(seeded_transactional_db, page_factory, shoot):
    activity = make_activity(unit=community_of(), team=home_team(), starts_at=timezone.now() + timedelta(days=2))
    page = page_factory(viewport=PHONE)
    log_in(page, "organ_member")

    page.goto("/volunteers/")
    assert page.locator("h1").inner_text() == "志愿服务"
    assert no_horizontal_scroll(page)
    shoot(page, "home")

    page.goto(f"/volunteers/activities/{activity.pk}/")
    page.get_by_role("button", name="我要报名").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("报名成功").is_visible()
    assert page.get_by_role("button", name="取消报名").is_visible()
    assert no_horizontal_scroll(page)
    shoot(page, "signed-up")
    assert ActivitySignup.objects.filter(activity=activity, volunteer__user__username="organ_member").exists()

    for url in ["/volunteers/me/", "/volunteers/activities/?view=calendar", "/volunteers/leaderboard/"]:
        page.goto(url)
        assert no_horizontal_scroll(page), url
        shoot(page, url.strip("/").replace("/", "-").replace("?", "-"))
    assert page.errors == []


def test_team_leader_pages_fit_a_phone_and_a_desk(seeded_transactional_db, page_factory, shoot):
    team = home_team()
    for viewport, name in ((PHONE, "phone"), (DESK, "desk")):
        page = page_factory(viewport=viewport)
        log_in(page, "xiufeng_team_leader")
        for url in [
            f"/volunteers/teams/{team.pk}/",
            "/volunteers/records/?status=pending",
            "/volunteers/activities/new/?team=" + str(team.pk),
        ]:
            page.goto(url)
            assert page.locator("h1").is_visible()
            assert no_horizontal_scroll(page), (name, url)
            shoot(page, f"{name}-{url.strip('/').replace('/', '-').replace('?', '-')}")
        assert page.errors == []
