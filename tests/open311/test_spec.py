"""GeoReport v2 to the letter: every answer under /open311/v2/ in the spec's error format, a POST stored whole.

Unmatched URLs (a wrong extension, a non-numeric id, unknown resources), wrong methods and
server errors all answer `[{"code": ..., "description": ...}]` (or `<errors><error>`) with the
same HTTP status, in the URL's format (`.xml`, else JSON). A POST without `description`, with
`lat`/`long` and with `media` is stored whole and read back; `media_url` is access-checked.
"""

from __future__ import annotations

import io
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from issues.models import Issue, IssueCategory
from open311 import services
from open311.demo import demo_units
from tests.issues.factories import jpeg_with_gps

from .conftest import BASE
from .test_read import spec_error, spec_error_xml

pytestmark = pytest.mark.django_db

UNMATCHED = [
    "requests.csv",
    "requests.html",
    "requests",
    "requests/abc.json",
    "requests/abc.xml",
    "requests/12.yaml",
    "requests/-1.json",
    "tokens/123.json",
    "tokens/123.xml",
    "service/opinion-property.json",
    "services/opinion-property/extra.json",
    "discovery",
    "",
    "nothing/at/all",
    "requests/1/media/abc",
]


@pytest.mark.parametrize("path", UNMATCHED)
@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_every_unmatched_url_answers_the_spec_error_list(key, path, method):
    response = getattr(Client(), method)(f"{BASE}/{path}")
    if path.endswith(".xml"):
        assert spec_error_xml(response, 404)
    else:
        assert spec_error(response, 404)  # JSON when the format is unknown or missing


def test_a_wrong_method_on_a_real_resource_is_a_405_in_the_spec_format(key):
    assert spec_error(Client().delete(f"{BASE}/services.json"), 405)
    assert spec_error_xml(Client().put(f"{BASE}/requests.xml", {"api_key": key.plaintext}), 405)
    assert spec_error(Client().post(f"{BASE}/discovery.json"), 405)


def test_a_bug_is_a_500_in_the_spec_format_and_logged(key, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("open311.selectors.requests_list", broken)
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="portal.open311"):
        description = spec_error(client.get(f"{BASE}/requests.json", {"api_key": key.plaintext}), 500)
        xml_description = spec_error_xml(client.get(f"{BASE}/requests.xml", {"api_key": key.plaintext}), 500)
    assert "boom" not in description
    assert "boom" not in xml_description
    assert any(record.exc_info for record in caplog.records)


def test_a_non_numeric_or_huge_id_is_a_404_not_a_500(key):
    assert spec_error(key.get("requests/99999999999999999999999.json"), 404)
    assert spec_error_xml(key.get("requests/12abc.xml"), 404)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_post_without_description_with_coordinates_and_media_is_stored_whole_and_read_back(key):
    category = IssueCategory.objects.get(code="opinion-property")
    photo = jpeg_with_gps()
    response = Client().post(
        f"{BASE}/requests.json",
        {
            "api_key": key.plaintext,
            "service_code": category.code,
            "lat": "25.2736",
            "long": "110.290012",
            "jurisdiction_id": "guilin",
            "media": photo,
        },
    )
    assert response.status_code == 201, response.content
    (created,) = response.json()
    issue = Issue.objects.get(pk=int(created["service_request_id"]))
    # Stored whole: the coordinates as given (6 places), the photo checked and attached, a description.
    assert str(issue.latitude) == "25.273600"
    assert str(issue.longitude) == "110.290012"
    assert issue.description == category.display_name
    (stored,) = issue.photos.all()
    with stored.image.open("rb") as handle:
        image = Image.open(handle)
        image.load()
        assert not image.getexif()  # re-encoded by guilin_portal.uploads: no GPS left
    # Read back, both formats, at the public precision (3 decimals, about 100 m: README, "Geography").
    (row,) = key.get(f"requests/{issue.pk}.json").json()
    assert row["lat"] == 25.274
    assert row["long"] == 110.29
    assert row["description"] == category.display_name
    assert row["media_url"].endswith(f"/open311/v2/requests/{issue.pk}/media/{stored.pk}")
    xml_row = key.get(f"requests/{issue.pk}.xml")
    assert b"<lat>25.274</lat>" in xml_row.content
    assert b"<long>110.29</long>" in xml_row.content
    listed = {r["service_request_id"]: r for r in key.get("requests.json").json()}
    assert listed[str(issue.pk)]["media_url"] == row["media_url"]
    # The media URL answers the photo to the same key (header or parameter), and nobody else.
    media = Client().get(row["media_url"], headers={"X-Api-Key": key.plaintext})
    assert media.status_code == 200
    assert media["Content-Type"] == "image/jpeg"
    assert media["Cache-Control"] == "private, no-store"
    assert spec_error(Client().get(row["media_url"]), 403)
    _community, area = demo_units()
    other_unit = area.parent.children.exclude(pk=area.pk).filter(level=area.level).first()
    _other, other_key = services.open311_client_issue(name="其他热线", unit=other_unit, created_by=None)
    assert spec_error(Client().get(row["media_url"], {"api_key": other_key}), 404)
    assert spec_error(Client().get(f"{row['media_url']}9", {"api_key": key.plaintext}), 404)


def test_a_request_without_coordinates_or_media_reads_back_nulls(key):
    response = key.post(service_code="opinion-property", description="电梯停运。", address_string="2栋")
    (created,) = response.json()
    (row,) = key.get(f"requests/{created['service_request_id']}.json").json()
    assert row["lat"] is None
    assert row["long"] is None
    assert row["media_url"] is None
    assert row["description"] == "电梯停运。"


def test_media_that_is_not_a_photo_is_a_400_naming_media_and_nothing_is_stored(key):
    before = Issue.objects.count()
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    response = Client().post(
        f"{BASE}/requests.json",
        {"api_key": key.plaintext, "service_code": "opinion-property", "address_string": "2栋", "media": fake},
    )
    assert "media" in spec_error(response, 400)
    assert Issue.objects.count() == before


def test_a_png_is_accepted_as_media(key):
    upload = SimpleUploadedFile("p.png", _png(), content_type="image/png")
    response = Client().post(
        f"{BASE}/requests.xml",
        {"api_key": key.plaintext, "service_code": "opinion-property", "address_string": "2栋", "media": upload},
    )
    assert response.status_code == 201, response.content
    assert Issue.objects.latest("pk").photos.count() == 1


def test_discovery_says_a_key_is_needed_and_both_ways_to_send_it():
    body = Client().get(f"{BASE}/discovery.json").json()
    assert "api_key" in body["key_service"]
    assert "X-Api-Key" in body["key_service"]
    english = Client().get(f"{BASE}/discovery.json", headers={"Accept-Language": "en"}).json()
    assert "api_key" in english["key_service"]
    assert "X-Api-Key" in english["key_service"]
