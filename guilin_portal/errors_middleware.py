"""A lost database connection answers 503 "try again shortly", never a 500 with half a write.

Every write runs in one transaction (`@transaction.atomic` services), so when
the connection drops in the middle nothing is committed; what is left to do is
tell the person so, cleanly: a small page (or JSON for the API) with status
503 and `Retry-After`, and one log line with the request id. Django closes the
broken connection at the end of the request (`close_old_connections`), so the
next request opens a fresh one.

Errors raised by views reach `process_exception`. Errors raised by a
middleware (a session saved after the view, say) are turned into a 500 by
Django before any outer middleware sees them; the `got_request_exception`
receiver marks the request so `__call__` can still answer 503.

The page is rendered without the request's context processors: they would
query the database that just failed.
"""

from __future__ import annotations

import logging
import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger("portal.errors")

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
_MARK = "_portal_database_error"


def _mark_database_error(sender, request=None, **kwargs) -> None:
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_ERRORS):
        setattr(request, _MARK, error)


class DatabaseUnavailableMiddleware:
    """Answer 503 with Retry-After when the database connection fails during a request."""

    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(_mark_database_error, dispatch_uid="portal-database-unavailable")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        error = getattr(request, _MARK, None)
        if error is not None and response.status_code == 500:
            return self._unavailable(request, error)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_ERRORS):
            return self._unavailable(request, exception)
        return None

    def _unavailable(self, request: HttpRequest, error: Exception) -> HttpResponse:
        logger.error(
            "database unavailable: %s",
            error.__class__.__name__,
            extra={"event": "database_unavailable", "method": request.method, "path": request.path},
            exc_info=(error.__class__, error, error.__traceback__),
        )
        message = _("服务暂时不可用，请稍后重试")
        if request.path.startswith(("/api/", "/open311/")):
            response = JsonResponse({"detail": message}, status=503)
        else:
            body = render_to_string("503.html", {"message": message, "retry_after": RETRY_AFTER_SECONDS})
            response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
