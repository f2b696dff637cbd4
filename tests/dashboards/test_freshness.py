"""Fresh figures: on the embedded default (no broker, so no beat) a logged issue shows at once in every
figure (the dashboard, the city overview, the statistics API); where beat refreshes the roll-up, the
page gives the real as-of time and the interval, and says "live" only where it is."""

import datetime as dt

import pytest
from django.utils import timezone

from dashboards.services import api_key_issue, issue_rollup_rebuild, issue_rollup_state
from grids.models import GridUnit
from issues import selectors, services
from issues.models import IssueCategory

pytestmark = pytest.mark.django_db


def _log(worker) -> None:
    services.issue_log(
        reporter=worker,
        unit=selectors.default_log_unit(viewer=worker),
        category=IssueCategory.objects.filter(is_active=True).order_by("pk").first(),
        description="路灯不亮，晚上看不清路。",
    )


def _figures(client_as, unit_named):
    district = unit_named("秀峰区")
    page = client_as("xiufeng_district").get(f"/dashboards/units/{district.pk}/")
    overview = client_as("admin").get("/dashboards/city/")
    assert page.status_code == overview.status_code == 200
    logged_overview = overview.context["overview"].sections["issues"]["logged"]
    return page, page.context["issues"].figures.logged, logged_overview


def test_on_the_embedded_default_a_logged_issue_is_in_every_figure_at_once(client_as, unit_named, demo_user, settings):
    settings.DASHBOARDS_REFRESH_ON_READ = True  # what no broker means (tests run without one too)
    issue_rollup_rebuild()
    _page, district_before, city_before = _figures(client_as, unit_named)
    _log(demo_user("xiufeng_worker"))
    page, district_after, city_after = _figures(client_as, unit_named)
    assert district_after == district_before + 1
    assert city_after == city_before + 1
    assert issue_rollup_state().as_of <= timezone.now()
    assert "实时" in page.content.decode()
    assert "每 5 分钟更新" not in page.content.decode()


def test_the_statistics_api_counts_a_logged_issue_at_once_on_the_embedded_default(demo_user, settings, client):
    settings.DASHBOARDS_REFRESH_ON_READ = True
    issue_rollup_rebuild()
    district = GridUnit.objects.get(level=GridUnit.Level.DISTRICT, name="秀峰区")
    _key, secret = api_key_issue(
        name="freshness", unit=district, expires_at=timezone.now() + dt.timedelta(days=1), created_by=None
    )

    def logged() -> int:
        response = client.get("/api/v1/stats/issues/", HTTP_AUTHORIZATION=f"Api-Key {secret}")
        assert response.status_code == 200, response.content[:300]
        return response.json()["totals"]["logged"]

    before = logged()
    _log(demo_user("xiufeng_worker"))
    assert logged() == before + 1


def test_with_a_scheduler_the_page_gives_the_as_of_time_and_the_interval(client_as, unit_named, demo_user, settings):
    settings.DASHBOARDS_REFRESH_ON_READ = False  # beat refreshes the roll-up every five minutes
    issue_rollup_rebuild()
    _page, before, _city = _figures(client_as, unit_named)
    _log(demo_user("xiufeng_worker"))
    page, after, _city = _figures(client_as, unit_named)
    assert after == before  # as of the last refresh, and the page says so
    text = page.content.decode()
    assert "每 5 分钟更新" in text
    assert timezone.localtime(issue_rollup_state().as_of).strftime("%Y-%m-%d %H:%M") in text
    assert "问题统计为实时数据" not in text
