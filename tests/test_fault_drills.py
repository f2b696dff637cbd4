"""Fault drills on PostgreSQL and Redis: the portal keeps every issue and does every job once when things fail.

(a) Redis stops while issues are logged: the pages still succeed, every issue is
    saved waiting; when Redis is back the sweep sends them again and a worker
    routes each exactly once (also the one whose queued message died with Redis).
(b) A worker process is killed in the middle of routing: with acks_late and
    reject_on_worker_lost the task is redelivered and finishes once. Killed pool
    process: the worker requeues at once. Whole worker killed (the machine lost):
    the message waits in the broker's unacked set until its visibility timeout,
    a new worker gets it back, and the routing sweep does not wait for that.
(c) The database connection drops during a write: the person gets a clean 503
    page (or JSON for the API) with Retry-After, and no half-written rows remain.
(d) The same task is delivered twice, at the same moment: one effect.
(e) The database drops a worker's kept connection between tasks: the next task
    reconnects and does its work, with no error and no wait for the sweep.

"In the middle" is made exact without any hook in the product: the test holds
the issue's row lock from its own connection, so the worker's routing blocks
inside its transaction (visible in pg_stat_activity and in the broker's unacked
set) until the test kills it. Every drill runs its own redis-server on a free
port and its own worker processes, so the shared Redis is never touched; each
process is stopped by its id.

Run them: DATABASE_URL=postgres://postgres@127.0.0.1:5432/guilin_drills \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/9 .venv/bin/pytest tests/test_fault_drills.py
(the broker variable only enables the `worker` marker; the drills use their own Redis).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
import redis
from django.conf import settings as django_settings
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from grids.models import User
from guilin_portal.celery import app as celery_app
from issues import selectors, services, tasks
from issues.models import Issue, IssueCategory, IssueEvent, IssuePhoto, Notification
from tests.issues.factories import jpeg_with_gps, session_client

ERRORS_MIDDLEWARE = "guilin_portal.errors_middleware.DatabaseUnavailableMiddleware"
REDIS_SERVER = shutil.which("redis-server")
needs_redis_server = pytest.mark.skipif(REDIS_SERVER is None, reason="needs redis-server on the PATH")
ROUTING_QUEUE = "routing"
RECEIVED = re.compile(r"Task issues\.tasks\.route_issue\[[0-9a-f-]+\] received")  # the worker's line per delivery


# ---------------------------------------------------------------------------
# A Redis of our own, Celery pointed at it, workers of our own
# ---------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnRedis:
    """A redis-server on a free local port, without persistence, stopped and started again by pid."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--daemonize", "no", "--dir", str(self.workdir), "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        """Killed, as a crash would: whatever it held in memory is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1, socket_timeout=2)

    def queued(self, queue: str = ROUTING_QUEUE) -> int:
        return self.client().llen(queue)

    def unacked(self) -> int:
        """Messages a worker has taken but not acknowledged (kombu's redis transport keeps them here)."""
        return self.client().hlen("unacked")


