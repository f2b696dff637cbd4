"""Admin: lists load with a fixed number of queries; writes with rules go through the services."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from service_centers.models import ServicePoint, WorkstationMember

from .factories import new_district, point, workstation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name",
    [
        "servicepoint",
        "redstationservice",
        "redstationmonthlytally",
        "starrating",
        "workstationmember",
        "deliberationmeeting",
        "workstationactivity",
        "joboffer",
        "localproduct",
        "servicekind",
    ],
)
def test_admin_lists_load(client_as, name):
    response = client_as("admin").get(reverse(f"admin:service_centers_{name}_changelist"))
    assert response.status_code == 200


def test_the_point_list_in_the_admin_takes_the_same_queries_for_3_and_for_30_more_points(client_as):
    _district, _street, community = new_district()
    client = client_as("admin")
    url = reverse("admin:service_centers_servicepoint_changelist") + "?q=测试阵地"

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for _ in range(3):
        point(community)
    few = count()
    for _ in range(27):
        point(community)
    assert count() == few


def test_adding_a_point_in_the_admin_goes_through_the_service(client_as):
    _district, _street, community = new_district()
    client = client_as("admin")
    url = reverse("admin:service_centers_servicepoint_add")
    base = {
        "kind": "party_center",
        "level": "village",
        "unit": community.pk,
        "name": "后台新建党群服务中心",
        "zones": "党群业务办理区\n党员宣教区",
        "functions": ["serve", "training"],
        "is_active": "on",
        "staff-TOTAL_FORMS": "0",
        "staff-INITIAL_FORMS": "0",
    }
    refused = client.post(url, {**base, "floor_area": "-3"})
    assert refused.status_code == 200
    assert "大于 0" in refused.content.decode()
    wrong_level = client.post(url, {**base, "level": "county", "floor_area": "80"})
    assert "unit" in wrong_level.context["adminform"].form.errors
    created = client.post(url, {**base, "floor_area": "80"})
    assert created.status_code == 302
    saved = ServicePoint.objects.get(name="后台新建党群服务中心")
    assert saved.zones == ["党群业务办理区", "党员宣教区"]
    assert saved.history.get().history_user.username == "admin"


def test_a_member_needs_an_honour_in_the_admin(client_as):
    _district, _street, community = new_district()
    station = workstation(community)
    client = client_as("admin")
    body = {
        "point": station.pk,
        "name": "李某",
        "organisation": "市直机关",
        "joined_on": "2024-03-01",
        "honours-TOTAL_FORMS": "1",
        "honours-INITIAL_FORMS": "0",
        "honours-0-title": "",
        "honours-0-level": "",
        "honours-0-year": "",
    }
    refused = client.post(reverse("admin:service_centers_workstationmember_add"), body)
    assert refused.status_code == 200
    assert "荣誉称号" in refused.content.decode()
    accepted = client.post(
        reverse("admin:service_centers_workstationmember_add"),
        {**body, "honours-0-title": "优秀共产党员", "honours-0-level": "city", "honours-0-year": "2023"},
    )
    assert accepted.status_code == 302
    assert WorkstationMember.objects.get(point=station).honours.count() == 1


def test_the_menu_is_saved_through_the_service_and_only_a_red_station_has_one(client_as):
    from service_centers.models import ServiceKind

    from .factories import red_station

    _district, _street, community = new_district()
    station, other = red_station(community, codes=("consultation",)), point(community)
    client = client_as("admin")
    kinds = list(ServiceKind.objects.filter(code__in=("medical", "rescue")).values_list("pk", flat=True))

    def change(target, menu):
        body = {
            "name": target.name,
            "address": "",
            "floor_area": "80",
            "is_active": "on",
            "menu": menu,
            "staff-TOTAL_FORMS": "0",
            "staff-INITIAL_FORMS": "0",
        }
        return client.post(reverse("admin:service_centers_servicepoint_change", args=[target.pk]), body)

    assert change(station, kinds).status_code == 302
    assert sorted(station.menu.values_list("pk", flat=True)) == sorted(kinds)
    refused = change(other, kinds)
    assert refused.status_code == 200
    assert "menu" in refused.context["adminform"].form.errors
    assert not other.menu.exists()
