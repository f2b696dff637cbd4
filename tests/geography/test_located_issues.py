"""Located issues: the log form and the REST API take a point, check it against the worker's grids, and every
reader gets it at their precision (exact for the reporter and handlers, ~100 m otherwise); the unit API
answers the units containing a point; Open311 round-trips lat/long at the public precision."""

import uuid
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from grids import demo_geometry
from grids.models import GridUnit
from grids.viewer import Viewer
from issues import selectors
from issues.models import Issue, IssueCategory
from open311 import services as open311_services

pytestmark = pytest.mark.django_db

QIXING_CENTRE = (25.265, 110.475)  # inside 七星区's demo box: outside every grid of a 秀峰区 worker


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def worker(demo_user):
    return demo_user("xiufeng_worker")


@pytest.fixture
def home(worker) -> GridUnit:
    return selectors.default_log_unit(viewer=Viewer.for_user(worker))


def centre(unit: GridUnit) -> tuple[float, float]:
    return unit.centroid_lat, unit.centroid_lng


def form_data(unit: GridUnit, **extra) -> dict:
    data = {
        "client_key": str(uuid.uuid4()),
        "unit": unit.pk,
        "category": IssueCategory.objects.get(code="opinion-property").pk,
        "description": "路灯不亮。",
        "priority": "1",
    }
    data.update(extra)
    return data


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_form_keeps_a_point_inside_the_chosen_grid(worker, home):
    lat, lng = centre(home)
    response = logged_in(worker).post(
        reverse("issues:issue_create"), form_data(home, latitude=lat + 0.0000004, longitude=lng, location_accuracy=12)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    issue = Issue.objects.filter(reporter=worker).latest("pk")
    assert issue.latitude == Decimal(f"{lat:.6f}")
    assert issue.longitude == Decimal(f"{lng:.6f}")
    assert issue.location_accuracy == 12


def test_a_point_outside_every_grid_of_the_worker_is_a_form_error_on_latitude(worker, home):
    before = Issue.objects.count()
    response = logged_in(worker).post(
        reverse("issues:issue_create"), form_data(home, latitude=QIXING_CENTRE[0], longitude=QIXING_CENTRE[1])
    )
    assert response.status_code == 200
    assert "该位置不在您负责的任何网格内" in str(response.context["form"].errors["latitude"])
    assert Issue.objects.count() == before


def test_a_point_in_another_of_the_workers_grids_names_it_on_unit(worker, home):
    compounds = list(home.children.order_by("path")[:2]) if home.level < GridUnit.Level.COMPOUND else []
    assert len(compounds) == 2, "the demo worker's micro-grid should hold two compounds"
    response = logged_in(worker).post(
        reverse("issues:issue_create"),
        form_data(compounds[0], latitude=compounds[1].centroid_lat, longitude=compounds[1].centroid_lng),
    )
    assert response.status_code == 200
    assert compounds[1].name in str(response.context["form"].errors["unit"])


def test_half_a_point_is_refused_naming_the_missing_half(worker, home):
    response = logged_in(worker).post(reverse("issues:issue_create"), form_data(home, latitude=centre(home)[0]))
    assert response.status_code == 200
    assert "longitude" in response.context["form"].errors


# -- REST --------------------------------------------------------------------------------------------


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_rest_create_and_read_at_each_audiences_precision(worker, home, demo_user):
    lat, lng = home.centroid_lat + 0.0001234, home.centroid_lng - 0.0004321
    created = api(worker).post(
        "/api/v1/issues/",
        {
            "unit": home.pk,
            "category": IssueCategory.objects.get(code="opinion-property").pk,
            "description": "井盖松动",
            "latitude": lat,
            "longitude": lng,
            "location_accuracy": 8,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    # The reporter reads it back exactly (6 places).
    assert (body["latitude"], body["longitude"]) == (round(lat, 6), round(lng, 6))
    assert body["location_accuracy"] == 8
    # District staff who do not handle it read it to about 100 m (3 places).
    other = api(demo_user("xiufeng_district")).get(f"/api/v1/issues/{body['id']}/").json()
    assert (other["latitude"], other["longitude"]) == (round(lat, 3), round(lng, 3))
    listed = api(demo_user("xiufeng_district")).get("/api/v1/issues/", {"unit": home.pk}).json()
    row = next(r for r in listed["results"] if r["id"] == body["id"])
    assert (row["latitude"], row["longitude"]) == (round(lat, 3), round(lng, 3))


def test_rest_create_outside_every_grid_is_a_400_naming_latitude(worker, home):
    before = Issue.objects.count()
    response = api(worker).post(
        "/api/v1/issues/",
        {
            "unit": home.pk,
            "category": IssueCategory.objects.get(code="opinion-property").pk,
            "description": "井盖松动",
            "latitude": QIXING_CENTRE[0],
            "longitude": QIXING_CENTRE[1],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "latitude" in response.json()
    assert Issue.objects.count() == before


def test_units_containing_a_point_within_the_callers_jurisdiction(worker, home, demo_user):
    lat, lng = centre(home)
    mine = api(worker).get("/api/v1/units/", {"contains": f"{lat},{lng}"}).json()
    ids = [row["id"] for row in mine["results"]]
    assert home.pk in ids
    assert all(GridUnit.objects.get(pk=pk).path.startswith(home.path[:8]) for pk in ids)
    # The city admin sees the whole chain above it too, top first in tree order.
    everything = api(demo_user("admin")).get("/api/v1/units/", {"contains": f"{lat},{lng}"}).json()
    levels = sorted(row["level"] for row in everything["results"])
    assert levels[:5] == [1, 2, 3, 4, 5]
    # A 七星区 worker asking about this 秀峰区 point gets nothing, not a leak.
    assert api(demo_user("qixing_worker")).get("/api/v1/units/", {"contains": f"{lat},{lng}"}).json()["results"] == []


@pytest.mark.parametrize("bad", ["25.27", "abc,110", "25.27,190", "95,110"])
def test_units_contains_bad_input_is_a_400_naming_it(worker, bad):
    response = api(worker).get("/api/v1/units/", {"contains": bad})
    assert response.status_code == 400
    assert "contains" in response.json()


# -- Open311 -------------------------------------------------------------------------------------------


def test_open311_round_trips_coordinates_at_the_public_precision(home):
    client, plaintext = open311_services.open311_client_issue(name="12345 热线", unit=home, created_by=None)
    lat, lng = home.centroid_lat + 0.000456, home.centroid_lng + 0.000321
    posted = Client().post(
        "/open311/v2/requests.json",
        {
            "api_key": plaintext,
            "service_code": "opinion-property",
            "description": "路面塌陷",
            "lat": f"{lat:.6f}",
            "long": f"{lng:.6f}",
        },
    )
    assert posted.status_code == 201, posted.content
    pk = int(posted.json()[0]["service_request_id"])
    issue = Issue.objects.get(pk=pk)
    assert (issue.latitude, issue.longitude) == (Decimal(f"{lat:.6f}"), Decimal(f"{lng:.6f}"))  # stored exactly
    (row,) = Client().get(f"/open311/v2/requests/{pk}.json", {"api_key": plaintext}).json()
    assert (row["lat"], row["long"]) == (round(lat, 3), round(lng, 3))
    # No address: the words made of the point are at the same precision, never the exact point.
    assert f"{lat:.6f}" not in (issue.location_text + row["address"])
    # Demo boundaries are tiles of the city: the point is also where the demo says.
    assert demo_geometry.CITY_BOX.south < row["lat"] < demo_geometry.CITY_BOX.north
