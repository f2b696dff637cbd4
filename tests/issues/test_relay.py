"""The routing relay (issue 17, item 3): with ISSUE_ROUTING_RELAY the process that logs an issue sends
nothing; the committed row is the outbox, `issues_relay_waiting` sends what waits as one task, and the
sweep still sends whatever the relay could not."""

from __future__ import annotations

import select
import time
from datetime import timedelta

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError
from rest_framework.authtoken.models import Token

from issues import services, tasks
from issues.models import Issue

from .factories import fresh, log
from .test_create_path import _test_connection_kept_across_requests, issue_body, wsgi_call  # noqa: F401
from .test_tasks import broker_at, log_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def relay_on(settings):
    """Production's arrangement: a broker (eager off) and the relay sending routing."""
    settings.ISSUE_ROUTING_RELAY = True
    with broker_at("redis://127.0.0.1:6390/0"):  # unreachable: any publish would be logged as failed
        yield


@pytest.fixture
def batches(monkeypatch) -> list[list[int]]:
    """The routing tasks the relay sends, recorded instead of published."""
    sent: list[list[int]] = []
    monkeypatch.setattr(tasks.route_issues, "delay", lambda ids: sent.append(list(ids)))
    return sent


def test_with_the_relay_logging_an_issue_through_the_api_publishes_nothing(
    demo_user, relay_on, monkeypatch, django_capture_on_commit_callbacks
):
    # Given the relay, when a worker logs an issue through the API,
    from guilin_portal.handlers import PortalWSGIHandler

    published: list = []
    monkeypatch.setattr("issues.services.routing.send_route_task", published.append)
    monkeypatch.setattr("issues.services.routing.send_route_batch", published.append)
    worker = demo_user("xiufeng_worker")
    token = Token.objects.create(user=worker)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        status, _headers, _body = wsgi_call(
            PortalWSGIHandler(),
            "/api/v1/issues/",
            method="POST",
            body=issue_body(worker),
            HTTP_AUTHORIZATION=f"Token {token.key}",
        )
    # then it is created and left waiting, unsent: no on-commit work, no publish before or after the response.
    assert status == 201
    assert callbacks == []
    assert published == []
    issue = Issue.objects.filter(reporter=worker).latest("pk")
    assert issue.status == Issue.Status.COLLECTED
    assert issue.routing_sent_at is None


def test_the_relay_sends_the_waiting_issues_once_as_one_task(demo_user, relay_on, batches):
    worker = demo_user("xiufeng_worker")
    first, second = log(worker), log(worker)
    routed = log(worker)
    services.issue_route(issue_id=routed.pk)
    now = timezone.now()
    # Claimed and marked in one transaction (BEGIN, select the waiting ids, mark them, COMMIT), then sent.
    with CaptureQueriesContext(connection) as captured:
        assert services.issues_relay_waiting(now=now) == [first.pk, second.pk]
    assert len(captured.captured_queries) <= 4
    assert batches == [[first.pk, second.pk]]
    assert fresh(first).routing_sent_at == fresh(second).routing_sent_at == now
    # Sent once: the next pass finds nothing to send.
    assert services.issues_relay_waiting() == []
    assert batches == [[first.pk, second.pk]]


def test_a_relay_pass_sends_at_most_its_limit(demo_user, relay_on, batches):
    worker = demo_user("xiufeng_worker")
    issues = [log(worker) for _ in range(3)]
    assert services.issues_relay_waiting(limit=2) == [issues[0].pk, issues[1].pk]
    assert services.issues_relay_waiting(limit=2) == [issues[2].pk]
    assert batches == [[issues[0].pk, issues[1].pk], [issues[2].pk]]


def test_broker_down_the_relay_loses_nothing_and_the_sweep_sends_it(demo_user, relay_on, monkeypatch, settings):
    # Given the broker cannot take the relay's task,
    def unreachable(ids):
        raise KombuOperationalError("connection refused")

    monkeypatch.setattr(tasks.route_issues, "delay", unreachable)
    issue = log(demo_user("xiufeng_worker"))
    # the relay sends nothing and the issue stays waiting, marked as tried;
    assert services.issues_relay_waiting() == []
    assert fresh(issue).status == Issue.Status.COLLECTED
    assert fresh(issue).routing_sent_at is not None
    assert services.issues_relay_waiting() == []  # the relay does not try it again
    # when the broker is back (eager here), the sweep sends it once its time has come, and it is routed.
    later = timezone.now() + timedelta(seconds=settings.ISSUE_ROUTING_RETRY_SECONDS + 1)
    with broker_at("", eager=True):
        assert services.issues_resend_waiting(now=later) == [issue.pk]
    assert fresh(issue).status == Issue.Status.ALLOCATED


def test_route_issues_routes_each_and_twice_is_the_same_as_once(demo_user):
    worker = demo_user("xiufeng_worker")
    first, second = log(worker), log(worker)
    assert tasks.route_issues.delay([first.pk, second.pk, 10**9]).get() == 2
    versions = [fresh(first).version, fresh(second).version]
    assert {fresh(first).status, fresh(second).status} == {Issue.Status.ALLOCATED}
    tasks.route_issues.delay([first.pk, second.pk]).get()
    assert [fresh(first).version, fresh(second).version] == versions


def test_the_relay_command_once_sends_what_waits(demo_user, relay_on, batches):
    issue = log(demo_user("xiufeng_worker"))
    call_command("issues_relay", "--once")
    assert batches == [[issue.pk]]


def test_without_the_relay_the_page_still_sends_routing_itself(
    client_as, demo_user, settings, django_capture_on_commit_callbacks
):
    # The embedded default (no broker, no relay): routing runs in-process at commit, as before.
    settings.ISSUE_ROUTING_RELAY = False
    worker = demo_user("xiufeng_worker")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("xiufeng_worker").post(reverse("issues:issue_create"), log_form(worker))
    assert response.status_code == 302
    assert Issue.objects.filter(reporter=worker).latest("pk").status == Issue.Status.ALLOCATED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the wake-up is PostgreSQL's NOTIFY (migration 0007)")
def test_a_committed_issue_wakes_the_relay(seeded_transactional_db):
    from grids.models import User

    # Given a session listening as the relay does,
    settings_dict = connection.settings_dict
    listener = psycopg2.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"],
        host=settings_dict["HOST"],
        port=settings_dict["PORT"],
    )
    listener.autocommit = True
    try:
        listener.cursor().execute("LISTEN issues_logged")
        # when an issue is logged and committed,
        log(User.objects.get(username="xiufeng_worker"))
        # then the relay is woken (one notice for the transaction).
        deadline = time.monotonic() + 10
        while not listener.notifies and time.monotonic() < deadline:
            select.select([listener], [], [], 1)
            listener.poll()
        assert [notice.channel for notice in listener.notifies] == ["issues_logged"]
    finally:
        listener.close()