@pytest.fixture
def own_redis(tmp_path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _reset_broker_pools() -> None:
    """Forget cached broker connections so the next send uses the URL configured now."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def publishing_to(url: str) -> Iterator[None]:
    """Send tasks to `url` (not eagerly) for the block; everything restored after.

    broker_write_url/broker_read_url, because Celery reads broker_url from the
    CELERY_BROKER_URL environment variable before the configuration.
    """
    conf = celery_app.conf
    previous = (conf.get("broker_write_url"), conf.get("broker_read_url"), conf.task_always_eager)
    conf.broker_write_url = conf.broker_read_url = url
    conf.task_always_eager = False
    _reset_broker_pools()
    try:
        yield
    finally:
        conf.broker_write_url, conf.broker_read_url, conf.task_always_eager = previous
        _reset_broker_pools()


def database_url_of_tests() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """A Celery worker process on our Redis, reading the test database; stopped or killed by its pid."""

    def __init__(self, broker_url: str, logfile: Path, *, concurrency: int = 1, queues: str = ROUTING_QUEUE):
        self.logfile = logfile
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URL"}
        env |= {"DATABASE_URL": database_url_of_tests(), "CELERY_BROKER_URL": broker_url}
        self.name = f"drill-{uuid.uuid4().hex[:8]}@%h"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "guilin_portal", "worker", "-Q", queues]
            + ["--pool", "prefork", "--concurrency", str(concurrency), "--loglevel", "INFO", "--hostname", self.name]
            + ["--without-gossip", "--without-mingle", "--without-heartbeat"],
            env=env,
            cwd=django_settings.BASE_DIR,
            stdout=logfile.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killing it kills its pool processes, nothing else
        )
        self.wait_for_log("ready.", seconds=60)

    def log(self) -> str:
        return self.logfile.read_text(errors="replace")

    def wait_for_log(self, text: str, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if text in self.log():
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited ({self.process.returncode}):\n{self.log()[-3000:]}")
            time.sleep(0.2)
        raise AssertionError(f"{text!r} not in the worker's log after {seconds} s:\n{self.log()[-3000:]}")

    def pool_processes(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def kill_all(self) -> None:
        """SIGKILL to the worker and its pool processes (its own process group)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill_all()
        else:
            self.process.wait(timeout=1)


@pytest.fixture
def start_worker(tmp_path) -> Iterator[Callable[..., Worker]]:
    started: list[Worker] = []

    def start(broker_url: str, **kwargs) -> Worker:
        worker = Worker(broker_url, tmp_path / f"worker-{len(started)}.log", **kwargs)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


# ---------------------------------------------------------------------------
# The database from the side: a second connection that locks rows and terminates backends
# ---------------------------------------------------------------------------
def side_connection():
    import psycopg2

    db = connection.settings_dict
    side = psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )
    side.autocommit = True
    return side


def backend_pid() -> int:
    """The PostgreSQL backend of this thread's Django connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@contextmanager
def row_locked(issue_id: int) -> Iterator[None]:
    """Hold the issue's row lock from another connection: routing blocks inside its transaction."""
    side = side_connection()
    side.autocommit = False
    try:
        with side.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {Issue._meta.db_table} WHERE id = %s FOR UPDATE", [issue_id])
        yield
    finally:
        side.rollback()
        side.close()


def backends_waiting_for_a_lock() -> int:
    side = side_connection()
    try:
        with side.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                [connection.settings_dict["NAME"]],
            )
            return cursor.fetchone()[0]
    finally:
        side.close()


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


# ---------------------------------------------------------------------------
# Issues
# ---------------------------------------------------------------------------
def log_form(worker: User, description: str) -> dict:
    return {
        "client_key": str(uuid.uuid4()),
        "unit": selectors.default_log_unit(viewer=worker).pk,
        "category": IssueCategory.objects.get(code="opinion-property").pk,
        "description": description,
        "resident_phone": "13907739876",
        "priority": "1",
    }


def log_waiting(worker: User, description: str = "楼道灯不亮。") -> Issue:
    """An issue logged while no broker answers: saved, waiting for routing."""
    broker = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    with publishing_to(broker):
        issue, _created = services.issue_log(
            reporter=worker,
            unit=selectors.default_log_unit(viewer=worker),
            category=IssueCategory.objects.get(code="opinion-property"),
            description=description,
        )
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.COLLECTED
    return issue


def routed_once(issue_id: int) -> Issue:
    """The issue is allocated and its timeline holds exactly one routing event (and one routing notice)."""
    issue = Issue.objects.get(pk=issue_id)
    assert issue.status == Issue.Status.ALLOCATED, issue.status
    assert IssueEvent.objects.filter(issue=issue, kind=IssueEvent.Kind.ALLOCATED).count() == 1
    notices = list(
        Notification.objects.filter(issue=issue, kind=Notification.Kind.ROUTED).values_list("recipient_id", flat=True)
    )
    assert notices
    assert len(notices) == len(set(notices)), notices  # nobody told twice
    assert issue.version == 2  # logged (1), routed (2): one write
    return issue


def is_routed(issue_id: int) -> bool:
    return Issue.objects.filter(pk=issue_id).exclude(status=Issue.Status.COLLECTED).exists()


