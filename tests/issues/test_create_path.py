"""Issue creation's hot path (issue 17, item 3): the lean API middleware stack, the version and first event
in one statement, the routing publish after the response, the Viewer's query compiled once."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from grids.viewer import Viewer
from guilin_portal import after_response
from guilin_portal.celery import app as celery_app
from guilin_portal.handlers import PAGE_ONLY_MIDDLEWARE, PortalWSGIHandler, api_middleware, is_lean_api_call
from issues import selectors, services
from issues.models import Issue, IssueEvent

from .factories import category

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _test_connection_kept_across_requests():
    """Django's test client does this too: a server's request signals close old connections, which on
    PostgreSQL would close the test's own connection (and its transaction) in the middle of the test."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def wsgi_call(handler, path: str, *, method: str = "GET", body: dict | None = None, **headers):
    """One request through a WSGI handler as a server would make it: (status, headers, body)."""
    data = json.dumps(body).encode() if body is not None else b""
    environ = RequestFactory()._base_environ(
        PATH_INFO=path,
        REQUEST_METHOD=method,
        CONTENT_TYPE="application/json",
        CONTENT_LENGTH=str(len(data)),
        **{"wsgi.input": io.BytesIO(data)},
        **headers,
    )
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(response_headers)

    response = handler(environ, start_response)
    content = b"".join(response)
    response.close()  # as a WSGI server does once the body is sent: request_finished
    return int(answer["status"].split()[0]), answer["headers"], content


def issue_body(worker) -> dict:
    return {
        "unit": selectors.default_log_unit(viewer=worker).pk,
        "category": category("opinion-property").pk,
        "description": "楼道灯坏了。",
        "resident_phone": "13907731234",
        "client_key": str(uuid.uuid4()),
    }


# -- the lean stack ----------------------------------------------------------------------------------
def test_api_calls_with_credentials_skip_only_the_page_middleware():
    lean = api_middleware()
    assert lean == [path for path in settings.MIDDLEWARE if path not in PAGE_ONLY_MIDDLEWARE]
    for kept in (
        "guilin_portal.observability.RequestIdMiddleware",
        "guilin_portal.errors_middleware.DatabaseUnavailableMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "grids.middleware.ViewerMiddleware",
        "simple_history.middleware.HistoryRequestMiddleware",
        "dashboards.api.auth.ApiCallLogMiddleware",
    ):
        assert kept in lean
    assert "django.contrib.sessions.middleware.SessionMiddleware" not in lean
    assert len(lean) < len(settings.MIDDLEWARE)


@pytest.mark.parametrize(
    ("path", "headers", "lean"),
    [
        ("/api/v1/issues/", {"HTTP_AUTHORIZATION": "Token abc"}, True),
        ("/api/v1/stats/issues/", {"HTTP_AUTHORIZATION": "Api-Key abc"}, True),
        ("/api/v1/issues/", {}, False),  # the pages' own calls: session and CSRF
        ("/api/v1/issues/", {"HTTP_AUTHORIZATION": "Token abc", "HTTP_ACCEPT": "text/html"}, False),
        ("/api/docs/", {"HTTP_AUTHORIZATION": "Token abc"}, False),
        ("/issues/", {"HTTP_AUTHORIZATION": "Token abc"}, False),
    ],
)
def test_which_requests_take_the_lean_stack(path, headers, lean):
    assert is_lean_api_call({"PATH_INFO": path, **headers}) is lean


def test_an_issue_logged_through_the_lean_stack_is_whole(demo_user):
    # Given a grid worker's token and the server's own WSGI handler,
    worker = demo_user("xiufeng_worker")
    token = Token.objects.create(user=worker)
    handler = PortalWSGIHandler()
    # when the worker logs an issue with the token,
    status, headers, content = wsgi_call(
        handler, "/api/v1/issues/", method="POST", body=issue_body(worker), HTTP_AUTHORIZATION=f"Token {token.key}"
    )
    # then it is created, with no session cookie and the API's own headers,
    assert status == 201, content[:300]
    assert "Set-Cookie" not in headers
    assert headers["X-Content-Type-Options"] == "nosniff"  # security headers still set
    issue = Issue.objects.get(pk=json.loads(content)["id"])
    # and its audit version is signed by the worker, its timeline has its first event.
    (version,) = issue.history.all()
    assert (version.history_type, version.history_user_id) == ("+", worker.pk)
    assert list(issue.events.values_list("kind", "actor_id")) == [(IssueEvent.Kind.COLLECTED, worker.pk)]


def test_a_bad_token_is_still_refused_on_the_lean_stack(demo_user):
    status, _headers, content = wsgi_call(
        PortalWSGIHandler(),
        "/api/v1/issues/",
        method="POST",
        body=issue_body(demo_user("xiufeng_worker")),
        HTTP_AUTHORIZATION="Token not-a-token",
    )
    assert status == 403  # as on the whole stack: DRF answers for its first scheme (the session's)
    assert not Issue.objects.filter(description="楼道灯坏了。").exists()


def test_pages_keep_the_whole_stack(demo_user):
    status, headers, _content = wsgi_call(PortalWSGIHandler(), "/accounts/login/")
    assert status == 200
    assert "Content-Security-Policy" in headers
    assert headers["X-Frame-Options"] == "DENY"
    assert "csrftoken" in headers.get("Set-Cookie", "")


