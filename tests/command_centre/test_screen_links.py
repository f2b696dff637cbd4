"""Screen links: made by district staff over their unit, opened with nobody logged in, revoked into a 404;
the screen's figures come live from the data, answer 304 when unchanged and carry no personal data."""

import json
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from command_centre.models import ScreenLink
from command_centre.selectors import screen_figures
from command_centre.services import screen_link_create, screen_link_open, screen_link_revoke
from grids.models import GridUnit
from grids.viewer import Viewer
from issues.models import Issue, IssueCategory
from issues.services import issue_log

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_shared_read(settings):
    # Each request reads afresh (the cache shares a read between displays for half an interval).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def district(name: str) -> GridUnit:
    return GridUnit.objects.get(level=GridUnit.Level.DISTRICT, name=name)


def link_for(unit: GridUnit, username: str = "xiufeng_district", demo_user=None) -> tuple[ScreenLink, str]:
    from grids.models import User

    return screen_link_create(viewer=Viewer.for_user(User.objects.get(username=username)), unit=unit, name="一号墙屏")


def screen_urls(token: str) -> tuple[str, str]:
    return reverse("command_centre:screen", args=[token]), reverse("command_centre:screen_data", args=[token])


def log_issue_in(unit_root: GridUnit, username: str = "xiufeng_worker") -> Issue:
    from grids.models import Post, User

    worker = User.objects.get(username=username)
    area = Post.objects.filter(user=worker, role=Post.Role.GRID_WORKER).select_related("unit").first().unit
    assert area.path.startswith(unit_root.path)
    issue, _created = issue_log(
        reporter=worker,
        unit=area,
        category=IssueCategory.objects.filter(is_active=True).order_by("pk").first(),
        description="楼道灯坏了，晚上看不见台阶",
        resident_name="屏幕测试居民",
        resident_phone="13900001234",
        location_text="测试路 8 号",
    )
    return issue


def test_district_staff_make_a_link_and_the_display_opens_it_without_logging_in(client_as):
    xiufeng = district("秀峰区")
    response = client_as("xiufeng_district").post(
        reverse("command_centre:link_list"), {"name": "秀峰区指挥中心", "unit": xiufeng.pk}
    )
    assert response.status_code == 200
    url = re.search(r"<code>(http[^<]+)</code>", response.content.decode())[1]
    link = ScreenLink.objects.get()
    assert link.unit == xiufeng
    assert link.created_by.username == "xiufeng_district"
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert token.split(".")[1] not in link.secret_hash  # only a hash of the secret is kept

    page = Client().get(url)
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "no-referrer"
    body = page.content.decode()
    assert "秀峰区" in body
    assert "<script>" not in body
    data = Client().get(screen_urls(token)[1])
    assert data.status_code == 200
    assert data.json()["unit"]["name"] == "秀峰区"


def test_the_link_list_shows_only_the_viewers_districts(client_as):
    link_for(district("秀峰区"))
    page = client_as("xiufeng_district").get(reverse("command_centre:link_list"))
    assert page.status_code == 200
    assert "一号墙屏" in page.content.decode()
    outsider = client_as(_qixing_district_username()).get(reverse("command_centre:link_list"))
    assert outsider.status_code == 200
    assert "一号墙屏" not in outsider.content.decode()


def _qixing_district_username() -> str:
    from grids.models import Post

    return (
        Post.objects.filter(role=Post.Role.DISTRICT_STAFF, unit__name="七星区")
        .order_by("user__username")
        .values_list("user__username", flat=True)
        .first()
    )


def test_only_district_staff_over_the_unit_may_make_a_link(client_as, demo_user):
    xiufeng = district("秀峰区")
    for username in ("xiufeng_worker", "xiufeng_community", "xiufeng_street", _qixing_district_username()):
        with pytest.raises(PermissionDenied):
            screen_link_create(viewer=Viewer.for_user(demo_user(username)), unit=xiufeng, name="x")
    # Below a street there is no command centre to put a screen in.
    community = GridUnit.objects.filter(level=GridUnit.Level.COMMUNITY, path__startswith=xiufeng.path).first()
    with pytest.raises(PermissionDenied):
        screen_link_create(viewer=Viewer.for_user(demo_user("xiufeng_district")), unit=community, name="x")
    # Pages: a worker is refused; district staff of another district cannot name 秀峰区 (a form error).
    assert client_as("xiufeng_worker").get(reverse("command_centre:link_list")).status_code == 403
    refused = client_as(_qixing_district_username()).post(
        reverse("command_centre:link_list"), {"name": "x", "unit": xiufeng.pk}
    )
    assert refused.status_code == 400
    assert not ScreenLink.objects.exists()


