"""The WSGI handler: API calls that carry their own credentials go through a lean middleware stack.

A call to `/api/` with an `Authorization` header (a token, a statistics key)
authenticates in DRF and answers JSON: it has no session, no CSRF cookie, no
second-factor session to verify, no flash messages, no HTML to frame or to
give a CSP, no static file, no log-in for Axes to lock. Running those
middlewares anyway was a measurable part of logging an issue (issue 17, item 3).
Such a call goes through the same stack minus `PAGE_ONLY_MIDDLEWARE`; every
other request (pages, the session-authenticated API the pages call, the
browsable API asked for as HTML, the schema and docs) through the whole one.
What stays: request ids, access log, metrics, the database-unavailable 503,
security headers, language, the Viewer, the second-factor refusal log, the
audit history's request and the API-key call log.
"""

from __future__ import annotations

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

PAGE_ONLY_MIDDLEWARE = frozenset(
    {
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "csp.middleware.CSPMiddleware",
        "workbench.middleware.PortalNotFoundMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django_otp.middleware.OTPMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "axes.middleware.AxesMiddleware",
    }
)
API_PREFIX = "/api/"
# The schema and its docs are pages (HTML with a CSP), whatever credentials come with them.
_PAGES_UNDER_API = ("/api/schema", "/api/docs", "/api/redoc")


def api_middleware() -> list[str]:
    """The lean stack: the whole one, in its order, minus what only pages use."""
    return [path for path in settings.MIDDLEWARE if path not in PAGE_ONLY_MIDDLEWARE]


def is_lean_api_call(environ: dict) -> bool:
    """An API call with its own credentials that does not ask for HTML."""
    path = environ.get("PATH_INFO", "")
    return (
        path.startswith(API_PREFIX)
        and not path.startswith(_PAGES_UNDER_API)
        and bool(environ.get("HTTP_AUTHORIZATION"))
        and "text/html" not in environ.get("HTTP_ACCEPT", "")
    )


class _ApiHandler(WSGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        # Django builds the chain from settings.MIDDLEWARE: swap the lean list in while it does (once, at
        # start-up, before any request is served).
        whole = settings.MIDDLEWARE
        settings.MIDDLEWARE = api_middleware()
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = whole


class PortalWSGIHandler(WSGIHandler):
    """Django's WSGI handler, handing API calls with credentials to the lean stack."""

    def __init__(self) -> None:
        super().__init__()
        self.api = _ApiHandler()

    def __call__(self, environ, start_response):
        if is_lean_api_call(environ):
            return self.api(environ, start_response)
        return super().__call__(environ, start_response)