# ---------------------------------------------------------------------------
# (a) Redis stopped while issues are logged
# ---------------------------------------------------------------------------
@needs_redis_server
@pytest.mark.postgres
@pytest.mark.worker
def test_redis_down_while_issues_are_logged_all_saved_and_all_routed_once_when_it_returns(
    seeded_transactional_db, own_redis, start_worker, settings, caplog
):
    settings.ISSUE_ROUTING_RETRY_SECONDS = 0  # the sweep may send again at once
    worker = User.objects.get(username="xiufeng_worker")
    client = session_client(worker)
    with publishing_to(own_redis.url):
        # Given one issue logged while Redis is up: its routing task waits in Redis (no worker yet)...
        response = client.post(reverse("issues:issue_create"), log_form(worker, "第1件：Redis 停机前登记。"))
        assert response.status_code == 302
        assert own_redis.queued() == 1
        # ...when Redis crashes (no persistence: that queued task is lost with it)
        own_redis.stop()
        # and the worker logs three more issues on the page while it is down,
        for n in range(2, 5):
            started = time.monotonic()
            response = client.post(
                reverse("issues:issue_create"), log_form(worker, f"第{n}件：Redis 停机时登记。"), follow=True
            )
            # then each page still succeeds, promptly, and says routing will follow.
            assert response.status_code == 200
            assert time.monotonic() - started < 10
            assert "正在等待分派" in response.content.decode()
        assert any("deferred: broker unreachable" in record.getMessage() for record in caplog.records)
        issues = list(Issue.objects.filter(reporter=worker, description__contains="Redis 停机").order_by("pk"))
        assert len(issues) == 4
        assert {issue.status for issue in issues} == {Issue.Status.COLLECTED}  # all saved, all waiting
        # The sweep while Redis is still down sends nothing and loses nothing.
        assert tasks.resend_waiting_issues() == 0
        assert not Issue.objects.filter(pk__in=[i.pk for i in issues], routing_sent_at__isnull=False).exists()

        # When Redis is back (same port, empty), the sweep sends routing for every waiting issue...
        own_redis.start()
        _reset_broker_pools()
        assert tasks.resend_waiting_issues() >= 4
        assert own_redis.queued() >= 4
        # ...and a worker routes each exactly once.
        drill_worker = start_worker(own_redis.url, concurrency=2)
        wait_for(lambda: all(is_routed(issue.pk) for issue in issues), 60, "the four issues to be routed")
        for issue in issues:
            routed_once(issue.pk)
        wait_for(lambda: own_redis.queued() == 0 and own_redis.unacked() == 0, 30, "the queue to drain")
        # Nothing is waiting any more: a further sweep sends nothing.
        assert not Issue.objects.filter(pk__in=[i.pk for i in issues], status=Issue.Status.COLLECTED).exists()
        assert drill_worker.process.poll() is None


# ---------------------------------------------------------------------------
# (b) A worker process killed in the middle of routing
# ---------------------------------------------------------------------------
@needs_redis_server
@pytest.mark.postgres
@pytest.mark.worker
def test_pool_process_killed_mid_routing_the_task_is_redelivered_and_routes_once(
    seeded_transactional_db, own_redis, start_worker
):
    issue = log_waiting(User.objects.get(username="xiufeng_worker"))
    drill_worker = start_worker(own_redis.url, concurrency=1)
    (pool_pid,) = drill_worker.pool_processes()
    with row_locked(issue.pk), publishing_to(own_redis.url):
        tasks.route_issue.delay(issue.pk)
        # The worker took the task and is inside the routing transaction, blocked on the row.
        wait_for(lambda: own_redis.unacked() == 1 and backends_waiting_for_a_lock() == 1, 30, "routing to block")
        assert own_redis.queued() == 0
        # Kill the pool process that runs it (SIGKILL: no clean-up, no acknowledgement).
        os.kill(pool_pid, signal.SIGKILL)
        drill_worker.wait_for_log("WorkerLostError")
        # reject_on_worker_lost: the worker requeues the message; a new pool process takes it again
        # and blocks on the row as the first did.
        wait_for(lambda: len(RECEIVED.findall(drill_worker.log())) == 2, 30, "the redelivery")
        wait_for(lambda: pool_pid not in drill_worker.pool_processes(), 30, "a new pool process")
        wait_for(lambda: own_redis.unacked() == 1 and backends_waiting_for_a_lock() >= 1, 30, "the second attempt")
        assert not is_routed(issue.pk)
    # The lock is released: the redelivered task finishes, once.
    wait_for(lambda: is_routed(issue.pk), 30, "routing after the redelivery")
    routed_once(issue.pk)
    wait_for(lambda: own_redis.unacked() == 0 and own_redis.queued() == 0, 30, "the acknowledgement")
    assert len(RECEIVED.findall(drill_worker.log())) == 2  # delivered twice, routed once
    assert drill_worker.process.poll() is None  # the worker itself lived on


