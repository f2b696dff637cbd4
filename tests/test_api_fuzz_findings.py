"""What the API fuzzing (tests/test_api_fuzz.py) found, each pinned by a plain test.

Server errors from inputs the schema allows, answers the schema did not
describe, and the rules by which guilin_portal/schema.py documents errors.
"""

from __future__ import annotations

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from grids.models import User

pytestmark = pytest.mark.django_db

HUGE = 2**70


@pytest.fixture
def staff() -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username="xiufeng_district"))
    return client


@pytest.fixture(scope="module")
def openapi(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


# ---------------------------------------------------------------------------
# Server errors
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("limit", ["-1132318", "-1"])
def test_leaderboard_negative_limit_shows_one_row_at_most(staff, limit):
    response = staff.get("/api/v1/volunteers/leaderboard/", {"metric": "hours", "period": "year", "limit": limit})
    assert response.status_code == 200
    assert len(response.json()) <= 1


@pytest.mark.parametrize("value", ["-1.8e173", "1.5", str(HUGE)])
def test_issue_list_category_that_is_no_row_id_is_a_400_naming_it(staff, value):
    response = staff.get("/api/v1/issues/", {"category": value})
    assert response.status_code == 400
    assert "category" in response.json()


def test_issue_list_category_still_filters(staff):
    assert staff.get("/api/v1/issues/", {"category": "1"}).status_code == 200


@pytest.mark.parametrize("pk", ["hours", "²", "1.5"])
def test_extension_decide_with_a_non_number_is_a_404(staff, pk):
    assert staff.post(f"/api/v1/issue-extensions/{pk}/decide/", {"approve": True}).status_code == 404


@pytest.mark.parametrize("pk", ["abc", "²"])
def test_issue_photo_of_a_non_number_issue_is_a_404(staff, pk):
    assert staff.get(f"/api/v1/issues/{pk}/photos/1/").status_code == 404


@pytest.mark.parametrize("year", ["0", "1999", "99999"])
def test_workstation_compliance_year_out_of_range_is_a_400_naming_it(staff, year):
    response = staff.get("/api/v1/service-points/compliance/", {"year": year})
    assert response.status_code == 400
    assert "year" in response.json()


def test_workstation_compliance_in_range_answers(staff):
    assert staff.get("/api/v1/service-points/compliance/", {"year": "2024"}).status_code == 200


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/contracts/", "community"),
        ("/api/v1/contracts/", "unit"),
        ("/api/v1/contracts/board/", "community"),
        ("/api/v1/contracts/tallies/", "contract"),
        ("/api/v1/contracts/tallies/", "unit"),
        ("/api/v1/volunteers/accounts/", "volunteer"),
        ("/api/v1/volunteers/activities/", "category"),
        ("/api/v1/volunteers/activities/", "team"),
        ("/api/v1/volunteers/members/", "team"),
        ("/api/v1/volunteers/service-records/", "activity"),
        ("/api/v1/volunteers/service-records/", "team"),
        ("/api/v1/volunteers/service-records/", "volunteer"),
        ("/api/v1/volunteers/teams/", "category"),
    ],
)
@pytest.mark.parametrize("value", [HUGE, -HUGE, "²"])
def test_a_filter_id_beyond_64_bits_is_no_server_error(staff, path, parameter, value):
    """SQLite cannot compare a number beyond 64 bits with a foreign key: such an id names no row."""
    assert staff.get(path, {parameter: value}).status_code == 200


# ---------------------------------------------------------------------------
# Answers the schema did not describe
# ---------------------------------------------------------------------------
def test_team_detail_has_the_member_count_the_schema_promises(staff):
    listed = staff.get("/api/v1/volunteers/teams/").json()["results"][0]
    detail = staff.get(f"/api/v1/volunteers/teams/{listed['id']}/").json()
    assert detail["member_count"] == listed["member_count"]


@pytest.mark.parametrize("action", ["events", "tasks", "task-handlers"])
def test_issue_timeline_tasks_and_handlers_are_documented_as_plain_lists(openapi, action):
    operation = openapi["paths"][f"/api/v1/issues/{{id}}/{action}/"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
    assert not [p for p in operation.get("parameters", []) if p["in"] == "query"]


def test_evaluation_inbox_is_documented_as_a_page_of_evaluations(openapi, staff):
    operation = openapi["paths"]["/api/v1/contracts/evaluations/inbox/"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["$ref"] == "#/components/schemas/PaginatedEvaluationList"
    assert "results" in staff.get("/api/v1/contracts/evaluations/inbox/").json()


# ---------------------------------------------------------------------------
# Errors documented by rule (guilin_portal/schema.py)
# ---------------------------------------------------------------------------
def test_every_operation_documents_its_errors(openapi):
    missing = []
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            if "{" in path and not {"404"} <= codes:
                missing.append((method, path, "404"))
            if method in {"post", "put", "patch", "delete"} and not {"400", "403", "404", "409"} <= codes:
                missing.append((method, path, "write errors"))
    assert not missing


def test_statistics_document_the_key_challenge_and_the_throttle(openapi):
    codes = set(openapi["paths"]["/api/v1/stats/overview/"]["get"]["responses"])
    assert {"401", "404", "429"} <= codes


def test_public_reads_do_not_claim_a_log_in(openapi):
    assert "403" not in openapi["paths"]["/api/v1/service-points/"]["get"]["responses"]
    assert "403" in openapi["paths"]["/api/v1/service-points/"]["post"]["responses"]


def test_path_parameters_carry_their_url_grammar(openapi):
    issue_id = next(p for p in openapi["paths"]["/api/v1/issues/{id}/"]["get"]["parameters"] if p["in"] == "path")
    assert issue_id["schema"] == {"type": "integer", "minimum": 0}
    service = openapi["paths"]["/open311/v2/services/{service_code}.json"]["get"]
    code = next(p for p in service["parameters"] if p["name"] == "service_code")
    assert code["schema"]["pattern"] == "^(?:[-a-zA-Z0-9_]+)$"


def test_error_bodies_are_components(openapi, staff):
    schemas = openapi["components"]["schemas"]
    assert schemas["PortalError"]["required"] == ["detail"]
    # A map of field -> messages (a client generator types it; a oneOf with an untyped branch it cannot).
    assert schemas["PortalValidationError"]["type"] == "object"
    assert "additionalProperties" in schemas["PortalValidationError"]
    assert set(staff.get("/api/v1/issues/999999999/").json()) == {"detail"}
