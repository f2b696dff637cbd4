"""How a statistics client authenticates: `Authorization: Api-Key <prefix>.<secret>` (or `X-Api-Key`).

The key becomes the request's Viewer (`request.viewer`, kind STATS_KEY): it reads
only its unit's subtree, is nobody (DRF's `request.user` stays anonymous), may
only read, and is throttled and logged per key.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from grids.api.authentication import bind_viewer
from grids.viewer import Viewer, ViewerKind

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
            raise exceptions.AuthenticationFailed("Invalid, revoked or expired API key.")
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
    """API keys only read; people go on to the view's own permissions."""

    message = "API keys are read-only."

    def has_permission(self, request, view) -> bool:
        if request.viewer.is_client:
            return request.method in permissions.SAFE_METHODS
        return True


class StatsKeyThrottle(throttling.SimpleRateThrottle):
    """Requests per key (rate: REST_FRAMEWORK DEFAULT_THROTTLE_RATES["stats_key"])."""

    scope = "stats_key"

    def get_cache_key(self, request, view):
        if request.viewer.kind != ViewerKind.STATS_KEY:
            return None  # people are not throttled here
        return self.cache_format % {"scope": self.scope, "ident": request.viewer.client.pk}


class ApiCallLogMiddleware:
    """Writes one log row per request made with an API key, with the answer's status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "stats_api_key", None)
        if key is not None:
            api_call_record(key=key, method=request.method, path=request.get_full_path(), status=response.status_code)
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
