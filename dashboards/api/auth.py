"""How a statistics client authenticates: `Authorization: Api-Key <prefix>.<secret>`.

The key becomes the request's viewer: an object that reads only its unit's
subtree (grids.jurisdiction asks it for `jurisdiction_paths()`), may only
read, and is throttled and logged per key.
"""

from __future__ import annotations

from dataclasses import dataclass

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from ..models import StatsApiKey
from ..services import api_call_record, api_key_check

KEYWORD = "Api-Key"


@dataclass
class StatsClient:
    """The viewer behind an API key."""

    key: StatsApiKey
    is_authenticated: bool = True
    is_superuser: bool = False
    is_staff: bool = False
    is_active: bool = True
    pk: None = None

    @property
    def username(self) -> str:
        return f"api-key:{self.key.prefix}"

    def jurisdiction_paths(self) -> list[str]:
        return [self.key.unit.path]


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
        # Seen by ApiCallLogMiddleware once the response is known.
        request._request.stats_api_key_id = key.pk
        return StatsClient(key=key), key

    def authenticate_header(self, request) -> str:
        return KEYWORD


class ReadOnlyForApiKeys(permissions.BasePermission):
    """API keys only read; people go on to the view's own permissions."""

    message = "API keys are read-only."

    def has_permission(self, request, view) -> bool:
        if isinstance(request.user, StatsClient):
            return request.method in permissions.SAFE_METHODS
        return True


class StatsKeyThrottle(throttling.SimpleRateThrottle):
    """Requests per key (rate: REST_FRAMEWORK DEFAULT_THROTTLE_RATES["stats_key"])."""

    scope = "stats_key"

    def get_cache_key(self, request, view):
        if not isinstance(request.user, StatsClient):
            return None  # people are not throttled here
        return self.cache_format % {"scope": self.scope, "ident": request.user.key.pk}


class ApiCallLogMiddleware:
    """Writes one log row per request made with an API key, with the answer's status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key_id = getattr(request, "stats_api_key_id", None)
        if key_id is not None:
            api_call_record(
                key_id=key_id, method=request.method, path=request.get_full_path(), status=response.status_code
            )
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