# -- the version and the first event in one statement --------------------------------------------------------
def test_logging_writes_its_version_and_first_event_with_the_issue(demo_user):
    worker = demo_user("xiufeng_worker")
    unit = selectors.default_log_unit(viewer=worker)
    with CaptureQueriesContext(connection) as captured:
        issue, created = services.issue_log(
            reporter=worker, unit=unit, category=category("opinion-property"), description="井盖缺失。"
        )
    assert created
    writes = [q["sql"] for q in captured.captured_queries if q["sql"].startswith(("INSERT", "WITH"))]
    if connection.vendor == "postgresql":
        assert len(writes) == 2  # the issue; its version and event together
    else:
        assert len(writes) == 3  # SQLite has no data-modifying WITH: the version, then the event
    # The version is what simple_history writes: every tracked field as saved, '+', nobody outside a request.
    (version,) = issue.history.all()
    assert version.history_type == "+"
    assert version.history_user_id is None
    assert (version.status, version.version, version.unit_id, version.description, version.due_at) == (
        Issue.Status.COLLECTED,
        1,
        unit.pk,
        "井盖缺失。",
        issue.due_at,
    )
    (event,) = issue.events.all()
    assert (event.kind, event.actor_id, event.at, event.data) == (
        IssueEvent.Kind.COLLECTED,
        worker.pk,
        issue.created_at,
        {"photos": 0},
    )


def test_a_later_change_still_writes_its_version_through_simple_history(demo_user):
    worker = demo_user("xiufeng_worker")
    issue, _created = services.issue_log(
        reporter=worker,
        unit=selectors.default_log_unit(viewer=worker),
        category=category("opinion-property"),
        description="井盖缺失。",
    )
    assert not hasattr(issue, "skip_history_when_saving")
    issue.priority = Issue.Priority.URGENT
    issue.save()
    assert list(issue.history.order_by("history_id").values_list("history_type", "priority")) == [
        ("+", Issue.Priority.NORMAL),
        ("~", Issue.Priority.URGENT),
    ]


# -- the publish after the response --------------------------------------------------------------------------
def test_deferred_work_runs_after_the_response_and_at_once_outside_a_request():
    done = []
    after_response.defer(lambda: done.append("outside"))
    assert done == ["outside"]
    request_started.send(sender=None)
    after_response.defer(lambda: done.append("first"))
    after_response.defer(lambda: done.append("second"))
    assert done == ["outside"]  # nothing yet: the response is being made
    request_finished.send(sender=None)
    assert done == ["outside", "first", "second"]


def test_deferred_work_that_fails_does_not_stop_the_rest(caplog):
    done = []
    request_started.send(sender=None)
    after_response.defer(lambda: 1 / 0)
    after_response.defer(lambda: done.append("ran"))
    request_finished.send(sender=None)
    assert done == ["ran"]
    assert "deferred work failed" in caplog.text


@pytest.fixture
def with_broker():
    """Tasks are published, not run eagerly (the publish itself is recorded by the test)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = previous


def test_with_a_broker_the_routing_task_is_published_after_the_response(
    demo_user, monkeypatch, with_broker, django_capture_on_commit_callbacks
):
    # Given a broker whose publishes are recorded,
    sent: list[int] = []
    monkeypatch.setattr("issues.services.routing.send_route_task", sent.append)
    worker = demo_user("xiufeng_worker")
    token = Token.objects.create(user=worker)
    data = json.dumps(issue_body(worker)).encode()
    environ = RequestFactory()._base_environ(
        PATH_INFO="/api/v1/issues/",
        REQUEST_METHOD="POST",
        CONTENT_TYPE="application/json",
        CONTENT_LENGTH=str(len(data)),
        HTTP_AUTHORIZATION=f"Token {token.key}",
        **{"wsgi.input": io.BytesIO(data)},
    )
    statuses = []
    # when the server has the whole response (status, headers, body) in hand,
    with django_capture_on_commit_callbacks(execute=True):  # the test's transaction stands for the commit
        response = PortalWSGIHandler()(environ, lambda status, headers, exc_info=None: statuses.append(status))
        body = json.loads(b"".join(response))
    # then nothing has been published yet: the issue is committed and the answer is the client's,
    assert statuses == ["201 Created"]
    assert sent == []
    assert Issue.objects.filter(pk=body["id"], status=Issue.Status.COLLECTED).exists()
    # and the publish happens once the server closes the response, exactly once.
    response.close()
    assert sent == [body["id"]]


# -- the Viewer's query compiled once ------------------------------------------------------------------------
def test_the_viewer_query_compiled_once_reads_each_users_own_standing(demo_user):
    worker, staff = demo_user("xiufeng_worker"), demo_user("xiufeng_district")
    first, second = Viewer.for_user(worker), Viewer.for_user(staff)
    with CaptureQueriesContext(connection) as captured:
        worker_paths, staff_paths = first.jurisdiction, second.jurisdiction
    assert len(captured.captured_queries) == 2
    assert worker_paths != staff_paths
    assert worker_paths == tuple(sorted({p.path for p in first.posts}))