@needs_redis_server
@pytest.mark.postgres
@pytest.mark.worker
def test_whole_worker_killed_mid_routing_a_new_worker_finishes_it_once(
    seeded_transactional_db, own_redis, start_worker, settings
):
    from kombu import Connection

    issue = log_waiting(User.objects.get(username="xiufeng_worker"))
    first = start_worker(own_redis.url, concurrency=1)
    with row_locked(issue.pk), publishing_to(own_redis.url):
        tasks.route_issue.delay(issue.pk)
        wait_for(lambda: own_redis.unacked() == 1 and backends_waiting_for_a_lock() == 1, 30, "routing to block")
        # The machine is lost: the worker and its pool processes die at once.
        first.kill_all()
    # Nothing acknowledged it: the message waits in the broker's unacked set, the issue is still waiting.
    assert own_redis.unacked() == 1
    assert not is_routed(issue.pk)
    second = start_worker(own_redis.url, concurrency=1)
    # The broker gives an unacknowledged message back after its visibility timeout (an hour in production,
    # swept every ~100 s); the drill runs that restore at once, as if the time had passed.
    with Connection(own_redis.url, transport_options={"visibility_timeout": 0}) as broker:
        broker.default_channel.qos.restore_visible(num=100, interval=1)
    wait_for(lambda: is_routed(issue.pk), 60, "the new worker to route it")
    routed_once(issue.pk)
    wait_for(lambda: own_redis.unacked() == 0 and own_redis.queued() == 0, 30, "the acknowledgement")
    # Routing never waits for that hour: the sweep would have sent it again; now it finds nothing to send.
    settings.ISSUE_ROUTING_RETRY_SECONDS = 0
    with publishing_to(own_redis.url):
        assert tasks.resend_waiting_issues() == 0
    assert second.process.poll() is None


# ---------------------------------------------------------------------------
# (d) The same task delivered twice
# ---------------------------------------------------------------------------
@needs_redis_server
@pytest.mark.postgres
@pytest.mark.worker
def test_the_same_routing_task_delivered_twice_at_once_routes_once(seeded_transactional_db, own_redis, start_worker):
    issue = log_waiting(User.objects.get(username="xiufeng_worker"))
    start_worker(own_redis.url, concurrency=2)
    task_id = str(uuid.uuid4())
    with row_locked(issue.pk), publishing_to(own_redis.url):
        # The same message twice (same task id), both taken at once by two pool processes.
        tasks.route_issue.apply_async((issue.pk,), task_id=task_id)
        tasks.route_issue.apply_async((issue.pk,), task_id=task_id)
        wait_for(lambda: own_redis.unacked() == 2 and backends_waiting_for_a_lock() == 2, 30, "both to block")
    wait_for(lambda: own_redis.unacked() == 0 and own_redis.queued() == 0, 30, "both to finish")
    routed_once(issue.pk)


@needs_redis_server
@pytest.mark.postgres
@pytest.mark.worker
def test_the_escalation_sweep_delivered_twice_at_once_escalates_once(seeded_transactional_db, own_redis, start_worker):
    worker = User.objects.get(username="xiufeng_worker")
    issue = log_waiting(worker)
    services.issue_route(issue_id=issue.pk)
    # Overdue by a day: the next sweep climbs it one level.
    past = timezone.now() - timedelta(days=1)
    Issue.objects.filter(pk=issue.pk).update(
        created_at=past - timedelta(hours=80), due_at=past, remind_at=past, reminded_at=past, next_escalation_at=past
    )
    start_worker(own_redis.url, concurrency=2, queues=ROUTING_QUEUE)
    task_id = str(uuid.uuid4())
    with publishing_to(own_redis.url):
        tasks.deadlines_sweep.apply_async(task_id=task_id)
        tasks.deadlines_sweep.apply_async(task_id=task_id)
    wait_for(lambda: own_redis.unacked() == 0 and own_redis.queued() == 0, 60, "both sweeps to finish")
    escalated = Issue.objects.get(pk=issue.pk)
    assert escalated.escalation_level == 1
    assert escalated.supervision_unit_id is not None
    assert IssueEvent.objects.filter(issue=issue, kind=IssueEvent.Kind.SUPERVISED).count() == 1


