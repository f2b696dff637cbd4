"""Health: liveness does no I/O; readiness asks a worker per queue, in parallel, once for many probes."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guilin_portal import health

pytestmark = pytest.mark.django_db

TOKEN = "ops-metrics-token"  # noqa: S105
ALL_QUEUES = ["routing", "tallies", "default"]


def queues_reply(*nodes: tuple[str, list[str]]) -> dict:
    """What `inspect().active_queues()` returns: {node: [{"name": queue, ...}]}."""
    return {node: [{"name": q, "exchange": {"name": q}} for q in queues] for node, queues in nodes}


@pytest.fixture
def broker_configured(settings, monkeypatch):
    """A broker is configured and answers; which workers answer is each test's business (the inspect stub)."""
    settings.CELERY_BROKER_URL = "redis://broker.invalid:6379/0"
    settings.PORTAL_METRICS_TOKEN = TOKEN
    monkeypatch.setattr(health, "check_broker", lambda: "ok")
    health.readiness_cache.clear()
    yield monkeypatch
    health.readiness_cache.clear()


def test_liveness_answers_without_any_io(monkeypatch):
    def forbidden():
        raise AssertionError("liveness must not check anything")

    for name in ("check_database", "check_broker", "check_workers", "run_checks"):
        monkeypatch.setattr(health, name, forbidden)
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(reverse("healthz_live"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert len(queries) == 0


def test_readiness_is_503_when_only_the_routing_worker_is_down(broker_configured):
    broker_configured.setattr(
        health, "active_queues", lambda timeout: queues_reply(("tallies@host", ["tallies", "default"]))
    )
    response = Client().get(reverse("healthz_ready"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["worker:routing"] == "no worker answered"
    assert checks["worker:tallies"] == checks["worker:default"] == "ok"
    assert checks["database"] == checks["broker"] == "ok"


def test_readiness_is_200_when_every_queue_has_a_worker(broker_configured):
    broker_configured.setattr(
        health,
        "active_queues",
        lambda timeout: queues_reply(("routing@host", ["routing"]), ("tallies@host", ["tallies", "default"])),
    )
    response = Client().get(reverse("healthz_ready"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert set(response.json()["checks"]) == {"database", "broker", "routing relay"} | {
        f"worker:{q}" for q in ALL_QUEUES
    }


def test_anyone_without_the_metrics_token_gets_the_bare_status(broker_configured):
    broker_configured.setattr(health, "active_queues", lambda timeout: {})
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer wrong"}):
        response = Client().get(reverse("healthz_ready"), **headers)
        assert response.status_code == 503
        assert response.json() == {"status": "unavailable"}


def test_the_old_healthz_is_readiness(broker_configured):
    broker_configured.setattr(health, "active_queues", lambda timeout: {})  # no worker answers
    old, ready = Client().get("/healthz"), Client().get(reverse("healthz_ready"))
    assert (old.status_code, old.json()) == (ready.status_code, ready.json()) == (503, {"status": "unavailable"})


def test_the_three_checks_run_at_once(broker_configured):
    """Each stub waits for the other two at a barrier: run one after another, they would all break it."""
    barrier = threading.Barrier(3, timeout=5)

    def meets(answer):
        def check(*args):
            barrier.wait()
            return answer

        return check

    broker_configured.setattr(health, "check_database", meets("ok"))
    broker_configured.setattr(health, "check_broker", meets("ok"))
    broker_configured.setattr(health, "active_queues", meets(queues_reply(("all@host", ALL_QUEUES))))
    verdict = health.run_checks()
    assert verdict["status"] == "ok", verdict


def test_fifty_concurrent_readiness_probes_share_one_check(broker_configured, settings):
    settings.PORTAL_HEALTH_CACHE_SECONDS = 5
    calls = []
    started = threading.Event()

    def slow_inspect(timeout):
        calls.append(1)
        started.wait(2)  # held open until every probe has arrived
        return queues_reply(("all@host", ALL_QUEUES))

    broker_configured.setattr(health, "check_database", lambda: "ok")
    broker_configured.setattr(health, "active_queues", slow_inspect)
    with ThreadPoolExecutor(max_workers=50) as pool:
        futures = [pool.submit(health.readiness_cache.get) for _ in range(50)]
        started.set()
        verdicts = [f.result(timeout=10) for f in futures]
    assert len(calls) == 1
    assert {v["status"] for v in verdicts} == {"ok"}
    assert health.readiness_cache.get() is verdicts[0]  # still cached: no fifty-first check
    assert len(calls) == 1


def test_fifty_concurrent_liveness_probes_leave_a_page_its_database_and_workers(monkeypatch):
    """The probes ask nothing of the database, the broker or the workers: a page's queries are its own."""
    checks = []
    monkeypatch.setattr(health, "run_checks", lambda: checks.append(1))
    client = Client()
    with CaptureQueriesContext(connection) as alone:
        assert client.get(reverse("login")).status_code == 200

    def probe(_):
        return Client().get(reverse("healthz_live")).status_code

    with CaptureQueriesContext(connection) as busy, ThreadPoolExecutor(max_workers=50) as pool:
        probes = pool.map(probe, range(50))
        assert client.get(reverse("login")).status_code == 200
        assert set(probes) == {200}
    assert len(busy) == len(alone)  # the page's own queries only: the probes made none
    assert checks == []


@pytest.mark.worker
def test_readiness_with_real_workers_503_without_the_routing_worker_then_200(
    seeded_transactional_db, tmp_path, settings
):
    from tests.test_fault_drills import REDIS_SERVER, OwnRedis, Worker, publishing_to

    assert REDIS_SERVER, "the worker pass needs redis-server on the PATH (.ci/run installs it)"
    redis = OwnRedis(tmp_path)
    redis.start()
    settings.CELERY_BROKER_URL = redis.url
    settings.PORTAL_METRICS_TOKEN = TOKEN
    settings.PORTAL_HEALTH_TIMEOUT_SECONDS = 2.0
    workers = []
    try:
        with publishing_to(redis.url):
            workers.append(Worker(redis.url, tmp_path / "tallies.log", queues="tallies,default"))
            health.readiness_cache.clear()
            response = Client().get(reverse("healthz_ready"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
            assert response.status_code == 503, response.json()
            assert response.json()["checks"]["worker:routing"] == "no worker answered"
            assert response.json()["checks"]["worker:tallies"] == "ok"
            assert response.json()["checks"]["broker"] == "ok"

            workers.append(Worker(redis.url, tmp_path / "routing.log", queues="routing"))
            health.readiness_cache.clear()
            response = Client().get(reverse("healthz_ready"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
            assert response.status_code == 200, response.json()
    finally:
        for worker in workers:
            worker.stop()
        redis.stop()
        health.readiness_cache.clear()


@pytest.fixture
def relay_deployed(broker_configured, settings):
    """Production's routing: the relay sends what is logged; tasks go to a broker (not run in-process)."""
    from guilin_portal.celery import app as celery_app

    settings.ISSUE_ROUTING_RELAY = True
    settings.ISSUE_ROUTING_RELAY_LATE_SECONDS = 60
    celery_app.conf.task_always_eager = False  # put back by the suite's _celery_mode fixture
    broker_configured.setattr(
        health, "active_queues", lambda timeout: queues_reply(("all@host", ["routing", "tallies", "default"]))
    )
    return broker_configured


def _relay_state() -> tuple[int, str]:
    health.readiness_cache.clear()
    response = Client().get(reverse("healthz_ready"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    return response.status_code, response.json()["checks"]["routing relay"]


def test_readiness_says_when_the_routing_relay_leaves_an_issue_unsent(relay_deployed, demo_user):
    """An issue the relay has not sent within a minute makes the portal not ready; sent, or fresh, it is."""
    from datetime import timedelta

    from django.utils import timezone

    from issues.models import Issue
    from tests.issues.factories import log

    Issue.objects.filter(status=Issue.Status.COLLECTED).update(routing_sent_at=timezone.now())
    assert _relay_state() == (200, "ok")
    issue = log(demo_user("xiufeng_worker"))  # the relay sends on commit: nothing sent it in this test
    assert _relay_state() == (200, "ok")  # fresh: the relay has a minute
    Issue.objects.filter(pk=issue.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    status, state = _relay_state()
    assert status == 503
    assert state.startswith("an issue waits unsent for 30")
    assert "issues_relay" in state
    Issue.objects.filter(pk=issue.pk).update(routing_sent_at=timezone.now())  # the relay caught up
    assert _relay_state() == (200, "ok")


def test_without_the_relay_its_check_is_off_and_ready(broker_configured, settings):
    settings.ISSUE_ROUTING_RELAY = False
    broker_configured.setattr(
        health, "active_queues", lambda timeout: queues_reply(("all@host", ["routing", "tallies", "default"]))
    )
    assert _relay_state() == (200, "off")
