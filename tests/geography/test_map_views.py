"""The maps' JSON: GeoJSON of a unit's units per zoom, and "locate" a tap; jurisdiction, 400s, GCJ-02 display."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from grids.geography import wgs84_to_gcj02
from tests.geography.conftest import worker_user

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_map_lists_the_units_at_the_level_asked(tree, admin_client):
    answer = admin_client.get(reverse("grids:unit_map", args=[tree["city"].pk]), {"level": 5, "zoom": 10})
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/geo+json")
    collection = json.loads(answer.content)
    assert collection["type"] == "FeatureCollection"
    assert [f["properties"]["name"] for f in collection["features"]] == ["南片", "北片", "东片"]
    feature = collection["features"][0]
    assert feature["properties"] == {"id": tree["a1"].pk, "code": tree["a1"].code, "name": "南片", "level": 5}
    assert feature["geometry"]["type"] == "Polygon"
    assert len(feature["geometry"]["coordinates"]) == 2  # the hole is kept
    assert collection["bbox"] == [100.0, 35.0, 100.4, 35.4]


def test_the_default_level_is_the_childrens(tree, admin_client):
    collection = admin_client.get(reverse("grids:unit_map", args=[tree["city"].pk])).json()
    assert [f["properties"]["name"] for f in collection["features"]] == ["西区", "东区"]


def test_a_worker_sees_only_their_own_units_on_a_map(tree):
    client = client_of(worker_user(tree["a1"]))
    assert client.get(reverse("grids:unit_map", args=[tree["city"].pk]), {"level": 5}).status_code == 404
    mine = client.get(reverse("grids:unit_map", args=[tree["a1"].pk]), {"level": 5}).json()
    assert [f["properties"]["name"] for f in mine["features"]] == ["南片"]
    # Another area's map is a 404, not an empty map.
    assert client.get(reverse("grids:unit_map", args=[tree["a3"].pk])).status_code == 404


@pytest.mark.parametrize(
    ("query", "field"), [({"level": "1"}, "level"), ({"level": "x"}, "level"), ({"zoom": "30"}, "zoom")]
)
def test_bad_map_parameters_are_a_400_naming_them(tree, admin_client, query, field):
    answer = admin_client.get(reverse("grids:unit_map", args=[tree["d1"].pk]), query)
    assert answer.status_code == 400
    assert field in answer.json()


def test_the_map_is_served_in_the_display_system(tree, admin_client, settings):
    settings.MAP_COORDINATE_SYSTEM = "gcj02"
    collection = admin_client.get(reverse("grids:unit_map", args=[tree["city"].pk]), {"zoom": 16}).json()
    assert collection["crs_name"] == "gcj02"
    lng, lat = collection["features"][0]["geometry"]["coordinates"][0][0]
    expected_lat, expected_lng = wgs84_to_gcj02(35.0, 100.0)
    assert (lat, lng) == (pytest.approx(expected_lat, abs=1e-5), pytest.approx(expected_lng, abs=1e-5))


def test_locate_finds_the_workers_micro_grid(tree):
    client = client_of(worker_user(tree["a1"], tree["a2"]))
    answer = client.get(reverse("grids:locate"), {"lat": "35.3", "lng": "100.1", "crs": "wgs84"}).json()
    assert answer == {
        "latitude": 35.3,
        "longitude": 100.1,
        "display": [35.3, 100.1],
        "micro_grid": {"id": tree["a2"].pk, "code": tree["a2"].code, "name": "北片"},
        "error": "",
    }
    # 东片 is not theirs: no grid, and why.
    outside = client.get(reverse("grids:locate"), {"lat": "35.3", "lng": "100.3"}).json()
    assert outside["micro_grid"] is None
    assert outside["error"]


def test_locate_takes_a_gcj02_tap_back_to_wgs84(tree):
    client = client_of(worker_user(tree["a2"]))
    tap = wgs84_to_gcj02(35.3, 100.1)
    answer = client.get(reverse("grids:locate"), {"lat": tap[0], "lng": tap[1], "crs": "gcj02"}).json()
    assert (answer["latitude"], answer["longitude"]) == (35.3, 100.1)
    assert answer["micro_grid"]["id"] == tree["a2"].pk


def test_locate_answers_the_point_in_the_display_system_too(tree, settings):
    settings.MAP_COORDINATE_SYSTEM = "gcj02"
    client = client_of(worker_user(tree["a2"]))
    answer = client.get(reverse("grids:locate"), {"lat": "35.3", "lng": "100.1", "crs": "wgs84"}).json()
    assert (answer["latitude"], answer["longitude"]) == (35.3, 100.1)
    assert answer["display"] == [round(v, 6) for v in wgs84_to_gcj02(35.3, 100.1)]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"lat": "x", "lng": "100"}, "lat"),
        ({"lat": "35", "lng": "200"}, "lng"),
        ({"lat": "35", "lng": "100", "crs": "bd09"}, "crs"),
    ],
)
def test_bad_locate_input_is_a_400_naming_the_field(tree, admin_client, query, field):
    answer = admin_client.get(reverse("grids:locate"), query)
    assert answer.status_code == 400
    assert field in answer.json()


def test_both_need_a_log_in(tree, client):
    assert client.get(reverse("grids:locate"), {"lat": "35.3", "lng": "100.1"}).status_code == 302
    assert client.get(reverse("grids:unit_map", args=[tree["city"].pk])).status_code == 302


def test_the_map_keeps_only_the_units_in_the_window(tree, admin_client):
    url = reverse("grids:unit_map", args=[tree["city"].pk])
    west_only = admin_client.get(url, {"level": 5, "bbox": "100.0,35.0,100.1,35.4"}).json()
    assert [f["properties"]["name"] for f in west_only["features"]] == ["南片", "北片"]
    assert admin_client.get(url, {"level": 5, "bbox": "1,2,3"}).status_code == 400
    assert "bbox" in admin_client.get(url, {"level": 5, "bbox": "101,35,100,36"}).json()


def test_the_map_is_gzipped_for_browsers_that_ask(tree, admin_client):
    url = reverse("grids:unit_map", args=[tree["city"].pk])
    answer = admin_client.get(url, {"level": 5}, headers={"accept-encoding": "gzip"})
    assert answer["Content-Encoding"] == "gzip"
