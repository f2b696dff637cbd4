"""Pages: the public directory shows no personal data; staff pages follow jurisdiction; constant query counts."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grids.models import GridUnit, Post
from service_centers.models import RedStationService, ServiceKind, ServicePoint, ServicePointStaff

from .factories import new_district, point, red_station, staff_user, workstation

pytestmark = pytest.mark.django_db


def _queries(client: Client, url: str) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured), response


def _station_of(username: str) -> ServicePoint:
    return ServicePointStaff.objects.select_related("point").get(user__username=username).point


# ---------------------------------------------------------------------------
# Public pages
# ---------------------------------------------------------------------------
def test_the_public_directory_shows_no_contact_person():
    response = Client().get(reverse("service_centers:directory"))
    assert response.status_code == 200
    page = response.content.decode()
    shown = response.context["page"].object_list
    assert len(shown) == 30
    for listed in ServicePoint.objects.filter(pk__in=[p.pk for p in shown]):
        assert listed.name in page
        assert listed.contact_name not in page
        assert listed.contact_phone not in page


def test_the_public_directory_filters_by_kind_level_and_district(unit_named):
    yangshuo = unit_named("阳朔县")
    url = reverse("service_centers:directory")
    response = Client().get(url, {"kind": "red_station", "district": yangshuo.pk})
    points = list(response.context["page"].object_list)
    assert points
    assert all(p.kind == "red_station" and p.unit.path.startswith(yangshuo.path) for p in points)
    response = Client().get(url, {"kind": "party_center", "level": "county"})
    assert response.context["page"].paginator.count == GridUnit.objects.filter(level=GridUnit.Level.DISTRICT).count()


def test_the_public_detail_shows_services_hours_and_address_but_no_contact():
    station = _station_of("yangshuo_station")
    response = Client().get(reverse("service_centers:point_public", args=[station.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert station.address in page
    assert station.opening_hours in page
    assert all(kind.name in page for kind in station.menu.all())
    assert station.contact_name not in page
    assert station.contact_phone not in page


def test_an_inactive_point_is_not_public():
    _district, _street, community = new_district()
    closed = point(community, is_active=False)
    assert Client().get(reverse("service_centers:point_public", args=[closed.pk])).status_code == 404


def test_the_directory_takes_the_same_queries_for_3_and_for_30_points():
    district, _street, community = new_district()
    url = reverse("service_centers:directory") + f"?district={district.pk}"
    for _ in range(3):
        point(community)
    few, response = _queries(Client(), url)
    assert response.context["page"].paginator.count == 3
    for _ in range(27):
        point(community)
    many, response = _queries(Client(), url)
    assert response.context["page"].paginator.count == 30
    assert few == many


# ---------------------------------------------------------------------------
# Staff pages
# ---------------------------------------------------------------------------
def test_staff_lists_and_overview_take_the_same_queries_for_3_and_for_30_points():
    district, _street, community = new_district()
    user = staff_user(district)
    client = Client()
    client.force_login(user)
    urls = [
        reverse("service_centers:point_list", args=[district.pk]),
        reverse("service_centers:network", args=[district.pk]),
        reverse("service_centers:compliance", args=[district.pk]),
    ]
    for _ in range(3):
        point(community)
        workstation(community)
    few = [_queries(client, url)[0] for url in urls]
    for _ in range(27):
        point(community)
        workstation(community)
    many = [_queries(client, url)[0] for url in urls]
    assert few == many
    _count, response = _queries(client, urls[0])
    assert response.context["page"].paginator.count == 60
    assert "联系人甲乙" in response.content.decode()  # staff see the contact person


def test_the_network_page_shows_the_counts_and_areas_of_the_unit(client_as, unit_named):
    district = unit_named("秀峰区")
    response = client_as("xiufeng_district").get(reverse("service_centers:network", args=[district.pk]))
    assert response.status_code == 200
    overview = response.context["overview"]
    assert overview.total_points == ServicePoint.objects.filter(unit__path__startswith=district.path).count()
    assert (
        overview.party_centers
        == ServicePoint.objects.filter(unit__path__startswith=district.path, kind="party_center").count()
    )


@pytest.mark.parametrize(
    ("username", "district_name"),
    [("qixing_worker", "秀峰区"), ("xiufeng_district", "阳朔县"), ("yangshuo_station", "阳朔县")],
)
def test_staff_pages_outside_jurisdiction_are_404(client_as, unit_named, username, district_name):
    district = unit_named(district_name)
    client = client_as(username)
    inside = ServicePoint.objects.filter(unit__path__startswith=district.path).exclude(staff__user__username=username)
    for url in [
        reverse("service_centers:network", args=[district.pk]),
        reverse("service_centers:point_list", args=[district.pk]),
        reverse("service_centers:compliance", args=[district.pk]),
        reverse("service_centers:ratings", args=[district.pk]),
        reverse("service_centers:point_detail", args=[inside.first().pk]),
        reverse("service_centers:point_rate", args=[inside.first().pk]),
    ]:
        assert client.get(url).status_code == 404, url


def test_station_staff_see_and_log_only_their_station(client_as, unit_named):
    own = _station_of("yangshuo_station")
    _district, _street, community = new_district()
    other = red_station(community)
    client = client_as("yangshuo_station")
    home = client.get(reverse("service_centers:staff_home"))
    assert home.status_code == 302
    assert home["Location"] == reverse("service_centers:red_station_log", args=[own.pk])
    assert client.get(reverse("service_centers:red_station_log", args=[own.pk])).status_code == 200
    assert client.get(reverse("service_centers:point_detail", args=[own.pk])).status_code == 200
    kind = own.menu.first()
    assert (
        client.post(reverse("service_centers:red_station_log", args=[other.pk]), {"service_kind": kind.pk}).status_code
        == 404
    )
    assert not RedStationService.objects.filter(point=other).exists()


def test_one_tap_on_the_phone_page_logs_once_even_when_sent_twice(client_as):
    station = _station_of("yangshuo_station")
    client = client_as("yangshuo_station")
    url = reverse("service_centers:red_station_log", args=[station.pk])
    kind = station.menu.order_by("sort_order").first()
    key = str(uuid.uuid4())
    before = RedStationService.objects.filter(point=station).count()
    first = client.post(url, {"service_kind": kind.pk, "client_key": key, "note": "游客问路"})
    second = client.post(url, {"service_kind": kind.pk, "client_key": key, "note": "游客问路"})
    assert first.status_code == second.status_code == 302
    assert RedStationService.objects.filter(point=station).count() == before + 1
    entry = RedStationService.objects.get(point=station, client_key=key)
    assert entry.logged_by.username == "yangshuo_station"
    assert entry.note == "游客问路"
    page = client.get(url).content.decode()
    assert "游客问路" in page


def test_a_refused_tap_shows_the_services_message(client_as):
    station = _station_of("yangshuo_station")
    off_menu = ServiceKind.objects.exclude(pk__in=station.menu.values("pk")).first()
    response = client_as("yangshuo_station").post(
        reverse("service_centers:red_station_log", args=[station.pk]), {"service_kind": off_menu.pk}
    )
    assert response.status_code == 400
    assert "不在本驿站的服务菜单上" in response.content.decode()


def test_a_point_one_reads_but_does_not_run_is_403(client_as, demo_user):
    worker = demo_user("qixing_worker")
    area = Post.objects.filter(user=worker).select_related("unit").first().unit
    station = red_station(area)
    client = client_as("qixing_worker")
    assert client.get(reverse("service_centers:point_detail", args=[station.pk])).status_code == 200
    assert client.get(reverse("service_centers:red_station_log", args=[station.pk])).status_code == 403


def test_a_meeting_in_the_future_is_refused_on_the_page(client_as, unit_named):
    district = unit_named("秀峰区")
    community = GridUnit.objects.filter(path__startswith=district.path, level=GridUnit.Level.COMMUNITY).first()
    station = workstation(community)
    response = client_as("xiufeng_district").post(
        reverse("service_centers:meeting_create", args=[station.pk]),
        {
            "held_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            "topic": "加装电梯",
            "attendees": "党员8人",
            "attendee_count": 8,
            "decisions": "征求意见",
        },
    )
    assert response.status_code == 400
    assert "不能晚于今天" in response.content.decode()
    assert not station.meetings.exists()


def test_recording_an_activity_and_a_rating_on_the_pages(client_as, unit_named):
    district = unit_named("秀峰区")
    community = GridUnit.objects.filter(path__startswith=district.path, level=GridUnit.Level.COMMUNITY).first()
    station = workstation(community)
    client = client_as("xiufeng_district")
    response = client.post(
        reverse("service_centers:activity_create", args=[station.pk]),
        {
            "held_on": timezone.localdate().isoformat(),
            "title": "清洁家园",
            "category": "environment",
            "participants": 20,
        },
    )
    assert response.status_code == 302
    assert station.workstation_activities.get().title == "清洁家园"
    scores = {"score_organisation": 9, "score_venue": 9, "score_service": 9, "score_team": 9, "score_democracy": 9}
    bad = client.post(
        reverse("service_centers:point_rate", args=[station.pk]), {"year": 2024, **scores, "score_support": 12}
    )
    assert bad.status_code == 400
    assert "工作保障制度化" in bad.content.decode()
    good = client.post(
        reverse("service_centers:point_rate", args=[station.pk]), {"year": 2024, **scores, "score_support": 9}
    )
    assert good.status_code == 302
    assert station.ratings.get().stars == 5


def test_rating_a_compound_keeps_its_history(client_as, unit_named):
    district = unit_named("秀峰区")
    compound = GridUnit.objects.filter(path__startswith=district.path, level=GridUnit.Level.COMPOUND).first()
    client = client_as("xiufeng_district")
    url = reverse("service_centers:compound_rate", args=[compound.pk])
    scores = dict.fromkeys(
        ("score_organisation", "score_venue", "score_service", "score_team", "score_democracy", "score_support"), 7
    )
    assert client.post(url, {"year": 2024, **scores}).status_code == 302
    assert client.post(url, {"year": 2024, **{**scores, "score_team": 10}}).status_code == 302
    history = client.get(url).context["history"]
    assert [(r.total, r.is_current) for r in history if r.year == 2024] == [(45, True), (42, False)]