# ---------------------------------------------------------------------------
# (e) The database drops a worker's kept connection between two tasks
# ---------------------------------------------------------------------------
def terminate_backends_except_mine() -> int:
    """Terminate every other backend on the test database (a restart or a failover, as the workers see it)."""
    mine = backend_pid()
    side = side_connection()
    try:
        with side.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = %s AND pid NOT IN (pg_backend_pid(), %s)",
                [connection.settings_dict["NAME"], mine],
            )
            return cursor.fetchone()[0]
    finally:
        side.close()


@needs_redis_server
@pytest.mark.postgres
@pytest.mark.worker
def test_a_worker_whose_kept_connection_was_dropped_routes_the_next_issue_at_once(
    seeded_transactional_db, own_redis, start_worker
):
    worker = User.objects.get(username="xiufeng_worker")
    first, second = log_waiting(worker, "楼道灯不亮。"), log_waiting(worker, "井盖松动。")
    drill_worker = start_worker(own_redis.url, concurrency=1)
    with publishing_to(own_redis.url):
        tasks.route_issue.delay(first.pk)
        wait_for(lambda: is_routed(first.pk), 30, "the first routing")
        # The worker kept its connection (CELERY_DB_REUSE_MAX); the database drops it.
        assert terminate_backends_except_mine() >= 1
        tasks.route_issue.delay(second.pk)
        # Routed by this delivery, not by the sweep minutes later: the dead connection was noticed
        # before the task's first query and replaced.
        wait_for(lambda: is_routed(second.pk), 30, "the second routing")
    routed_once(second.pk)
    assert "OperationalError" not in drill_worker.log()
    assert "InterfaceError" not in drill_worker.log()


# ---------------------------------------------------------------------------
# (c) The database connection dropped during a write
# ---------------------------------------------------------------------------
@pytest.fixture
def errors_middleware(settings):
    """The product's middleware list, with the 503 middleware where settings put it (added if not yet)."""
    if ERRORS_MIDDLEWARE not in settings.MIDDLEWARE:
        middleware = list(settings.MIDDLEWARE)
        middleware.insert(middleware.index("guilin_portal.observability.RequestIdMiddleware") + 1, ERRORS_MIDDLEWARE)
        settings.MIDDLEWARE = middleware


@contextmanager
def connection_dropped_before(target: str) -> Iterator[list[int]]:
    """Patch `target` so that, when the service calls it, this thread's database backend is terminated first.

    The service is then in the middle of its transaction: earlier statements
    ran, the next one finds the connection gone.
    """
    import importlib

    module_name, name = target.rsplit(".", 1)
    original = getattr(importlib.import_module(module_name), name)
    terminated: list[int] = []

    def dropping(*args, **kwargs):
        pid = backend_pid()
        side = side_connection()
        try:
            with side.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
                for _ in range(100):
                    cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
                    if cursor.fetchone() is None:
                        break
                    time.sleep(0.05)
        finally:
            side.close()
        terminated.append(pid)
        return original(*args, **kwargs)

    with mock.patch(target, dropping):
        try:
            yield terminated
        finally:
            connection.close()  # the test's next query opens a fresh connection


