"""Request ids and structured logs.

Every request gets an id (the proxy's `X-Request-ID` when it is sane, else a
new one), echoed in the response and stamped on every log line written while
the request is handled; Celery tasks log with their task id the same way.
Logs are one JSON object a line, times with their UTC offset.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from datetime import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _SANE_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request.id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (with offset), level, logger, message, request id, extras."""

    RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}

    def format(self, record: logging.LogRecord) -> str:
        tz = timezone.get_default_timezone() if settings.configured else None
        moment = datetime.fromtimestamp(record.created, tz=tz)
        payload = {
            "time": moment.isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        payload |= {k: v for k, v in vars(record).items() if k not in self.RESERVED and not k.startswith("_")}
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


def bind_task_id(task_id: str | None) -> contextvars.Token:
    """Log lines of a Celery task carry its id where a request's would carry the request id."""
    return request_id_var.set(f"task-{task_id}" if task_id else "-")