def test_a_revoked_or_unknown_link_is_a_404_on_the_page_and_the_data(client_as):
    link, token = link_for(district("秀峰区"))
    page, data = screen_urls(token)
    assert Client().get(data).status_code == 200

    outsider = client_as(_qixing_district_username())
    assert outsider.post(reverse("command_centre:link_revoke", args=[link.pk])).status_code == 404
    assert client_as("xiufeng_worker").post(reverse("command_centre:link_revoke", args=[link.pk])).status_code == 404
    assert screen_link_open(token) is not None

    response = client_as("xiufeng_district").post(reverse("command_centre:link_revoke", args=[link.pk]))
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_by.username == "xiufeng_district"
    assert Client().get(page).status_code == 404
    assert Client().get(data).status_code == 404

    prefix, secret = token.split(".")
    for wrong in (f"{prefix}.{secret[:-2]}xx", f"deadbeef.{secret}", "nothing", prefix):
        assert Client().get(screen_urls(wrong)[0]).status_code == 404
        assert Client().get(screen_urls(wrong)[1]).status_code == 404


def test_revoking_twice_changes_nothing_and_an_outsider_cannot_revoke(demo_user):
    link, _token = link_for(district("秀峰区"))
    with pytest.raises(PermissionDenied):
        screen_link_revoke(viewer=Viewer.for_user(demo_user(_qixing_district_username())), link=link)
    staff = Viewer.for_user(demo_user("xiufeng_district"))
    first = screen_link_revoke(viewer=staff, link=link).revoked_at
    assert screen_link_revoke(viewer=staff, link=link).revoked_at == first


def test_the_data_answers_304_until_an_issue_is_logged(client_as):
    xiufeng = district("秀峰区")
    _link, token = link_for(xiufeng)
    data_url = screen_urls(token)[1]
    first = Client().get(data_url)
    etag = first["ETag"]
    assert Client().get(data_url, HTTP_IF_NONE_MATCH=etag).status_code == 304

    log_issue_in(xiufeng)
    changed = Client().get(data_url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["today"]["logged"] == first.json()["today"]["logged"] + 1


def test_the_screen_is_scoped_to_its_unit():
    xiufeng, qixing = district("秀峰区"), district("七星区")
    link, _token = link_for(xiufeng)
    before = screen_figures(link=link)
    log_issue_in(qixing, username="qixing_worker")
    after = screen_figures(link=link)
    assert after["today"]["logged"] == before["today"]["logged"]
    assert {row["name"] for row in after["overdue_by_child"]} <= set(
        GridUnit.objects.filter(parent=xiufeng).values_list("name", flat=True)
    ) | {"秀峰区（本级）"}


def test_no_personal_data_reaches_the_screen():
    xiufeng = district("秀峰区")
    _link, token = link_for(xiufeng)
    log_issue_in(xiufeng)
    # A demo issue resolved a moment ago, so the just-resolved list has it first.
    from django.utils import timezone

    issue = Issue.objects.filter(unit__path__startswith=xiufeng.path, status=Issue.Status.RESOLVED).first()
    Issue.objects.filter(pk=issue.pk).update(resolved_at=timezone.now(), updated_at=timezone.now())
    body = Client().get(screen_urls(token)[1]).content.decode()
    data = json.loads(body)
    assert data["just_resolved"][0]["category"] == issue.category.name
    assert set(data["just_resolved"][0]) == {"category", "unit", "at"}
    resolved = Issue.objects.filter(unit__path__startswith=xiufeng.path).exclude(resident_phone="")
    for name, phone, place, description in resolved.values_list(
        "resident_name", "resident_phone", "location_text", "description"
    ):
        for private in (name, phone, place, description[:12]):
            if private:
                assert private not in body


def test_the_screen_costs_the_same_number_of_queries_whatever_the_data():
    xiufeng = district("秀峰区")
    link, token = link_for(xiufeng)
    data_url = screen_urls(token)[1]
    Client().get(data_url)  # the first read after a write may bring the dashboards' roll-up up to date
    with CaptureQueriesContext(connection) as few:
        Client().get(data_url)
    for _ in range(3):
        log_issue_in(xiufeng)
    Client().get(data_url)
    with CaptureQueriesContext(connection) as more:
        Client().get(data_url)
    assert len(more) == len(few)
    assert len(few) <= 40
