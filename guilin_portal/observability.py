"""Request ids and structured logs.

Every request gets an id (the proxy's `X-Request-ID` when it is sane, else a
new one), echoed in the response and stamped on every log line written while
the request is handled; Celery tasks log with their task id the same way.
Logs are one JSON object a line, times with their UTC offset (+08:00).

The same formatter serves every process: Django (settings.LOGGING), gunicorn's
error and access logs (ops/gunicorn.conf.py, `GunicornLogger`) and Celery's
workers and beat (`configure_celery_logging`, connected to Celery's
`setup_logging` signal in guilin_portal/celery.py, so Celery installs no
plain-text handler of its own). No personal data: the access log carries the
user's id, never a name; query strings and token-like path segments are dropped.
"""

from __future__ import annotations

import contextvars
import json
import logging
import logging.config
import os
import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import empty

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
    """Stamps the request id (or `task-<id>`) on every record.

    django.request's error lines are written after the middleware returned (the
    handler logs the response on its way out), so their id is read from the
    request they carry; lines a Celery worker writes inside a task get its id.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = request_id_var.get()
        request = getattr(record, "request", None)
        if request_id == "-" and request is not None:
            request_id = getattr(request, "id", None) or "-"
        if request_id == "-":
            request_id = _current_task_id()
        record.request_id = request_id
        return True


def _current_task_id() -> str:
    try:
        from celery import current_task
    except ImportError:  # pragma: no cover - celery is a dependency
        return "-"
    task = current_task._get_current_object() if current_task else None
    task_id = getattr(getattr(task, "request", None), "id", None)
    return f"task-{task_id}" if task_id else "-"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (with offset), level, logger, message, request id, extras."""

    # `request` (Django's) and `data` (Celery's trace) are objects whose repr holds query strings or
    # task arguments: never written.
    RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id", "request", "data"}

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, tz=_log_timezone())
        payload = {
            "time": moment.isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": _masked(record),
            "request_id": getattr(record, "request_id", "-"),
        }
        payload |= {k: v for k, v in vars(record).items() if k not in self.RESERVED and not k.startswith("_")}
        if isinstance(record.args, dict) and "id" in record.args and "name" in record.args:
            payload["task_id"], payload["task"] = record.args["id"], record.args["name"]  # Celery's trace lines
            if payload["request_id"] == "-":
                payload["request_id"] = f"task-{record.args['id']}"
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


def bind_task_id(task_id: str | None) -> contextvars.Token:
    """Log lines of a Celery task carry its id where a request's would carry the request id."""
    return request_id_var.set(f"task-{task_id}" if task_id else "-")


def _log_timezone():
    """The portal's time zone, also in a process where Django is not set up (gunicorn's master)."""
    if settings.configured:
        return timezone.get_default_timezone()
    return ZoneInfo(os.environ.get("PORTAL_LOG_TIMEZONE", "Asia/Shanghai"))


def configure_celery_logging(loglevel=None, **_kwargs) -> None:
    """Celery's `setup_logging` signal: the workers and beat log through Django's LOGGING (JSON), nothing else."""
    logging.config.dictConfig(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)


# ---------------------------------------------------------------------------
# gunicorn: error and access logs as JSON (ops/gunicorn.conf.py names this class)
# ---------------------------------------------------------------------------
# A path segment that looks like a secret (a screen link's token, a key): long, letters and digits mixed.
_SECRET_SEGMENT = re.compile(r"(?=[A-Za-z0-9_.-]*\d)(?=[A-Za-z0-9_.-]*[A-Za-z])[A-Za-z0-9_.-]{20,}")
ENVIRON_USER_ID = "portal.user_id"


def loggable_path(path: str) -> str:
    """The path without its query string and with token-like segments masked."""
    return "/".join(_SECRET_SEGMENT.sub("[redacted]", part) for part in path.split("?", 1)[0].split("/"))


class AccessLogMiddleware:
    """Leaves the user's id (never a name) and the request id in the WSGI environ for gunicorn's access log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        # Only a user the request already loaded: the log line never costs a session or database read.
        if getattr(user, "_wrapped", None) is not empty and getattr(user, "is_authenticated", False):
            request.META[ENVIRON_USER_ID] = user.pk
        return response


def _gunicorn_logger_base():
    from gunicorn.glogging import Logger

    return Logger


try:
    _GunicornBase = _gunicorn_logger_base()
except ImportError:  # pragma: no cover - gunicorn is in requirements.txt
    _GunicornBase = object


class GunicornLogger(_GunicornBase):
    """gunicorn's logger with JSON lines: `access` writes one structured record per request."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        for logger in (self.error_log, self.access_log):
            for old in list(logger.handlers):
                logger.removeHandler(old)
            logger.addHandler(handler)
            logger.propagate = False

    def access(self, resp, req, environ, request_time) -> None:
        if not (self.cfg.accesslog or self.cfg.logconfig or self.cfg.logconfig_dict):
            return
        status = getattr(resp, "status_code", None) or str(getattr(resp, "status", "")).split(" ")[0]
        request_id = environ.get("HTTP_X_REQUEST_ID", "")
        self.access_log.info(
            "%s %s %s",
            environ.get("REQUEST_METHOD", "-"),
            loggable_path(environ.get("PATH_INFO", "")),
            status,
            extra={
                "event": "access",
                "request_id": getattr(req, "portal_request_id", None)
                or _response_request_id(resp)
                or request_id
                or "-",
                "method": environ.get("REQUEST_METHOD", "-"),
                "path": loggable_path(environ.get("PATH_INFO", "")),
                "status": int(status) if str(status).isdigit() else status,
                "duration_ms": round(request_time.total_seconds() * 1000, 1),
                "user_id": environ.get(ENVIRON_USER_ID),
                "bytes": getattr(resp, "sent", None),
            },
        )


def _response_request_id(resp) -> str | None:
    for name, value in getattr(resp, "headers", []) or []:
        if name.lower() == "x-request-id":
            return value
    return None


def _masked(record: logging.LogRecord) -> str:
    """Django's request lines name the path: mask token-like segments and drop the query there."""
    if isinstance(record.args, dict) and "return_value" in record.args:
        # Celery's "Task x[id] succeeded in 0.1s: <return value>": what a task returns may name people.
        return str(record.msg) % (record.args | {"return_value": "(not logged)"})
    message = record.getMessage()
    if record.name.startswith(("django.request", "django.security", "django.server")):
        return " ".join(loggable_path(word) if word.startswith("/") else word for word in message.split(" "))
    return message
