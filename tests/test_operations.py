"""Health, metrics, request ids and structured logs, the replica router."""

import json
import logging

import pytest
from django.db import connections
from django.test import Client, override_settings
from django.urls import reverse

from grids.models import GridUnit
from guilin_portal.db_router import ReplicaRouter, reading_from_replica
from guilin_portal.observability import JsonFormatter, RequestIdFilter, request_id_var

pytestmark = pytest.mark.django_db


@override_settings(PORTAL_METRICS_TOKEN="s3cret-token")
def test_healthz_reports_each_check_to_the_metrics_token_only():
    bare = Client().get("/healthz")
    assert set(bare.json()) == {"status"}
    response = Client().get("/healthz", HTTP_AUTHORIZATION="Bearer s3cret-token")
    body = response.json()
    assert response.status_code == bare.status_code
    assert body["checks"]["database"] == "ok"
    workers = {name: state for name, state in body["checks"].items() if name.startswith("worker:")}
    assert set(workers) == {"worker:routing", "worker:tallies", "worker:default"}
    if body["checks"]["broker"] == "eager":
        assert response.status_code == 200
        assert body["status"] == "ok"
    else:  # on CI's Redis run a worker may or may not be up; the answer must say which
        assert body["checks"]["broker"] == "ok"
        assert response.status_code == (200 if set(workers.values()) == {"ok"} else 503)


@override_settings(PORTAL_METRICS_TOKEN="s3cret-token")
def test_metrics_need_the_scrapers_token():
    client = Client()
    client.get(reverse("login"))
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'portal_http_requests_total{method="GET",status="200",view="login"}' in text
    assert "portal_http_request_seconds_bucket" in text
    assert "portal_celery_tasks_total" in text


def test_metrics_are_off_without_a_token():
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_every_response_carries_a_request_id():
    response = Client().get(reverse("login"))
    assert len(response["X-Request-ID"]) == 32
    echoed = Client().get(reverse("login"), HTTP_X_REQUEST_ID="proxy-abc-12345")
    assert echoed["X-Request-ID"] == "proxy-abc-12345"
    forged = Client().get(reverse("login"), HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert forged["X-Request-ID"] != "<script>alert(1)</script>"


def test_log_lines_are_json_with_offset_and_request_id():
    record = logging.makeLogRecord({"name": "portal.security", "levelname": "INFO", "msg": "log-in", "event": "login"})
    token = request_id_var.set("abc123")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "abc123"
    assert line["event"] == "login"
    assert line["time"].endswith("+08:00")  # Asia/Shanghai, offset written out


def test_replica_router_reads_from_the_replica_only_inside_the_block(settings, monkeypatch):
    router = ReplicaRouter()
    monkeypatch.delitem(settings.DATABASES, "replica", raising=False)
    with reading_from_replica():
        assert router.db_for_read(GridUnit) == "default"  # no replica configured
    monkeypatch.setitem(settings.DATABASES, "replica", {})
    assert router.db_for_read(GridUnit) == "default"
    with reading_from_replica():
        assert router.db_for_read(GridUnit) == "replica"
        assert router.db_for_write(GridUnit) == "default"


@pytest.mark.skipif("replica" not in connections.databases, reason="set DATABASE_REPLICA_URL to test the replica")
@pytest.mark.django_db(databases=["default", "replica"])
def test_reads_inside_the_block_go_to_the_configured_replica(django_assert_num_queries):
    from django.test.utils import CaptureQueriesContext

    try:
        with CaptureQueriesContext(connections["replica"]) as replica_queries, reading_from_replica():
            count = GridUnit.objects.count()
    finally:
        # A kept-alive replica connection would block dropping the test database at the end.
        connections["replica"].close()
    assert count == GridUnit.objects.count()
    assert any("grids_gridunit" in q["sql"] for q in replica_queries.captured_queries)
