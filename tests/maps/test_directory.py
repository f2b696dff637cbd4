"""The public directory's "near me" ordering, distances and navigation links (no browser)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from service_centers.models import ServicePoint
from service_centers.navigation import distance_m, navigation_links, parse_near

pytestmark = pytest.mark.django_db


def test_distance_is_the_great_circle_distance():
    # One degree of latitude is 111.2 km on the mean sphere; Guilin's 秀峰区 to 阳朔 about 57 km.
    assert distance_m(25.0, 110.0, 26.0, 110.0) == pytest.approx(111_195, rel=1e-4)
    assert distance_m(25.28, 110.29, 25.28, 110.29) == 0
    assert distance_m(25.2736, 110.2900, 24.7784, 110.4966) == pytest.approx(58_500, rel=0.02)


def test_navigation_links_carry_the_stored_wgs84_position_and_say_so():
    amap, baidu = navigation_links(name="解东社区党群服务中心", lat=25.2836, lng=110.2949)
    query = parse_qs(urlsplit(amap.url).query)
    assert amap.url.startswith("https://uri.amap.com/marker?")
    assert query["position"] == ["110.294900,25.283600"]  # Amap: longitude first
    assert query["coordinate"] == ["wgs84"]
    assert query["name"] == ["解东社区党群服务中心"]
    query = parse_qs(urlsplit(baidu.url).query)
    assert baidu.url.startswith("https://api.map.baidu.com/marker?")
    assert query["location"] == ["25.283600,110.294900"]  # Baidu: latitude first
    assert query["coord_type"] == ["wgs84"]
    assert query["output"] == ["html"]
    assert navigation_links(name="x", lat=None, lng=None) == []


@pytest.mark.parametrize("text", ["", "25.3", "a,b", "95,110", "25,190", "nan,110", "25,110,3"])
def test_parse_near_refuses_what_is_not_a_point(text):
    assert parse_near(text) is None


def test_near_me_lists_the_nearest_first_with_its_distance(client):
    points = list(ServicePoint.objects.active().exclude(latitude=None))
    target = points[len(points) // 2]
    lat, lng = float(target.latitude), float(target.longitude)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/service-points/", {"near": f"{lat + 0.001:.4f},{lng:.4f}"})
    assert response.status_code == 200
    listed = list(response.context["page"].object_list)
    assert (
        listed[0].pk == target.pk
        or distance_m(lat + 0.001, lng, float(listed[0].latitude), float(listed[0].longitude)) <= 112
    )
    distances = [p.distance_m for p in listed if p.distance_m is not None]
    assert distances == sorted(distances)
    assert "距离约 110 米" in response.content.decode() or "距离约 100 米" in response.content.decode()
    # the map's markers: one per listed point with a position, with the navigation links
    markers = response.context["markers"]
    assert len(markers) == sum(1 for p in listed if p.latitude is not None)
    assert markers[0]["nav"][0]["url"].startswith("https://uri.amap.com/marker?")
    # sorting by distance costs no query more than the plain directory
    with CaptureQueriesContext(connection) as plain:
        assert client.get("/service-points/").status_code == 200
    assert len(queries) == len(plain)


def test_a_bad_position_is_a_form_error_and_the_list_is_unsorted(client):
    response = client.get("/service-points/", {"near": "north,east"})
    assert response.status_code == 200
    assert response.context["form"].errors["near"]
    assert response.context["near"] is None
    assert "位置应为" in response.content.decode()
