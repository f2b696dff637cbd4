"""GeoReport v2 reads: discovery, services, a service definition, requests and one request, in JSON and XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from grids.models import GridUnit
from issues.models import Issue, IssueCategory
from open311 import selectors, services

from .conftest import BASE

pytestmark = pytest.mark.django_db

REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]


def xml(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)


def spec_error(response, code: int) -> str:
    """The spec's error list in JSON: [{"code": 404, "description": "..."}] with the same HTTP status."""
    assert response.status_code == code
    assert response["Content-Type"] == "application/json; charset=utf-8"
    (error,) = response.json()
    assert set(error) == {"code", "description"}
    assert error["code"] == code
    assert error["description"]
    return error["description"]


def spec_error_xml(response, code: int) -> str:
    assert response.status_code == code
    root = xml(response)
    assert root.tag == "errors"
    (error,) = root.findall("error")
    assert [child.tag for child in error] == ["code", "description"]
    assert error.findtext("code") == str(code)
    return error.findtext("description")


# ---------------------------------------------------------------------------
# Discovery and services: public
# ---------------------------------------------------------------------------
def test_discovery_in_json_and_xml():
    body = Client().get(f"{BASE}/discovery.json").json()
    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["type"] in {"production", "test"}
    assert parse_datetime(body["changeset"]).tzinfo is not None

    root = xml(Client().get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [child.tag for child in root] == ["changeset", "contact", "key_service", "endpoints"]
    endpoint = root.find("endpoints/endpoint")
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]


def test_services_are_the_active_categories_in_json():
    inactive = IssueCategory.objects.get(code="other")
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    response = Client().get(f"{BASE}/services.json")
    assert response.status_code == 200
    rows = response.json()
    active = list(IssueCategory.objects.filter(is_active=True).order_by("sort_order", "code"))
    assert [row["service_code"] for row in rows] == [c.code for c in active]
    assert "other" not in {row["service_code"] for row in rows}
    first = rows[0]
    assert list(first) == SERVICE_FIELDS
    assert first["metadata"] is False
    assert first["type"] == "realtime"
    assert first["service_name"] == active[0].name
    assert first["group"] == str(Issue.Kind(active[0].kind).label)
    assert active[0].name_en in first["keywords"]


