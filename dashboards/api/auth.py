"""How a statistics client authenticates: `Authorization: Api-Key <prefix>.<secret>` (or `X-Api-Key`).

The key becomes the request's Viewer (`request.viewer`, kind STATS_KEY): it reads
only its unit's subtree, is nobody (DRF's `request.user` stays anonymous), may
only read, and is throttled and logged per key.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from grids.api.authentication import bind_viewer
from grids.viewer import Viewer, ViewerKind
from guilin_portal.api_keys import strip_api_key

from ..models import StatsApiKey
from ..services import api_call_record, api_key_check

KEYWORD = "Api-Key"


def key_viewer(key: StatsApiKey) -> Viewer:
    """The key's Viewer: its unit's subtree (the unit was read with the key), and nobody."""
    return Viewer.for_client(ViewerKind.STATS_KEY, key, [key.unit.path], label=f"api-key:{key.prefix}")


class StatsApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = request.headers.get("Authorization", "")
        if header.startswith(f"{KEYWORD} "):
            raw = header[len(KEYWORD) + 1 :]
        elif "X-Api-Key" in request.headers:
            raw = request.headers["X-Api-Key"]
        else:
            return None  # not ours: let session or token authentication try
        key = api_key_check(raw)
        if key is None:
            # DRF's own message: translated in both languages, so the answer is in the request's.
            raise exceptions.AuthenticationFailed()
        bind_viewer(request, key_viewer(key))
        # Seen by ApiCallLogMiddleware once the response is known.
        request._request.stats_api_key = key
        return AnonymousUser(), key

    def authenticate_header(self, request) -> str:
        return KEYWORD


class ViewerIsAuthenticated(permissions.BasePermission):
    """A person, or a program's key: whoever the request's Viewer is, as long as it is somebody."""

    def has_permission(self, request, view) -> bool:
        return request.viewer.is_authenticated


class ReadOnlyForApiKeys(permissions.BasePermission):
    """API keys only read (DRF's translated 403 otherwise); people go on to the view's own permissions."""

    def has_permission(self, request, view) -> bool:
        if request.viewer.is_client:
            return request.method in permissions.SAFE_METHODS
        return True


@dataclass(frozen=True)
class RateLimit:
    """What the X-RateLimit-* headers say: the window's limit, what is left, seconds until a request frees up."""

    limit: int
    remaining: int
    reset: int

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }


class StatsKeyThrottle(throttling.SimpleRateThrottle):
    """Requests per key and hour: the key's own `requests_per_hour` (set in the admin), else the default
    (REST_FRAMEWORK DEFAULT_THROTTLE_RATES["stats_key"]). What is left is on the request for the headers."""

    scope = "stats_key"

    def allow_request(self, request, view) -> bool:
        if request.viewer.kind != ViewerKind.STATS_KEY:
            return True  # people are not throttled here
        own = request.viewer.client.requests_per_hour
        if own:
            self.rate = f"{own}/hour"
            self.num_requests, self.duration = self.parse_rate(self.rate)
        allowed = super().allow_request(request, view)
        history = getattr(self, "history", [])
        reset = history[-1] + self.duration - self.now if history else self.duration
        request._request.rate_limit = RateLimit(
            limit=self.num_requests,
            remaining=max(self.num_requests - len(history), 0),
            reset=max(math.ceil(reset), 0),
        )
        return allowed

    def get_cache_key(self, request, view):
        if request.viewer.kind != ViewerKind.STATS_KEY:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.viewer.client.pk}


class ApiCallLogMiddleware:
    """Writes one log row per request made with an API key, with the answer's status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "stats_api_key", None)
        if key is not None:
            # The path without an `api_key=` a client may have put in the query (keys never reach a log).
            path = strip_api_key(request.get_full_path())
            api_call_record(key=key, method=request.method, path=path, status=response.status_code)
        return response


class StatsApiKeyScheme(OpenApiAuthenticationExtension):
    """Documents the key in the OpenAPI schema as an `Authorization: Api-Key …` header."""

    target_class = StatsApiKeyAuthentication
    name = "StatsApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <prefix>.<secret>`, issued in the admin for one unit's subtree; read-only.",
        }
