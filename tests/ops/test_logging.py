"""One log format: lines from a request (Django and gunicorn), a task (worker) and beat parse as JSON
with their +08:00 time, level, logger and request or task id, and carry no personal data."""

import io
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client

from guilin_portal.observability import (
    ENVIRON_USER_ID,
    GunicornLogger,
    JsonFormatter,
    RequestIdFilter,
    loggable_path,
)

pytestmark = pytest.mark.django_db

TOKEN_PATH = "/screen/Zq9xTokenOfAScreenLink2026abc/"
PHONE = re.compile(r"(?<![\d.])1[3-9]\d{9}(?!\d)")  # a mobile number, not a digit run inside a duration


def parse(lines: str) -> list[dict]:
    """Every non-empty line is one JSON object (a line that is not fails the test)."""
    return [json.loads(line) for line in lines.splitlines() if line.strip()]


def assert_well_formed(entry: dict) -> None:
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$", entry["time"]), entry
    assert entry["level"] in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
    assert entry["logger"]
    assert "request_id" in entry


@pytest.fixture
def captured():
    """The root logger's JSON lines, formatted and filtered as settings.LOGGING's console handler does."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def test_django_request_lines_carry_the_request_id_and_no_secret_path(captured):
    response = Client().get(TOKEN_PATH + "?api_key=s3cret", HTTP_X_REQUEST_ID="req-0123456789")
    assert response.status_code == 404
    entries = [e for e in parse(captured.getvalue()) if e["logger"] == "django.request"]
    assert entries, captured.getvalue()
    for entry in entries:
        assert_well_formed(entry)
        assert entry["request_id"] == "req-0123456789" == response["X-Request-ID"]
        assert "Zq9xToken" not in json.dumps(entry)
        assert "s3cret" not in json.dumps(entry)


def test_a_task_logs_with_its_task_id(captured):
    from dashboards.tasks import issue_rollup_refresh_task

    result = issue_rollup_refresh_task.apply()
    entries = [e for e in parse(captured.getvalue()) if e["logger"].startswith("dashboards")]
    assert entries, captured.getvalue()
    for entry in entries:
        assert_well_formed(entry)
        assert entry["request_id"] == f"task-{result.id}"


def test_celery_trace_lines_name_the_task_but_not_its_return_value():
    record = logging.makeLogRecord(
        {
            "name": "celery.app.trace",
            "levelname": "INFO",
            "msg": "Task %(name)s[%(id)s] succeeded in %(runtime)ss: %(return_value)s",
            "args": {"id": "abc-1", "name": "x.y", "runtime": 0.1, "return_value": "张三 13912345678"},
        }
    )
    RequestIdFilter().filter(record)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["task_id"] == "abc-1"
    assert entry["request_id"] == "task-abc-1"
    assert "13912345678" not in json.dumps(entry, ensure_ascii=False)
    assert "张三" not in json.dumps(entry, ensure_ascii=False)


def test_access_lines_carry_method_path_status_duration_and_the_user_id_only():
    stream = io.StringIO()
    from gunicorn.config import Config

    config = Config()
    config.set("accesslog", "-")
    log = GunicornLogger(config)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    log.access_log.handlers = [handler]
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": TOKEN_PATH, "QUERY_STRING": "api_key=s3cret", ENVIRON_USER_ID: 42}
    response = SimpleNamespace(status_code=200, headers=[("X-Request-ID", "abc12345")], sent=10)
    log.access(response, None, environ, timedelta(milliseconds=12.5))
    (entry,) = parse(stream.getvalue())
    assert_well_formed(entry)
    assert entry["method"] == "GET"
    assert entry["path"] == "/screen/[redacted]/"
    assert entry["status"] == 200
    assert entry["duration_ms"] == 12.5
    assert entry["user_id"] == 42
    assert entry["request_id"] == "abc12345"
    assert "s3cret" not in stream.getvalue()


def test_the_access_middleware_leaves_the_user_id_only_when_the_request_loaded_the_user(client_as):
    response = client_as("xiufeng_worker").get("/")
    assert response.wsgi_request.META.get(ENVIRON_USER_ID) == response.wsgi_request.user.pk
    assert Client().get("/healthz/live").wsgi_request.META.get(ENVIRON_USER_ID) is None


def test_loggable_path_drops_queries_and_masks_tokens_only():
    assert loggable_path("/issues/123/?phone=139") == "/issues/123/"
    assert loggable_path("/screen/abcdefghij1234567890/") == "/screen/[redacted]/"
    assert loggable_path("/dashboards/unit/4501/") == "/dashboards/unit/4501/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_error_and_access_lines_are_json(tmp_path):
    """The real server with ops/gunicorn.conf.py: every line it writes parses."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_", "DATABASE_", "CELERY_"))}
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
    }
    log = tmp_path / "gunicorn.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "ops/gunicorn.conf.py", "guilin_portal.wsgi"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/live?api_key=s3cret", timeout=5) as r:
                    assert r.status == 200
                    request_id = r.headers["X-Request-ID"]
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                assert process.poll() is None, log.read_text()
                time.sleep(0.3)
        time.sleep(0.5)
    finally:
        process.terminate()
        process.wait(timeout=30)
    entries = parse(log.read_text())
    for entry in entries:
        assert_well_formed(entry)
    assert any(e["logger"] == "gunicorn.error" for e in entries)
    access = [e for e in entries if e["logger"] == "gunicorn.access"]
    assert access, entries
    assert access[-1]["path"] == "/healthz/live"
    assert access[-1]["request_id"] == request_id
    assert "s3cret" not in log.read_text()


