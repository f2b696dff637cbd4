"""Health probes: liveness (`/healthz/live`) and readiness (`/healthz/ready`, also `/healthz`).

- Liveness answers from memory: no database, no broker, no cache. A load balancer or
  systemd watchdog may call it as often as it likes; it never holds a gunicorn worker.
- Readiness checks the database, the broker and that a worker answers on *each* queue
  (PORTAL_HEALTH_QUEUES: routing, tallies, default), all three in parallel threads with a
  short timeout, and keeps the verdict PORTAL_HEALTH_CACHE_SECONDS: concurrent probes
  wait for the one check under way and share its answer, so probes cannot pile up.
- Apps add checks of their own (`register_check`: a name and a function answering "ok", "off" or
  what is wrong), asked after the three above: the routing relay's backlog (issues.apps).
- Anyone gets the bare status (`{"status": "ok"}`, 200 or 503); the per-check detail
  only with `Authorization: Bearer $PORTAL_METRICS_TOKEN` (the Prometheus scraper's).
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .registry import Registry

OK = {"ok", "eager", "off"}  # "off": a part this deployment does not run


def check_database() -> str:
    # A thread of its own: open, ask, close (the request's connection is not shared across threads).
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()
    return "ok"


def check_broker() -> str:
    if not settings.CELERY_BROKER_URL:
        return "eager"  # no broker configured: tasks run in-process
    from guilin_portal.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=settings.PORTAL_HEALTH_TIMEOUT_SECONDS)
    return "ok"


def active_queues(timeout: float) -> dict[str, list[dict]]:
    """{worker node name: [queue descriptions]} from every worker answering within `timeout` (the broker boundary)."""
    from guilin_portal.celery import app

    return app.control.inspect(timeout=timeout).active_queues() or {}


def check_workers() -> dict[str, str]:
    """For each expected queue: "ok" when at least one worker consuming it answered in time."""
    queues = settings.PORTAL_HEALTH_QUEUES
    if not settings.CELERY_BROKER_URL:
        return dict.fromkeys(queues, "eager")
    replies = active_queues(settings.PORTAL_HEALTH_TIMEOUT_SECONDS)
    served: dict[str, list[str]] = {}
    for node, consumed in replies.items():
        for queue in consumed or []:
            served.setdefault(queue.get("name", ""), []).append(node)
    return {queue: "ok" if served.get(queue) else "no worker answered" for queue in queues}


@dataclass(frozen=True)
class ReadinessCheck:
    """A readiness check an app adds: `check()` answers "ok", "off" (not run here) or what is wrong."""

    name: str
    check: Callable[[], str]


_CHECKS: Registry[ReadinessCheck] = Registry("readiness check")
register_check = _CHECKS.register


def _run(check: Callable) -> object:
    try:
        return check()
    except Exception as error:  # noqa: BLE001 - any failure is the answer
        return f"error: {type(error).__name__}"


def run_checks() -> dict:
    """Database, broker and workers at once; the slowest bounds the time (about the timeout)."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=3, thread_name_prefix="healthz") as pool:
        database, broker, workers = (
            pool.submit(_run, check) for check in (check_database, check_broker, check_workers)
        )
        checks: dict[str, object] = {"database": database.result(), "broker": broker.result()}
        worker_result = workers.result()
    checks |= {entry.name: _run(entry.check) for entry in _CHECKS.entries()}
    if isinstance(worker_result, dict):
        checks |= {f"worker:{queue}": state for queue, state in worker_result.items()}
    else:
        checks |= {f"worker:{queue}": worker_result for queue in settings.PORTAL_HEALTH_QUEUES}
    healthy = all(value in OK for value in checks.values())
    return {
        "status": "ok" if healthy else "unavailable",
        "checks": checks,
        "seconds": round(time.perf_counter() - started, 3),
        "checked_at": time.time(),
    }


class _ReadinessCache:
    """One check at a time per process; its verdict is shared for PORTAL_HEALTH_CACHE_SECONDS."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.verdict: dict | None = None
        self.expires = 0.0

    def get(self) -> dict:
        if self.verdict is not None and time.monotonic() < self.expires:
            return self.verdict
        with self.lock:  # late comers wait for the check under way, then read its verdict
            if self.verdict is None or time.monotonic() >= self.expires:
                self.verdict = run_checks()
                self.expires = time.monotonic() + settings.PORTAL_HEALTH_CACHE_SECONDS
            return self.verdict

    def clear(self) -> None:
        with self.lock:
            self.verdict, self.expires = None, 0.0


readiness_cache = _ReadinessCache()


def _has_metrics_token(request: HttpRequest) -> bool:
    token = settings.PORTAL_METRICS_TOKEN
    offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(token) and hmac.compare_digest(offered.encode(), token.encode())


@never_cache
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    """The process answers: nothing else is asked."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    verdict = readiness_cache.get()
    status = 200 if verdict["status"] == "ok" else 503
    if not _has_metrics_token(request):
        return JsonResponse({"status": verdict["status"]}, status=status)
    body = {key: verdict[key] for key in ("status", "checks", "seconds")}
    body["age"] = round(max(0.0, time.time() - verdict["checked_at"]), 3)
    return JsonResponse(body, status=status)


healthz = ready  # the old /healthz: readiness, as before
