"""Throttles that key on who the client is, never on a header the client writes.

DRF's `get_ident` reads `X-Forwarded-For` as sent unless NUM_PROXIES is set, so
a client changing the header starts a fresh budget. Every throttle of the
portal identifies an anonymous caller by `client_address()` — the same
proxy-aware address django-axes locks log-ins by (PORTAL_PROXY_COUNT trusted
proxies) — and a known caller by their user or key. Use these classes (or
`ClientAddressIdent` as the first base of a throttle of one's own); the
settings also set DRF's NUM_PROXIES to the same count for any throttle that
does not. `tests/security/test_throttles.py` checks every scope the URLs use.
"""

from __future__ import annotations

from rest_framework import throttling

from .security import client_address


class ClientAddressIdent:
    """`get_ident`: the proxy-aware client address (guilin_portal.security.client_address)."""

    def get_ident(self, request) -> str:
        return client_address(getattr(request, "_request", request)) or ""


class AnonRateThrottle(ClientAddressIdent, throttling.AnonRateThrottle):
    """Anonymous callers by their proxy-aware address (scope "anon")."""


class UserRateThrottle(ClientAddressIdent, throttling.UserRateThrottle):
    """People by their user id; anonymous callers by their proxy-aware address (scope "user")."""


class ScopedRateThrottle(ClientAddressIdent, throttling.ScopedRateThrottle):
    """The view's `throttle_scope`, per user or proxy-aware address."""