def test_services_in_xml():
    root = xml(Client().get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    services_ = root.findall("service")
    assert len(services_) == IssueCategory.objects.filter(is_active=True).count()
    assert [child.tag for child in services_[0]] == SERVICE_FIELDS
    assert services_[0].findtext("metadata") == "false"
    assert services_[0].findtext("type") == "realtime"


def test_services_answer_in_english_when_asked():
    category = IssueCategory.objects.filter(is_active=True).exclude(name_en="").first()
    rows = Client().get(f"{BASE}/services.json", HTTP_ACCEPT_LANGUAGE="en").json()
    row = next(r for r in rows if r["service_code"] == category.code)
    assert row["service_name"] == category.name_en


def test_a_service_definition_and_an_unknown_code():
    body = Client().get(f"{BASE}/services/opinion-property.json").json()
    assert body == {"service_code": "opinion-property", "attributes": []}
    root = xml(Client().get(f"{BASE}/services/opinion-property.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "opinion-property"
    assert root.find("attributes") is not None
    assert list(root.find("attributes")) == []

    spec_error(Client().get(f"{BASE}/services/no-such-thing.json"), 404)
    spec_error_xml(Client().get(f"{BASE}/services/no-such-thing.xml"), 404)


def test_an_unknown_format_is_not_served():
    assert Client().get(f"{BASE}/services.csv").status_code == 404
    assert Client().get(f"{BASE}/services").status_code == 404


def test_a_wrong_method_is_405_in_the_spec_format():
    spec_error(Client().delete(f"{BASE}/services.json"), 405)


def test_the_schema_documents_every_endpoint(client):
    schema = client.get("/api/schema/").content.decode()
    # Explicit .json and .xml paths: never two path parameters side by side ({service_code}{format}).
    assert "{format}" not in schema
    for path in [
        *(
            f"/open311/v2/{resource}.{fmt}:"
            for resource in ("discovery", "services", "services/{service_code}", "requests", "requests/{id}")
            for fmt in ("json", "xml")
        ),
        "/open311/v2/requests/{id}/media/{photo_pk}:",
        "open311_request_create_json",
        "open311_request_create_xml",
        "start_date",
        "address_string",
        "jurisdiction_id",
    ]:
        assert path in schema, path


# ---------------------------------------------------------------------------
# Requests: an api_key, scoped to its micro-grid
# ---------------------------------------------------------------------------
def test_requests_need_a_valid_unrevoked_key(key):
    spec_error(Client().get(f"{BASE}/requests.json"), 403)
    spec_error(Client().get(f"{BASE}/requests.json", {"api_key": "nope.nope"}), 403)
    spec_error(Client().get(f"{BASE}/requests.json", {"api_key": key.plaintext + "x"}), 403)
    spec_error_xml(Client().get(f"{BASE}/requests.xml"), 403)
    assert key.get("requests.json").status_code == 200
    services.open311_client_revoke(client=key.client, revoked_by=None)
    spec_error(key.get("requests.json"), 403)
    spec_error(key.get("requests/1.json"), 403)


def test_request_fields_in_json(key, make_issues):
    (issue,) = make_issues(key.client.unit, 1, location_text="3栋门口")
    rows = key.get("requests.json").json()
    row = next(r for r in rows if r["service_request_id"] == str(issue.pk))
    assert list(row) == REQUEST_FIELDS
    assert row["status"] == "open"
    assert row["status_notes"] == "已分配"
    assert row["service_code"] == "opinion-property"
    assert row["service_name"] == issue.category.name
    assert row["description"] == "楼道灯坏了。"
    assert row["agency_responsible"] == f"{issue.handler_unit.name}办公室"
    assert row["address"] == "3栋门口"
    assert row["lat"] is None
    assert row["long"] is None
    assert row["media_url"] is None
    assert row["address_id"] is None
    assert row["zipcode"] is None
    assert parse_datetime(row["requested_datetime"]) == issue.created_at.replace(microsecond=0)
    assert parse_datetime(row["expected_datetime"]) == issue.due_at.replace(microsecond=0)
    assert row["requested_datetime"].endswith("+08:00")


def test_request_fields_in_xml(key, make_issues):
    (issue,) = make_issues(key.client.unit, 1)
    root = xml(key.get("requests.xml"))
    assert root.tag == "service_requests"
    request = next(r for r in root.findall("request") if r.findtext("service_request_id") == str(issue.pk))
    assert [child.tag for child in request] == REQUEST_FIELDS
    assert request.findtext("status") == "open"
    assert request.find("lat").text is None  # null is an empty element
    assert request.find("media_url").text is None

    one = xml(key.get(f"requests/{issue.pk}.xml"))
    assert one.tag == "service_requests"
    (request,) = one.findall("request")
    assert request.findtext("service_request_id") == str(issue.pk)


def test_one_request_and_404s(key, make_issues, unit_named):
    (issue,) = make_issues(key.client.unit, 1)
    rows = key.get(f"requests/{issue.pk}.json").json()
    assert len(rows) == 1
    assert rows[0]["service_request_id"] == str(issue.pk)
    spec_error(key.get("requests/999999999.json"), 404)
    spec_error(key.get("requests/99999999999999999999999.json"), 404)  # beyond 64 bits: still a 404
    spec_error_xml(key.get("requests/999999999.xml"), 404)
    # A request outside the key's micro-grid is the same 404 as one that does not exist.
    qixing_area = GridUnit.objects.filter(path__startswith=unit_named("七星区").path, level=5).first()
    (elsewhere,) = make_issues(qixing_area, 1)
    spec_error(key.get(f"requests/{elsewhere.pk}.json"), 404)
    assert str(elsewhere.pk) not in {r["service_request_id"] for r in key.get("requests.json").json()}
    assert key.get("requests.json", service_request_id=str(elsewhere.pk)).json() == []


@pytest.mark.parametrize(
    ("fields", "status", "notes"),
    [
        ({"status": Issue.Status.COLLECTED}, "open", "已收集（待分配）"),
        ({"status": Issue.Status.IN_PROGRESS}, "open", "办理中"),
        ({"status": Issue.Status.SUSPENDED}, "open", "已挂起"),
        ({"status": Issue.Status.RESOLVED}, "closed", "已办结（待反馈）"),
        ({"status": Issue.Status.CLOSED, "satisfaction": "satisfied"}, "closed", "已关闭"),
        ({"status": Issue.Status.REJECTED, "reject_reason": "out_of_scope"}, "closed", "已退回：不属于受理范围"),
    ],
)
def test_statuses_map_to_open_and_closed_with_notes_in_words(key, make_issues, fields, status, notes):
    (issue,) = make_issues(key.client.unit, 1, **fields)
    (row,) = key.get(f"requests/{issue.pk}.json").json()
    assert row["status"] == status
    assert row["status_notes"] == notes
    if fields["status"] == Issue.Status.COLLECTED:
        assert row["agency_responsible"] is None  # not routed yet


def test_agency_is_a_department_or_the_grid_never_a_person(key, make_issues, demo_user):
    from issues.models import Department

    department = Department.objects.filter(unit__name="秀峰区").first()
    (by_department,) = make_issues(
        key.client.unit, 1, handler_kind="department", handler_unit=None, handler_department=department
    )
    leader = demo_user("xiufeng_leader")
    (by_leader,) = make_issues(key.client.unit, 1, handler_kind="grid_leader", handler_unit=None, handler_user=leader)
    assert key.get(f"requests/{by_department.pk}.json").json()[0]["agency_responsible"] == department.name
    row = key.get(f"requests/{by_leader.pk}.json").json()[0]
    assert row["agency_responsible"] == f"{key.client.unit.name}网格长"
    assert leader.full_name not in str(row)


def test_agency_of_a_team_handled_issue_is_the_team(key, make_issues):
    from volunteers.models import Team

    team = Team.objects.order_by("pk").first()
    (by_team,) = make_issues(key.client.unit, 1, handler_kind="volunteer_team", handler_unit=None, handler_team=team)
    (row,) = key.get(f"requests/{by_team.pk}.json").json()
    assert row["agency_responsible"] == team.name


def test_filters_status_service_code_and_ids(key, make_issues):
    unit = key.client.unit
    fire = make_issues(unit, 2, code="hazard-fire")
    cert = make_issues(unit, 2, code="proxy-cert")
    done = make_issues(unit, 1, code="proxy-cert", status=Issue.Status.CLOSED, satisfaction="satisfied")

    def ids(**params) -> set[int]:
        response = key.get("requests.json", **params)
        assert response.status_code == 200, response.content
        return {int(row["service_request_id"]) for row in response.json()}

    both = ids(service_code="hazard-fire,proxy-cert")
    assert {i.pk for i in fire + cert + done} <= both
    assert ids(service_code="hazard-fire") >= {i.pk for i in fire}
    assert not ids(service_code="hazard-fire") & {i.pk for i in cert}
    closed = ids(status="closed", service_code="proxy-cert")
    assert done[0].pk in closed
    assert not closed & {i.pk for i in cert}
    assert ids(status="open,closed", service_code="proxy-cert") >= {i.pk for i in cert + done}
    # service_request_id overrides every other argument.
    assert ids(service_request_id=f"{fire[0].pk},{done[0].pk}", status="open", service_code="proxy-cert") == {
        fire[0].pk,
        done[0].pk,
    }


def test_default_range_is_the_last_90_days_and_dates_select_older_ones(key, make_issues):
    now = timezone.now()
    (old,) = make_issues(key.client.unit, 1, created_at=now - timedelta(days=91))
    (recent,) = make_issues(key.client.unit, 1, created_at=now - timedelta(days=89))
    default = {row["service_request_id"] for row in key.get("requests.json").json()}
    assert str(recent.pk) in default
    assert str(old.pk) not in default
    start = (now - timedelta(days=100)).isoformat()
    end = (now - timedelta(days=80)).isoformat()
    ranged = {row["service_request_id"] for row in key.get("requests.json", start_date=start, end_date=end).json()}
    assert {str(old.pk), str(recent.pk)} <= ranged
    # Only start_date: 90 days from it.
    only_start = key.get("requests.json", start_date=(now - timedelta(days=95)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert str(old.pk) in {row["service_request_id"] for row in only_start.json()}
    # Only end_date: the 90 days before it.
    only_end = key.get("requests.json", end_date=(now - timedelta(days=90, hours=12)).isoformat())
    ids = {row["service_request_id"] for row in only_end.json()}
    assert str(old.pk) in ids
    assert str(recent.pk) not in ids


def test_at_most_1000_requests_newest_first(key, make_issues):
    make_issues(key.client.unit, selectors.MAX_REQUESTS + 5, created_at=timezone.now() - timedelta(minutes=5))
    (newest,) = make_issues(key.client.unit, 1, created_at=timezone.now() - timedelta(seconds=1))
    rows = key.get("requests.json").json()
    assert len(rows) == 1000
    assert rows[0]["service_request_id"] == str(newest.pk)
    times = [parse_datetime(row["requested_datetime"]) for row in rows]
    assert times == sorted(times, reverse=True)
    assert len(xml(key.get("requests.xml")).findall("request")) == 1000


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "2026-13-45"}, "end_date"),
        ({"status": "pending"}, "status"),
        ({"service_request_id": "12,abc"}, "service_request_id"),
        ({"service_request_id": "99999999999999999999999"}, "service_request_id"),
        ({"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-05-01T00:00:00+08:00"}, "end_date"),
        ({"start_date": "2026-05-01T00:00:00Z", "end_date": "2026-04-01T00:00:00Z"}, "end_date"),
    ],
)
def test_bad_arguments_are_400s_naming_them(key, params, field):
    assert field in spec_error(key.get("requests.json", **params), 400)
    assert field in spec_error_xml(key.get("requests.xml", **params), 400)


def test_an_unencoded_plus_in_the_offset_still_parses(key):
    response = Client().get(f"{BASE}/requests.json?api_key={key.plaintext}&start_date=2026-01-01T00:00:00+08:00")
    assert response.status_code == 200, response.content


def test_requests_json_runs_the_same_queries_for_3_and_30_requests(key, make_issues, demo_user):
    leader = demo_user("xiufeng_leader")
    key.get("requests.json")  # the key's first use is stamped; later ones within the minute are not
    counts = []
    for n in (3, 27):
        make_issues(key.client.unit, n // 3)
        make_issues(key.client.unit, n // 3, handler_kind="grid_leader", handler_unit=None, handler_user=leader)
        make_issues(key.client.unit, n // 3, status=Issue.Status.COLLECTED)
        with CaptureQueriesContext(connection) as queries:
            response = key.get("requests.json")
        assert len(response.json()) >= n
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[0] == 3  # the key, the requests, their first photos (media_url)
