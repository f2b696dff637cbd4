"""REST API: public read of the directory without personal data, scoped writes, 400s that name the field."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from grids.models import GridUnit, User
from service_centers.models import RedStationService, ServicePoint, ServicePointStaff

from .factories import new_district, point, staff_user, workstation

pytestmark = pytest.mark.django_db

BASE = "/api/v1/service-points/"
PERSONAL = ("contact_name", "contact_phone")


def api(username: str | None = None) -> APIClient:
    client = APIClient()
    if username:
        client.force_authenticate(User.objects.get(username=username))
    return client


def _station_of(username: str) -> ServicePoint:
    return ServicePointStaff.objects.select_related("point").get(user__username=username).point


def test_anyone_reads_the_directory_without_personal_data(unit_named):
    response = api().get(BASE, {"kind": "red_station", "district": unit_named("阳朔县").pk})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results
    assert all(row["kind"] == "red_station" and row["district"] == "阳朔县" for row in results)
    assert not any(field in row for row in results for field in PERSONAL)
    station = _station_of("yangshuo_station")
    detail = api().get(f"{BASE}{station.pk}/").json()
    assert {item["code"] for item in detail["menu"]} == set(station.menu.values_list("code", flat=True))
    assert not any(field in detail for field in PERSONAL)
    assert station.contact_phone not in str(detail)


def test_the_directory_api_takes_the_same_queries_for_3_and_for_30_points():
    district, _street, community = new_district()

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = api().get(BASE, {"district": district.pk})
        return len(captured), response.json()["count"]

    for _ in range(3):
        point(community)
    few, n_few = count()
    for _ in range(27):
        point(community)
    many, n_many = count()
    assert (n_few, n_many) == (3, 30)
    assert few == many


def test_writing_needs_a_log_in_and_a_post_over_the_unit(unit_named):
    district, _street, community = new_district()
    body = {"kind": "studio", "unit": community.pk, "name": "测试党员工作室", "floor_area": "60"}
    assert api().post(BASE, body, format="json").status_code in (401, 403)
    outside = api("xiufeng_district").post(BASE, body, format="json")
    assert outside.status_code == 403  # a unit the caller holds no staff post over: not allowed, not bad input
    assert not ServicePoint.objects.filter(name=body["name"]).exists()
    client = APIClient()
    client.force_authenticate(staff_user(district))
    created = client.post(BASE, {**body, "contact_name": "张三"}, format="json")
    assert created.status_code == 201
    assert created.json()["contact_name"] == "张三"
    negative = client.post(BASE, {**body, "floor_area": "-5"}, format="json")
    assert negative.status_code == 400
    assert "floor_area" in negative.json()


def test_changing_a_point_is_scoped(unit_named):
    district, _street, community = new_district()
    target = point(community)
    url = f"{BASE}{target.pk}/manage/"
    assert api("xiufeng_district").patch(url, {"opening_hours": "全天"}, format="json").status_code == 404
    client = APIClient()
    client.force_authenticate(staff_user(district))
    assert client.get(url).json()["contact_phone"] == target.contact_phone
    response = client.patch(url, {"opening_hours": "全天", "floor_area": "99.5"}, format="json")
    assert response.status_code == 200
    target.refresh_from_db()
    assert (target.opening_hours, str(target.floor_area)) == ("全天", "99.5")
    assert client.patch(url, {"kind": "studio"}, format="json").status_code == 400


def test_station_staff_log_services_through_the_api_once_per_key():
    station = _station_of("yangshuo_station")
    client = api("yangshuo_station")
    url = f"{BASE}{station.pk}/services/"
    code = station.menu.first().code
    key = str(uuid.uuid4())
    first = client.post(url, {"service_kind": code, "client_key": key, "note": "指路"}, format="json")
    again = client.post(url, {"service_kind": code, "client_key": key, "note": "指路"}, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert RedStationService.objects.filter(point=station, client_key=key).count() == 1
    future = client.post(
        url, {"service_kind": code, "served_at": (timezone.now() + dt.timedelta(days=1)).isoformat()}, format="json"
    )
    assert future.status_code == 400
    assert "served_at" in future.json()
    listed = client.get(url).json()
    assert listed["results"][0]["note"] == "指路"


def test_station_staff_cannot_reach_other_points_through_the_api(unit_named):
    district = unit_named("秀峰区")
    other = ServicePoint.objects.filter(unit__path__startswith=district.path).first()
    client = api("yangshuo_station")
    assert client.get(f"{BASE}{other.pk}/manage/").status_code == 404
    assert (
        client.post(f"{BASE}{other.pk}/services/", {"service_kind": "consultation"}, format="json").status_code == 404
    )
    assert client.get(f"{BASE}network/", {"unit": district.pk}).status_code == 404


def test_meetings_ratings_and_compliance_through_the_api():
    district, _street, community = new_district()
    station = workstation(community)
    client = APIClient()
    client.force_authenticate(staff_user(district))
    meeting = {"topic": "停车", "attendees": "党员6人", "attendee_count": 6, "decisions": "划线"}
    future = client.post(
        f"{BASE}{station.pk}/meetings/",
        {**meeting, "held_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat()},
        format="json",
    )
    assert future.status_code == 400
    assert "held_on" in future.json()
    held = client.post(f"{BASE}{station.pk}/meetings/", {**meeting, "held_on": "2025-03-01"}, format="json")
    assert held.status_code == 201
    scores = dict.fromkeys(("score_organisation", "score_venue", "score_service", "score_team", "score_democracy"), 8)
    bad = client.post(
        f"{BASE}ratings/", {"year": 2025, "point": station.pk, **scores, "score_support": 11}, format="json"
    )
    assert bad.status_code == 400
    assert list(bad.json()) == ["score_support"]
    good = client.post(
        f"{BASE}ratings/", {"year": 2025, "point": station.pk, **scores, "score_support": 8}, format="json"
    )
    assert good.status_code == 201
    assert good.json()["stars"] == 4
    rows = client.get(f"{BASE}compliance/", {"unit": district.pk, "year": 2025}).json()
    assert rows == [
        {
            "point": station.pk,
            "name": station.name,
            "year": 2025,
            "meetings": 1,
            "meetings_required": 6,
            "activity_months": [],
            "missed_months": list(range(1, 13)),
            "flagged": True,
        }
    ]


def test_the_network_overview_api_is_the_pages_figures(unit_named):
    city = GridUnit.objects.get(level=GridUnit.Level.CITY)
    data = api("admin").get(f"{BASE}network/", {"unit": city.pk}).json()
    assert data["total_points"] == ServicePoint.objects.filter(is_active=True).count()
    venues = next(row for row in data["rows"] if row["level"] == "community")
    assert venues["average_area"] == "812.0"
    assert len(data["red_months"]) == 12


def test_the_schema_documents_the_service_point_endpoints():
    schema = api().get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/v1/service-points/", "/api/v1/service-points/{id}/services/", "/api/v1/service-points/network/"):
        assert path in schema


def test_workstation_members_through_the_api():
    district, _street, community = new_district()
    station = workstation(community)
    client = APIClient()
    client.force_authenticate(staff_user(district))
    url = f"{BASE}{station.pk}/members/"
    body = {"name": "王某", "organisation": "区人民医院", "joined_on": "2024-05-01"}
    refused = client.post(url, {**body, "honours": []}, format="json")
    assert refused.status_code == 400
    assert "honours" in refused.json()
    created = client.post(
        url, {**body, "honours": [{"title": "优秀共产党员", "level": "county", "year": 2022}]}, format="json"
    )
    assert created.status_code == 201
    listed = client.get(url).json()["results"]
    assert listed[0]["honours"] == [{"title": "优秀共产党员", "level": "county", "year": 2022}]
    assert api().get(url).status_code in (401, 403)
