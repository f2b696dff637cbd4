"""Routing through Celery: after commit, with the broker down (nothing lost), idempotent tasks, a real worker."""

import time
import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guilin_portal.celery import app as celery_app
from issues import selectors, services, tasks
from issues.models import Issue, IssueEvent

from .factories import category, fresh, log, log_routed, session_client

UNREACHABLE_BROKER = "redis://127.0.0.1:6390/0"


def _reset_broker_pools() -> None:
    """Forget cached connections so the next send uses the broker URL now configured."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def broker_at(url: str, *, eager: bool = False):
    """Point the Celery app's publishing at `url` (eager off) for the block; restore everything after.

    `broker_write_url`, because Celery reads `broker_url` from the CELERY_BROKER_URL
    environment variable first, which the PostgreSQL + Redis run sets.
    """
    previous = (celery_app.conf.get("broker_write_url"), celery_app.conf.task_always_eager)
    celery_app.conf.broker_write_url = url
    celery_app.conf.task_always_eager = eager
    _reset_broker_pools()
    try:
        yield
    finally:
        celery_app.conf.broker_write_url, celery_app.conf.task_always_eager = previous
        _reset_broker_pools()


def log_form(worker) -> dict:
    return {
        "client_key": str(uuid.uuid4()),
        "unit": selectors.default_log_unit(viewer=worker).pk,
        "category": category("opinion-property").pk,
        "description": "楼道堆放杂物。",
        "priority": "1",
    }


def wait_until_routed(issue_id: int, seconds: float = 30) -> Issue:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        issue = Issue.objects.get(pk=issue_id)
        if issue.status != Issue.Status.COLLECTED:
            return issue
        time.sleep(0.2)
    raise AssertionError(f"issue {issue_id} was not routed within {seconds} s")


@pytest.mark.django_db
def test_broker_down_logging_succeeds_waits_and_the_sweep_routes_it_later(
    client_as, demo_user, django_capture_on_commit_callbacks, settings, caplog
):
    worker = demo_user("xiufeng_worker")
    client = client_as("xiufeng_worker")
    # Given Redis cannot be reached, when the worker logs an issue on the page...
    with broker_at(UNREACHABLE_BROKER), django_capture_on_commit_callbacks(execute=True):
        started = time.monotonic()
        response = client.post(reverse("issues:issue_create"), log_form(worker), follow=True)
        elapsed = time.monotonic() - started
    # ...the page still succeeds, promptly, and says routing is pending; the issue is saved, waiting.
    assert response.status_code == 200
    assert elapsed < 10
    issue = Issue.objects.filter(reporter=worker).latest("pk")
    assert issue.status == Issue.Status.COLLECTED
    assert "正在等待分派" in response.content.decode()
    assert any("deferred: broker unreachable" in record.getMessage() for record in caplog.records)
    assert not any("13" in record.getMessage() and "phone" in record.getMessage() for record in caplog.records)
    # A sweep while the broker is still down sends nothing and loses nothing.
    later = timezone.now() + timedelta(seconds=settings.ISSUE_ROUTING_RETRY_SECONDS + 1)
    with broker_at(UNREACHABLE_BROKER):
        assert services.issues_resend_waiting(now=later) == []
    assert fresh(issue).status == Issue.Status.COLLECTED
    assert fresh(issue).routing_sent_at is None
    # When the broker is back (eager here), the sweep routes it.
    assert issue.pk in services.issues_resend_waiting(now=later)
    assert fresh(issue).status == Issue.Status.ALLOCATED


@pytest.mark.django_db
def test_route_task_twice_is_the_same_as_once(demo_user):
    issue = log(demo_user("xiufeng_worker"))
    assert tasks.route_issue.delay(issue.pk).get() == "allocated"
    version = fresh(issue).version
    assert tasks.route_issue.delay(issue.pk).get() == "allocated"
    assert fresh(issue).version == version
    assert IssueEvent.objects.filter(issue=issue, kind="allocated").count() == 1
    assert tasks.route_issue.delay(10**9).get() is None  # gone: nothing to do


@pytest.mark.django_db
def test_sweep_tasks_run_twice_give_the_same_result(demo_user):
    issue = log_routed(demo_user("xiufeng_worker"))
    Issue.objects.filter(pk=issue.pk).update(
        created_at=issue.created_at - timedelta(hours=80),
        due_at=issue.due_at - timedelta(hours=80),
        remind_at=issue.remind_at - timedelta(hours=80),
        next_escalation_at=issue.due_at - timedelta(hours=80),
    )
    tasks.deadlines_sweep.delay().get()
    after_once = fresh(issue)
    tasks.deadlines_sweep.delay().get()
    after_twice = fresh(issue)
    assert after_once.escalation_level == after_twice.escalation_level == 1
    assert after_once.version == after_twice.version
    assert IssueEvent.objects.filter(issue=issue, kind="supervised").count() == 1
    assert tasks.resend_waiting_issues.delay().get() >= 0


def test_beat_schedule_runs_both_sweeps_every_minute():
    from guilin_portal.schedules import CELERY_BEAT_SCHEDULE

    tasks_scheduled = {entry["task"]: entry["schedule"] for entry in CELERY_BEAT_SCHEDULE.values()}
    assert tasks_scheduled["issues.tasks.resend_waiting_issues"] == 60.0
    assert tasks_scheduled["issues.tasks.deadlines_sweep"] == 60.0
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.task_reject_on_worker_lost is True
    assert celery_app.conf.task_routes["issues.tasks.*"] == {"queue": "routing"}


# ---------------------------------------------------------------------------
# A real worker on Redis (PostgreSQL run of .ci/run)
# ---------------------------------------------------------------------------
@pytest.mark.worker
def test_an_issue_logged_through_the_page_is_routed_by_a_real_worker(live_worker, seeded_transactional_db):
    from grids.models import User

    worker = User.objects.get(username="xiufeng_worker")
    response = session_client(worker).post(reverse("issues:issue_create"), log_form(worker))
    assert response.status_code == 302
    issue = Issue.objects.filter(reporter=worker).latest("pk")
    routed = wait_until_routed(issue.pk)
    assert routed.status == Issue.Status.ALLOCATED
    assert routed.handler_unit.name == "解东社区"
    assert IssueEvent.objects.filter(issue=issue, kind="allocated", actor__isnull=True).count() == 1


@pytest.mark.worker
def test_logged_while_redis_was_down_then_routed_by_the_worker_after_the_sweep(
    live_worker, seeded_transactional_db, settings
):
    from grids.models import User

    worker = User.objects.get(username="xiufeng_worker")
    with broker_at(UNREACHABLE_BROKER):
        response = session_client(worker).post(reverse("issues:issue_create"), log_form(worker))
    assert response.status_code == 302
    issue = Issue.objects.filter(reporter=worker).latest("pk")
    time.sleep(1)
    assert fresh(issue).status == Issue.Status.COLLECTED  # nothing was sent: it waits
    # Redis is back: the sweep (as beat runs it) sends it again, and the real worker routes it.
    later = timezone.now() + timedelta(seconds=settings.ISSUE_ROUTING_RETRY_SECONDS + 1)
    with broker_at(settings.CELERY_BROKER_URL):
        assert services.issues_resend_waiting(now=later) == [issue.pk]
    assert wait_until_routed(issue.pk).status == Issue.Status.ALLOCATED
