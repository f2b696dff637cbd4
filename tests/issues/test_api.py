"""The issue REST API: create with client_key, 400s naming the field, 404 outside jurisdiction, filters, counts."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from grids.models import Post
from grids.viewer import Viewer
from issues import selectors, services
from issues.models import Issue, IssuePhoto

from .factories import category, executable_named_jpg, fresh, jpeg_with_gps, log, log_routed

pytestmark = pytest.mark.django_db

ISSUES = "/api/v1/issues/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def api_as(demo_user):
    def make(username: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(demo_user(username))
        return client

    return make


def body(worker, **extra):
    data = {
        "unit": extra.get("unit") or selectors.default_log_unit(viewer=worker).pk,
        "category": category("opinion-property").pk,
        "description": "电梯停运",
        "resident_phone": "13812345678",
    }
    data.update(extra)
    return data


def test_create_with_the_same_client_key_twice_gives_one_issue(api_as, demo_user):
    worker = demo_user("xiufeng_worker")
    client = api_as("xiufeng_worker")
    key = str(uuid.uuid4())
    first = client.post(ISSUES, body(worker, client_key=key), format="json")
    second = client.post(ISSUES, body(worker, client_key=key), format="json")
    assert first.status_code == 201
    assert second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert Issue.objects.filter(client_key=key).count() == 1
    assert first.json()["status"] == "collected"  # routing runs after commit (never inside this test's transaction)
    assert first.json()["resident_phone"] == "13812345678"  # the reporter sees it in full


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"description": ""}, "description"),
        ({"resident_phone": "12345"}, "resident_phone"),
        ({"category": 999999}, "category"),
        ({"priority": 9}, "priority"),
        ({"client_key": "not-a-uuid"}, "client_key"),
    ],
)
def test_create_errors_are_400_naming_the_field(change, field, api_as, demo_user):
    before = Issue.objects.count()
    response = api_as("xiufeng_worker").post(ISSUES, body(demo_user("xiufeng_worker"), **change), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Issue.objects.count() == before


def test_create_in_a_unit_outside_the_jurisdiction_is_400_on_unit(api_as, demo_user):
    qixing_unit = selectors.default_log_unit(viewer=demo_user("qixing_worker"))
    response = api_as("xiufeng_worker").post(
        ISSUES, body(demo_user("xiufeng_worker"), unit=qixing_unit.pk), format="json"
    )
    assert response.status_code == 400
    assert "unit" in response.json()


def test_create_outside_the_jurisdiction_reads_as_a_unit_that_does_not_exist(api_as, demo_user):
    """No hint that a unit exists elsewhere: the same words as for a key no unit has."""
    worker = demo_user("xiufeng_worker")
    client = api_as("xiufeng_worker")
    qixing_unit = selectors.default_log_unit(viewer=demo_user("qixing_worker"))
    before = Issue.objects.count()
    outside = client.post(ISSUES, body(worker, unit=qixing_unit.pk), format="json").json()["unit"][0]
    missing = client.post(ISSUES, body(worker, unit=10**9 + qixing_unit.pk), format="json").json()["unit"][0]
    assert outside.replace(str(qixing_unit.pk), "N") == missing.replace(str(10**9 + qixing_unit.pk), "N")
    assert Issue.objects.count() == before


def test_create_at_a_unit_above_the_micro_grids_is_400_on_unit(api_as, demo_user):
    street = demo_user("xiufeng_street")  # the street's own unit is in its jurisdiction, but not a micro-grid
    above = Post.objects.filter(user=street).select_related("unit").first().unit
    assert not above.is_micro_grid
    assert Viewer.for_user(street).sees_path(above.path)
    before = Issue.objects.count()
    response = api_as("xiufeng_street").post(ISSUES, body(street, unit=above.pk), format="json")
    assert response.status_code == 400
    assert "unit" in response.json()
    assert Issue.objects.count() == before


def test_multipart_create_with_photos_and_a_bad_one_is_refused(api_as, demo_user):
    worker = demo_user("xiufeng_worker")
    client = api_as("xiufeng_worker")
    data = body(worker, photos=[jpeg_with_gps(), executable_named_jpg()])
    before = (Issue.objects.count(), IssuePhoto.objects.count())
    response = client.post(ISSUES, data, format="multipart")
    assert response.status_code == 400
    assert "photos" in response.json()
    assert (Issue.objects.count(), IssuePhoto.objects.count()) == before
    response = client.post(ISSUES, body(worker, photos=[jpeg_with_gps()]), format="multipart")
    assert response.status_code == 201
    photo = response.json()["photos"][0]
    assert client.get(photo["url"]).status_code == 200
    assert api_as("qixing_worker").get(photo["url"]).status_code == 404


def test_an_invalid_transition_is_400_naming_the_status(api_as, demo_user):
    issue = log_routed(demo_user("xiufeng_worker"))
    response = api_as("xiufeng_community").post(f"{ISSUES}{issue.pk}/resolve/", {"resolution": "x"}, format="json")
    assert response.status_code == 400
    assert "请先受理" in response.json()["status"][0]


def test_a_stale_version_is_409(api_as, demo_user):
    issue = log_routed(demo_user("xiufeng_worker"))
    client = api_as("xiufeng_community")
    assert client.post(f"{ISSUES}{issue.pk}/accept/", {"version": issue.version}, format="json").status_code == 200
    response = client.post(f"{ISSUES}{issue.pk}/suspend/", {"version": issue.version, "reason": "x"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_the_whole_cycle_through_the_api(api_as, demo_user):
    worker = demo_user("xiufeng_worker")
    issue = log_routed(worker)
    staff = api_as("xiufeng_community")
    assert staff.post(f"{ISSUES}{issue.pk}/accept/", {}, format="json").json()["status"] == "in_progress"
    assert staff.post(f"{ISSUES}{issue.pk}/progress/", {"note": "已联系"}, format="json").status_code == 200
    handlers = staff.get(f"{ISSUES}{issue.pk}/task-handlers/").json()
    tasks = [{"title": "核实", "handler": handlers[0]["handler"]}]
    assert (
        staff.post(f"{ISSUES}{issue.pk}/decompose/", {"tasks": tasks}, format="json").json()["status"] == "decomposed"
    )
    task_id = staff.get(f"{ISSUES}{issue.pk}/tasks/").json()[0]["id"]
    leader = api_as("xiufeng_leader") if handlers[0]["handler"].startswith("grid_leader") else staff
    assert (
        leader.post(f"/api/v1/issue-tasks/{task_id}/complete/", {"result": "已核实"}, format="json").status_code == 200
    )
    assert fresh(issue).status == "resolved"
    feedback = api_as("xiufeng_worker").post(
        f"{ISSUES}{issue.pk}/feedback/", {"satisfaction": "satisfied"}, format="json"
    )
    assert feedback.json()["status"] == "closed"
    events = api_as("xiufeng_worker").get(f"{ISSUES}{issue.pk}/events/").json()
    assert [e["kind"] for e in events][-1] == "feedback"


def test_extension_through_the_api(api_as, demo_user):
    issue = services.issue_accept(actor=demo_user("xiufeng_community"), issue=log_routed(demo_user("xiufeng_worker")))
    response = api_as("xiufeng_community").post(
        f"{ISSUES}{issue.pk}/request-extension/", {"hours": 24, "reason": "等配件"}, format="json"
    )
    assert response.status_code == 201
    street = api_as("xiufeng_street")
    pending = street.get("/api/v1/issue-extensions/").json()["results"]
    assert response.json()["id"] in [e["id"] for e in pending]
    decided = street.post(f"/api/v1/issue-extensions/{response.json()['id']}/decide/", {"approve": True}, format="json")
    assert decided.json()["status"] == "approved"


def test_qixing_worker_gets_404_and_never_sees_a_xiufeng_issue(api_as, demo_user):
    issue = log_routed(demo_user("xiufeng_worker"))
    qixing = api_as("qixing_worker")
    for path in ["", "events/", "tasks/", "task-handlers/"]:
        assert qixing.get(f"{ISSUES}{issue.pk}/{path}").status_code == 404
    assert qixing.post(f"{ISSUES}{issue.pk}/accept/", {}, format="json").status_code == 404
    ids = [row["id"] for row in qixing.get(ISSUES, {"page_size": 500}).json()["results"]]
    assert issue.pk not in ids
    assert qixing.get(ISSUES, {"unit": issue.unit_id}).json()["count"] == 0


def test_list_api_runs_the_same_queries_for_3_and_30_issues(api_as, demo_user):
    worker = demo_user("xiufeng_worker")
    client = api_as("xiufeng_community")
    counts = []
    for n in (3, 27):
        for _ in range(n):
            log_routed(worker)
        client.get(ISSUES)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(ISSUES)
        assert response.json()["count"] >= n
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_filters(api_as, demo_user, unit_named):
    worker = demo_user("xiufeng_worker")
    client = api_as("xiufeng_district")
    fire = log_routed(worker, code="hazard-fire")
    plain = log_routed(worker)
    Issue.objects.filter(pk=fire.pk).update(
        created_at=timezone.now() - timedelta(hours=25), due_at=timezone.now() - timedelta(hours=1)
    )
    overdue = {row["id"] for row in client.get(ISSUES, {"overdue": "true", "page_size": 500}).json()["results"]}
    assert fire.pk in overdue
    assert plain.pk not in overdue
    by_category = {row["id"] for row in client.get(ISSUES, {"category": fire.category_id}).json()["results"]}
    assert fire.pk in by_category
    assert plain.pk not in by_category
    since = (timezone.now() - timedelta(minutes=5)).isoformat()
    recent = {row["id"] for row in client.get(ISSUES, {"created_after": since}).json()["results"]}
    assert plain.pk in recent
    assert fire.pk not in recent
    qixing = unit_named("七星区")
    assert client.get(ISSUES, {"unit": qixing.pk}).json()["count"] == 0  # outside 秀峰区: nothing, not an error
    in_street = {
        row["id"]
        for row in client.get(ISSUES, {"unit": unit_named("秀峰街道").pk, "status": "allocated"}).json()["results"]
    }
    assert plain.pk in in_street


def test_phone_is_masked_for_a_viewer_who_does_not_handle_it(api_as, demo_user):
    issue = log_routed(demo_user("xiufeng_worker"), resident_phone="13812345678")
    assert api_as("xiufeng_street").get(f"{ISSUES}{issue.pk}/").json()["resident_phone"] == "138****5678"
    assert api_as("xiufeng_community").get(f"{ISSUES}{issue.pk}/").json()["resident_phone"] == "13812345678"


def test_token_authentication(demo_user):
    token = Token.objects.create(user=demo_user("xiufeng_worker"))
    client = APIClient()
    assert client.get(ISSUES).status_code in (401, 403)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(ISSUES).status_code == 200


def test_the_schema_documents_the_issue_endpoints(client):
    schema = client.get("/api/schema/").content.decode()
    for path in ["/api/v1/issues/", "/api/v1/issues/{id}/resolve/", "/api/v1/issues/{id}/events/", "client_key"]:
        assert path in schema
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert "cdn" not in docs.content.decode().lower()


def test_categories_endpoint(api_as):
    rows = api_as("xiufeng_worker").get("/api/v1/issue-categories/").json()
    assert {"kind", "name", "name_en", "time_limit_hours"} <= set(rows[0])
    assert len(rows) >= 18


def test_notifications_endpoint(api_as, demo_user):
    log_routed(demo_user("xiufeng_worker"))
    client = api_as("xiufeng_community")
    unread = client.get("/api/v1/notifications/", {"unread": "1"}).json()["results"]
    assert unread
    read = client.post(f"/api/v1/notifications/{unread[0]['id']}/read/").json()
    assert read["read_at"]
    assert api_as("qixing_worker").post(f"/api/v1/notifications/{unread[0]['id']}/read/").status_code == 404


def test_waiting_issue_has_no_handler_yet(api_as, demo_user):
    issue = log(demo_user("xiufeng_worker"))
    data = api_as("xiufeng_worker").get(f"{ISSUES}{issue.pk}/").json()
    assert data["status"] == "collected"
    assert data["handler"] is None


def test_the_fast_representation_equals_drfs_own_for_the_declared_fields(demo_user, rf):
    from rest_framework import serializers
    from rest_framework.request import Request

    from issues.api.serializers import IssueDetailSerializer

    staff = demo_user("xiufeng_community")
    issue = services.issue_accept(
        actor=staff, issue=log_routed(demo_user("xiufeng_worker"), resident_phone="13812345678")
    )
    services.issue_resolve(actor=staff, issue=issue, resolution="已处理")
    for username in ["xiufeng_worker", "xiufeng_street"]:
        request = Request(rf.get("/"))
        request.user = demo_user(username)
        seen = selectors.issue_get(viewer=request.user, pk=issue.pk)
        serializer = IssueDetailSerializer(seen, context={"request": request})
        assert serializer.to_representation(seen) == serializers.Serializer.to_representation(serializer, seen)
