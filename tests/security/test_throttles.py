"""Every throttle scope keys on the proxy-aware client address (or the user or key): a forged
X-Forwarded-For changes nothing.

The scopes are found from the resolver: every DRF view's throttle classes, for each of its actions.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from rest_framework.throttling import SimpleRateThrottle

from grids.viewer import Viewer, ViewerKind

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"  # the one trusted reverse proxy in front of the portal
CLIENT = "203.0.113.9"  # the address the proxy saw and appended
FORGED = ["", "1.2.3.4", "5.6.7.8, 9.9.9.9", "198.51.100.77"]


def walk(resolver: URLResolver):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern)
        elif isinstance(pattern, URLPattern):
            yield pattern


def throttle_classes() -> dict[str, type]:
    """Every throttle class any API view applies, for any of its actions."""
    found: dict[str, type] = {}
    for pattern in walk(get_resolver()):
        view_class = getattr(pattern.callback, "cls", None)
        if view_class is None:
            continue
        actions = getattr(pattern.callback, "actions", None) or {}
        for action in {*actions.values(), None}:
            view = view_class()
            view.action = action
            view.request = None
            view.kwargs = {}
            view.format_kwarg = None
            try:
                throttles = view.get_throttles()
            except Exception:  # noqa: BLE001 - a view whose get_throttles needs a real request: its classes
                throttles = [cls() for cls in getattr(view_class, "throttle_classes", [])]
            for throttle in throttles:
                found[f"{type(throttle).__module__}.{type(throttle).__qualname__}"] = type(throttle)
    return found


THROTTLES = throttle_classes()


def test_the_resolver_has_throttles():
    names = set(THROTTLES)
    assert "open311.views.Open311Throttle" in names
    assert "dashboards.api.auth.StatsKeyThrottle" in names
    assert any(name.endswith("AnonRateThrottle") for name in names)


def request_from(forged: str, *, viewer: Viewer | None = None):
    header = f"{forged}, {CLIENT}" if forged else CLIENT
    django_request = APIRequestFactory().get("/x/", HTTP_X_FORWARDED_FOR=header, REMOTE_ADDR=PROXY)
    django_request.viewer = viewer or Viewer.anonymous()
    request = Request(django_request)
    request._user = SimpleNamespace(is_authenticated=False, pk=None)
    request._auth = None
    return request


def stats_key_viewer() -> Viewer:
    return Viewer.for_client(ViewerKind.STATS_KEY, SimpleNamespace(pk=7), ["0001"], label="key")


@pytest.mark.parametrize("name", sorted(THROTTLES))
@override_settings(PORTAL_PROXY_COUNT=1)
def test_a_forged_forwarded_for_changes_no_throttle_key(name):
    throttle_class = THROTTLES[name]
    view = SimpleNamespace(throttle_scope="anon")
    for viewer in (None, stats_key_viewer()):
        keys = set()
        for forged in FORGED:
            throttle = throttle_class()
            if isinstance(throttle, SimpleRateThrottle):
                assert throttle.rate is not None, f"{name} has no rate configured"
            keys.add(throttle.get_cache_key(request_from(forged, viewer=viewer), view))
        assert len(keys) == 1, f"{name}: the client's own X-Forwarded-For entries change its key: {keys}"
        key = keys.pop()
        if key is not None and viewer is None:
            assert CLIENT in key, f"{name} keys an anonymous caller by the proxy-aware address: {key}"


@override_settings(PORTAL_PROXY_COUNT=0)
@pytest.mark.parametrize("name", sorted(THROTTLES))
def test_without_a_trusted_proxy_the_header_is_ignored(name):
    throttle = THROTTLES[name]()
    view = SimpleNamespace(throttle_scope="anon")
    keys = {throttle.get_cache_key(request_from(forged), view) for forged in FORGED}
    assert len(keys) == 1
    key = keys.pop()
    assert key is None or (PROXY in key and CLIENT not in key)


@override_settings(PORTAL_PROXY_COUNT=1)
@pytest.mark.parametrize(
    ("url", "throttle_path"),
    [
        ("/open311/v2/services.json", "open311.views.Open311Throttle"),
        ("/api/v1/service-points/", "guilin_portal.throttles.AnonRateThrottle"),
    ],
)
def test_changing_the_header_does_not_reset_the_limit(url, throttle_path, monkeypatch):
    module, _dot, name = throttle_path.rpartition(".")
    throttle_class = getattr(__import__(module, fromlist=[name]), name)
    scope = throttle_class.scope
    monkeypatch.setattr(throttle_class, "THROTTLE_RATES", {scope: "3/minute"})
    cache.clear()
    client = Client(REMOTE_ADDR=PROXY)
    answers = [client.get(url, HTTP_X_FORWARDED_FOR=f"10.9.{n}.1, {CLIENT}").status_code for n in range(5)]
    assert answers[:3] == [200, 200, 200]
    assert answers[3:] == [429, 429], "a new forged X-Forwarded-For entry must not buy a new budget"
    # Another real client (another address appended by the proxy) still has its own budget.
    assert client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.5").status_code == 200
    cache.clear()


def test_throttles_use_the_login_lock_out_address():
    from django.conf import settings

    from guilin_portal import throttles

    assert settings.AXES_CLIENT_IP_CALLABLE == "guilin_portal.security.client_address"
    assert throttles.client_address.__module__ == "guilin_portal.security"
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.PORTAL_PROXY_COUNT
    assert reverse("stats_issues")
