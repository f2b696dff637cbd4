"""Prometheus metrics: requests, Celery task counts and latencies, queue lengths.

`/metrics` answers only a scraper that sends `Authorization: Bearer
$PORTAL_METRICS_TOKEN` (404 when no token is configured). With several
gunicorn or Celery processes on a host, set PROMETHEUS_MULTIPROC_DIR to a
shared, emptied-at-boot folder and the endpoint adds them all up.
"""

from __future__ import annotations

import hmac
import os
import time

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

REQUESTS = Counter("portal_http_requests_total", "HTTP requests handled", ["method", "view", "status"])
REQUEST_SECONDS = Histogram("portal_http_request_seconds", "Time to answer an HTTP request", ["method", "view"])
TASKS = Counter("portal_celery_tasks_total", "Celery tasks finished", ["task", "state"])
TASK_SECONDS = Histogram(
    "portal_celery_task_seconds", "Time a Celery task ran", ["task"], buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600)
)
QUEUES = ("routing", "tallies", "default")


class MetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match and match.view_name else "unmatched"
        REQUESTS.labels(request.method, view, str(response.status_code)).inc()
        REQUEST_SECONDS.labels(request.method, view).observe(time.perf_counter() - started)
        return response


class QueueLengthCollector:
    """Reads the broker's queue lengths at scrape time."""

    def collect(self):
        gauge = GaugeMetricFamily("portal_celery_queue_length", "Messages waiting in a Celery queue", labels=["queue"])
        if settings.CELERY_BROKER_URL.startswith("redis"):
            from guilin_portal.celery import app

            try:
                with app.connection_for_read() as conn:
                    client = conn.default_channel.client
                    for queue in QUEUES:
                        gauge.add_metric([queue], client.llen(queue))
            except Exception:  # noqa: BLE001 - a scrape must not fail because the broker is down
                pass
        yield gauge


_task_started: dict[str, float] = {}


def task_started(task_id: str, **_kwargs) -> None:
    _task_started[task_id] = time.perf_counter()


def task_finished(task_id: str, task, state: str | None = None, **_kwargs) -> None:
    started = _task_started.pop(task_id, None)
    TASKS.labels(task.name, state or "UNKNOWN").inc()
    if started is not None:
        TASK_SECONDS.labels(task.name).observe(time.perf_counter() - started)


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry = CollectorRegistry()
        for collector in list(REGISTRY._collector_to_names):
            registry.register(collector)
    registry.register(QueueLengthCollector())
    return registry


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    token = settings.PORTAL_METRICS_TOKEN
    offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(offered.encode(), token.encode()):
        raise Http404  # no hint that the endpoint exists
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