def assert_clean_503(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    body = response.content.decode()
    assert "服务暂时不可用，请稍后重试" in body
    assert "Traceback" not in body
    assert "OperationalError" not in body


@pytest.mark.postgres
def test_connection_dropped_while_an_issue_is_logged_gives_a_503_and_writes_nothing(
    seeded_transactional_db, errors_middleware, settings, tmp_path, caplog
):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    worker = User.objects.get(username="xiufeng_worker")
    form = log_form(worker, "断线演练：这一条不能写进数据库。") | {"photos": jpeg_with_gps()}
    counts = (Issue.objects.count(), IssueEvent.objects.count(), IssuePhoto.objects.count())
    client = session_client(worker)
    # The issue row and its photo row are written; the connection dies before the version and first
    # timeline event (one statement since issue 17: issues.services.batch).
    with connection_dropped_before("issues.services.lifecycle.logged_history_and_event") as terminated:
        response = client.post(reverse("issues:issue_create"), form)
    assert terminated  # the drop happened inside the service
    assert_clean_503(response)
    # No half-written issue: the transaction never committed.
    assert not Issue.objects.filter(client_key=form["client_key"]).exists()
    assert (Issue.objects.count(), IssueEvent.objects.count(), IssuePhoto.objects.count()) == counts
    assert any(getattr(r, "event", "") == "database_unavailable" for r in caplog.records)
    # Known and reported: the photo's file, stored before its row, stays on disk as an orphan (no row
    # points at it, so no view serves it); the rows, which are what the portal shows, are all gone.
    # The same form sent again (the person retries) logs the issue once.
    form["photos"] = jpeg_with_gps()
    response = client.post(reverse("issues:issue_create"), form)
    assert response.status_code == 302
    assert Issue.objects.filter(client_key=form["client_key"]).count() == 1


@pytest.mark.postgres
def test_connection_dropped_while_an_issue_is_resolved_leaves_it_as_it_was(seeded_transactional_db, errors_middleware):
    worker = User.objects.get(username="xiufeng_worker")
    office = User.objects.get(username="xiufeng_community")
    issue = log_waiting(worker)
    services.issue_route(issue_id=issue.pk)
    issue = services.issue_accept(actor=office, issue=Issue.objects.get(pk=issue.pk))
    before = Issue.objects.values("status", "version", "resolution", "resolved_at").get(pk=issue.pk)
    events = IssueEvent.objects.filter(issue=issue).count()
    client = session_client(office)
    url = reverse("issues:issue_action", args=[issue.pk, "resolve"])
    # The issue row is updated; the connection dies before the timeline event is written.
    with connection_dropped_before("issues.services.lifecycle._event") as terminated:
        response = client.post(url, {"version": issue.version, "resolution": "已修复。"})
    assert terminated
    assert_clean_503(response)
    assert Issue.objects.values("status", "version", "resolution", "resolved_at").get(pk=issue.pk) == before
    assert IssueEvent.objects.filter(issue=issue).count() == events
    # Once the database answers again the same action goes through.
    response = client.post(url, {"version": issue.version, "resolution": "已修复。"})
    assert response.status_code == 302
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.RESOLVED


# These run on SQLite too: the middleware's answers, whatever raised the error.
@pytest.mark.django_db
def test_a_database_error_in_a_view_is_a_503_page_with_retry_after(client_as, errors_middleware, caplog):
    client = client_as("xiufeng_worker")
    with mock.patch("issues.views.issues.selectors.issue_mine", side_effect=OperationalError("server closed")):
        response = client.get(reverse("issues:issue_mine"))
    assert_clean_503(response)
    assert response["Retry-After"] == "30"
    assert response["X-Request-ID"]
    record = next(r for r in caplog.records if getattr(r, "event", "") == "database_unavailable")
    assert record.path == reverse("issues:issue_mine")
    assert record.levelname == "ERROR"


@pytest.mark.django_db
def test_a_database_error_in_the_api_is_a_503_json(client_as, errors_middleware):
    client = client_as("xiufeng_worker")
    with mock.patch("issues.api.views.selectors.issue_list", side_effect=OperationalError("server closed")):
        response = client.get("/api/v1/issues/")
    assert response.status_code == 503
    assert response.json() == {"detail": "服务暂时不可用，请稍后重试"}
    assert response["Retry-After"] == "30"


@pytest.mark.django_db
def test_a_database_error_in_a_middleware_is_a_503_too(errors_middleware):
    client = Client(raise_request_exception=False)
    target = "django.contrib.sessions.middleware.SessionMiddleware.process_request"
    with mock.patch(target, side_effect=OperationalError("could not connect to server")):
        response = client.get(reverse("login"))
    assert_clean_503(response)
    # Any other error stays a 500: only a lost database means "try again shortly".
    with mock.patch(target, side_effect=RuntimeError("a bug")):
        assert client.get(reverse("login")).status_code == 500
