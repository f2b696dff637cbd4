"""API authentication that leaves the caller's Viewer on the request, as the middleware does for pages."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, status

from guilin_portal.compiled import CompiledGet
from guilin_portal.security import second_factor_pending, second_factor_refusal

from ..viewer import Viewer


def bind_viewer(request, viewer: Viewer) -> None:
    """The Viewer of this API call (read as `request.viewer` by views, `viewer_of()` by services)."""
    request._request.viewer = viewer


class SecondFactorRequired(exceptions.APIException):
    """A session whose person must confirm a second factor and has not: the API refuses it as pages do."""

    status_code = status.HTTP_403_FORBIDDEN
    default_code = "second_factor_required"


class ViewerSessionAuthentication(authentication.SessionAuthentication):
    """The session's user is the one ViewerMiddleware already built a (lazy) Viewer for: keep it.

    The second factor is asked of a session here exactly as pages ask it
    (`guilin_portal.security.second_factor_pending`): without it the call is a
    403 whose body says so, unless it carries its own `Authorization` (a token
    issued after the second factor), which the next class then reads.
    """

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        if second_factor_pending(request._request, result[0]):
            if "HTTP_AUTHORIZATION" in request._request.META:
                return None
            raise SecondFactorRequired(detail=second_factor_refusal(result[0]))
        if not hasattr(request._request, "viewer"):
            bind_viewer(request, Viewer.for_user(result[0]))
        return result


# The token and its user in one query compiled once per process (guilin_portal.compiled), as DRF's
# TokenAuthentication reads them (`select_related("user")`) but without compiling it on every call.
def _tokens():
    from rest_framework.authtoken.models import Token  # a model: not imported while the apps load

    return Token.objects.select_related("user")


_TOKEN_BY_KEY = CompiledGet(_tokens, field="key", text_key=True)


class ViewerTokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        token = _TOKEN_BY_KEY.get(key)
        # DRF's own refusals, word for word: its catalogue translates them (Chinese included).
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            bind_viewer(request, Viewer.for_user(result[0]))
        return result


class ViewerSessionScheme(OpenApiAuthenticationExtension):
    """The schema names the session and token schemes as DRF's own classes would."""

    target_class = ViewerSessionAuthentication
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}


class ViewerTokenScheme(OpenApiAuthenticationExtension):
    target_class = ViewerTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token-based authentication with required prefix "Token"',
        }
