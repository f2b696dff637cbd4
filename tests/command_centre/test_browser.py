"""The command-centre screen in Chromium at 1920×1080: opened by its link with nobody logged in, no console
error, no request leaving the server, and a figure that moves within one refresh after an issue is logged."""

import pytest

from command_centre.services import screen_link_create
from grids.models import GridUnit, Post, User
from grids.viewer import Viewer
from issues.models import IssueCategory
from issues.services import issue_log

pytestmark = [pytest.mark.browser]

WALL = {"width": 1920, "height": 1080}
REFRESH_SECONDS = 2


def test_the_wall_screen_follows_the_data_and_stays_on_the_server(
    seeded_transactional_db, page_factory, shoot, live_server, settings
):
    settings.COMMAND_CENTRE_REFRESH_SECONDS = REFRESH_SECONDS
    xiufeng = GridUnit.objects.get(level=GridUnit.Level.DISTRICT, name="秀峰区")
    staff = Viewer.for_user(User.objects.get(username="xiufeng_district"))
    _link, token = screen_link_create(viewer=staff, unit=xiufeng, name="秀峰区指挥中心")

    page = page_factory(viewport=WALL)
    outside: list[str] = []

    def only_the_server(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.context.route("**/*", only_the_server)
    page.goto(f"/screen/{token}/")
    figure = page.locator('[data-figure="today.logged"]')
    page.wait_for_function("el => el.textContent.trim() !== '–'", arg=figure.element_handle())
    page.wait_for_selector("#trend-chart canvas")
    before = int(figure.inner_text())
    assert page.locator("h1").inner_text().startswith("秀峰区")
    # Nothing scrolls: the screen is exactly the wall.
    assert page.evaluate(
        "document.documentElement.scrollWidth <= 1920 && document.documentElement.scrollHeight <= 1080"
    )
    shoot(page, "screen")

    # An issue is logged elsewhere (the domain service, as the worker's phone would through the API).
    worker = User.objects.get(username="xiufeng_worker")
    area = Post.objects.filter(user=worker, role=Post.Role.GRID_WORKER).select_related("unit").first().unit
    issue_log(
        reporter=worker,
        unit=area,
        category=IssueCategory.objects.filter(is_active=True).order_by("pk").first(),
        description="大屏测试：路灯不亮",
    )
    # Within one refresh (plus the shared read's half interval and a margin for a busy machine).
    page.wait_for_function(
        "([el, n]) => parseInt(el.textContent, 10) === n",
        arg=[figure.element_handle(), before + 1],
        timeout=(REFRESH_SECONDS * 2 + 6) * 1000,
    )
    shoot(page, "after-an-issue")

    assert outside == []
    assert page.errors == []
