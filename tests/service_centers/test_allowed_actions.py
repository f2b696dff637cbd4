"""For every demo account and a sample point each: the point's page shows exactly the actions
`allowed_actions` gives, and the API accepts exactly those (the others: 403, or 404 when the point
is out of sight). One table says what each account may do; page, predicate and API must all agree.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from grids.models import Post, User
from grids.viewer import Viewer
from service_centers import access
from service_centers.models import ServicePoint, ServicePointStaff, StarRating
from tests.actions import answer_and_undo
from tests.actions import page_actions as shown_actions

from .factories import red_station

pytestmark = pytest.mark.django_db

ACCOUNTS = (
    "xiufeng_community",
    "xiufeng_street",
    "xiufeng_orgdept",
    "unit_contact",
    "yangshuo_station",
    "xiufeng_worker",
    "admin",
)
WORKSTATION = {access.RECORD_MEETING, access.RECORD_ACTIVITY, access.ADD_MEMBER, access.RATE, access.EDIT}
CENTER = {access.RATE, access.EDIT}
STATION = {access.LOG_SERVICE, access.RATE, access.EDIT}
HIDDEN = None  # the point is out of the account's sight: 404 for its page and every call

# (account, sample) -> the actions allowed. Samples: 解东社区's workstation and party center,
# yangshuo_station's own red station (阳朔县), and a red station in xiufeng_worker's micro-grid.
EXPECTED: dict[tuple[str, str], set[str] | None] = {
    ("xiufeng_community", "workstation"): WORKSTATION,
    ("xiufeng_community", "center"): CENTER,
    ("xiufeng_community", "yangshuo_station"): HIDDEN,
    ("xiufeng_community", "worker_station"): STATION,
    ("xiufeng_street", "workstation"): WORKSTATION,
    ("xiufeng_street", "center"): CENTER,
    ("xiufeng_street", "yangshuo_station"): HIDDEN,
    ("xiufeng_street", "worker_station"): STATION,
    ("xiufeng_orgdept", "workstation"): WORKSTATION,
    ("xiufeng_orgdept", "center"): CENTER,
    ("xiufeng_orgdept", "yangshuo_station"): HIDDEN,
    ("xiufeng_orgdept", "worker_station"): STATION,
    ("unit_contact", "workstation"): HIDDEN,
    ("unit_contact", "center"): HIDDEN,
    ("unit_contact", "yangshuo_station"): HIDDEN,
    ("unit_contact", "worker_station"): HIDDEN,
    ("yangshuo_station", "workstation"): HIDDEN,
    ("yangshuo_station", "center"): HIDDEN,
    ("yangshuo_station", "yangshuo_station"): {access.LOG_SERVICE},
    ("yangshuo_station", "worker_station"): HIDDEN,
    ("xiufeng_worker", "workstation"): HIDDEN,
    ("xiufeng_worker", "center"): HIDDEN,
    ("xiufeng_worker", "yangshuo_station"): HIDDEN,
    ("xiufeng_worker", "worker_station"): set(),  # reads what lies in the micro-grid, changes nothing
    ("admin", "workstation"): WORKSTATION,
    ("admin", "center"): CENTER,
    ("admin", "yangshuo_station"): STATION,
    ("admin", "worker_station"): STATION,
}


def samples() -> dict[str, ServicePoint]:
    community = Post.objects.get(user__username="xiufeng_community").unit
    area = Post.objects.get(user__username="xiufeng_worker").unit
    in_community = ServicePoint.objects.filter(unit=community).select_related("unit")
    with transaction.atomic():
        worker_station = red_station(area)
    return {
        "workstation": in_community.get(kind=ServicePoint.Kind.WORKSTATION),
        "center": in_community.get(kind=ServicePoint.Kind.PARTY_CENTER),
        "yangshuo_station": ServicePointStaff.objects.get(user__username="yangshuo_station").point,
        "worker_station": ServicePoint.objects.select_related("unit").get(pk=worker_station.pk),
    }


def api_calls(point: ServicePoint) -> dict[str, tuple[str, str, dict]]:
    """Each write the API offers for this kind of point: action -> (method, url, a valid body)."""
    base = f"/api/v1/service-points/{point.pk}/"
    today = timezone.localdate().isoformat()
    calls = {
        access.RATE: (
            "post",
            "/api/v1/service-points/ratings/",
            {"point": point.pk, "year": timezone.localdate().year - 1, **dict.fromkeys(_criteria(), 8)},
        ),
        access.EDIT: ("patch", f"{base}manage/", {"opening_hours": "每天 8:00-18:00"}),
    }
    if point.kind == ServicePoint.Kind.RED_STATION:
        kind = point.menu.order_by("sort_order", "pk").first()
        calls[access.LOG_SERVICE] = ("post", f"{base}services/", {"service_kind": kind.code})
    if point.kind == ServicePoint.Kind.WORKSTATION:
        calls[access.RECORD_MEETING] = (
            "post",
            f"{base}meetings/",
            {"held_on": today, "topic": "议事", "attendees": "党员8人", "attendee_count": 8, "decisions": "办"},
        )
        calls[access.RECORD_ACTIVITY] = (
            "post",
            f"{base}activities/",
            {"held_on": today, "title": "清洁家园", "category": "environment", "participants": 5},
        )
        calls[access.ADD_MEMBER] = (
            "post",
            f"{base}members/",
            {
                "name": "李某",
                "joined_on": date(2024, 3, 1).isoformat(),
                "honours": [{"title": "优秀共产党员", "level": "city", "year": 2023}],
            },
        )
    return calls


def _criteria() -> list[str]:
    return [field for field, _label in StarRating.CRITERIA]


def page_actions(client: Client, point: ServicePoint) -> set[str] | None:
    return shown_actions(client, reverse("service_centers:point_detail", args=[point.pk]))


def api_answer(client: APIClient, method: str, url: str, body: dict) -> int:
    return answer_and_undo(client, method, url, body, format="json")


@pytest.mark.parametrize("username", ACCOUNTS)
def test_page_buttons_equal_allowed_actions_equal_what_the_api_accepts(username):
    user = User.objects.get(username=username)
    viewer = Viewer.for_user(user)
    page_client = Client()
    page_client.force_login(user)
    api_client = APIClient()
    api_client.force_authenticate(user)
    for name, point in samples().items():
        expected = EXPECTED[(username, name)]
        where = f"{username} on {name}"
        shown = page_actions(page_client, point)
        calls = api_calls(point)
        if expected is HIDDEN:
            assert shown is HIDDEN, where
            for action, call in calls.items():
                assert api_answer(api_client, *call) == 404, f"{where}: {action}"
            continue
        allowed = access.allowed_actions(viewer, point)
        assert allowed == expected, where
        assert shown == allowed & set(access.PAGE_ACTIONS), where
        for action, call in calls.items():
            status = api_answer(api_client, *call)
            if action in allowed:
                assert 200 <= status < 300, f"{where}: {action} answered {status}"
            else:
                assert status == 403, f"{where}: {action} answered {status}"


def test_an_action_page_opens_exactly_when_its_button_shows(client_as, unit_named):
    worker = Post.objects.get(user__username="xiufeng_worker").unit
    station = red_station(worker)
    for username, status in (("xiufeng_worker", 403), ("xiufeng_community", 200), ("yangshuo_station", 404)):
        response = client_as(username).get(reverse("service_centers:red_station_log", args=[station.pk]))
        assert response.status_code == status, username
