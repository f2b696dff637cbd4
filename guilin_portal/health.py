"""`/healthz`: can this instance reach its database, its broker and a worker?"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_broker() -> str:
    if not settings.CELERY_BROKER_URL:
        return "eager"  # no broker configured: tasks run in-process
    from guilin_portal.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def check_worker() -> str:
    if not settings.CELERY_BROKER_URL:
        return "eager"
    from guilin_portal.celery import app

    replies = app.control.ping(timeout=1.0)
    return "ok" if replies else "no worker answered"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    started = time.perf_counter()
    checks: dict[str, str] = {}
    for name, check in (("database", check_database), ("broker", check_broker), ("worker", check_worker)):
        try:
            checks[name] = check()
        except Exception as error:  # noqa: BLE001 - any failure is the answer
            checks[name] = f"error: {type(error).__name__}"
        if name == "broker" and checks[name].startswith("error"):
            checks["worker"] = "unknown (broker down)"
            break
    healthy = all(value in {"ok", "eager"} for value in checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "degraded",
            "checks": checks,
            "seconds": round(time.perf_counter() - started, 3),
        },
        status=200 if healthy else 503,
    )