# ---------------------------------------------------------------------------
# A real worker and a real beat (the PostgreSQL + Redis pass of .ci/run)
# ---------------------------------------------------------------------------
@pytest.mark.worker
def test_worker_and_beat_lines_are_json_with_task_ids(seeded_transactional_db, tmp_path):
    from tests.test_fault_drills import REDIS_SERVER, OwnRedis, Worker, database_url_of_tests, publishing_to

    assert REDIS_SERVER, "the worker pass needs redis-server on the PATH (.ci/run installs it)"
    from dashboards.tasks import issue_rollup_refresh_task

    redis = OwnRedis(tmp_path)
    redis.start()
    beat = None
    try:
        worker = Worker(redis.url, tmp_path / "worker.log", queues="default")
        try:
            with publishing_to(redis.url):
                sent = issue_rollup_refresh_task.delay()
            worker.wait_for_log(f"{sent.id}] succeeded", seconds=60)
        finally:
            worker.stop()
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URL"}
        env |= {"DATABASE_URL": database_url_of_tests(), "CELERY_BROKER_URL": redis.url}
        beat_log = tmp_path / "beat.log"
        beat = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "guilin_portal", "--quiet", "beat", "--loglevel", "INFO"]
            + ["--schedule", str(tmp_path / "beat-schedule")],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=beat_log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while "Schedule changed" not in beat_log.read_text() and "Sending due task" not in beat_log.read_text():
            assert time.monotonic() < deadline, beat_log.read_text()
            time.sleep(0.5)
    finally:
        if beat is not None:
            beat.terminate()
            beat.wait(timeout=30)
        redis.stop()
    worker_entries = [json.loads(line) for line in worker.log().splitlines() if line.startswith("{")]
    task_lines = [e for e in worker_entries if e.get("task_id") == sent.id or e["request_id"] == f"task-{sent.id}"]
    assert len(task_lines) >= 2, worker.log()  # received, then succeeded (and the task's own lines)
    for entry in worker_entries:
        assert_well_formed(entry)
    assert not PHONE.search(worker.log())
    beat_entries = [json.loads(line) for line in Path(beat_log).read_text().splitlines() if line.startswith("{")]
    assert any(e["logger"].startswith(("celery.beat", "django_celery_beat")) for e in beat_entries)
    for entry in beat_entries:
        assert_well_formed(entry)
