"""Statistics API keys: scoped to a subtree, read-only, revocable, expiring, throttled, logged."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dashboards import services
from dashboards.api.auth import StatsKeyThrottle
from dashboards.models import StatsApiCall, StatsApiKey
from grids.models import GridUnit, Post

pytestmark = pytest.mark.django_db
OVERVIEW = "/api/v1/stats/overview/"


@pytest.fixture
def xiufeng_key(unit_named):
    key, plaintext = services.api_key_issue(
        name="test client", unit=unit_named("秀峰区"), expires_at=timezone.now() + timedelta(days=1), created_by=None
    )
    return key, plaintext


def call(plaintext: str, path: str = OVERVIEW, method: str = "get", **params):
    return getattr(Client(), method)(path, params, HTTP_AUTHORIZATION=f"Api-Key {plaintext}")


def test_a_key_reads_its_own_subtree(xiufeng_key, unit_named):
    _key, plaintext = xiufeng_key
    response = call(plaintext)
    assert response.status_code == 200
    body = response.json()
    xiufeng = unit_named("秀峰区")
    assert body["unit"]["name"] == "秀峰区"
    assert body["grids"]["micro_grids"] == GridUnit.objects.subtree_of(xiufeng).filter(level=5).count()
    assert body["grids"]["grid_leaders_and_workers"] == (
        Post.objects.filter(unit__path__startswith=xiufeng.path, role__in=["grid_leader", "grid_worker"])
        .values("user")
        .distinct()
        .count()
    )


def test_a_key_gets_404_outside_its_subtree(xiufeng_key, unit_named):
    _key, plaintext = xiufeng_key
    assert call(plaintext, unit=unit_named("七星区").pk).status_code == 404
    assert call(plaintext, unit=unit_named("桂林市").pk).status_code == 404
    inside = GridUnit.objects.filter(parent=unit_named("秀峰区")).first()
    assert call(plaintext, unit=inside.pk).status_code == 200


def test_a_bad_unit_parameter_is_a_400_naming_it(xiufeng_key):
    response = call(xiufeng_key[1], unit="abc")
    assert response.status_code == 400
    assert "unit" in response.json()


def test_revoked_expired_and_wrong_keys_get_401(xiufeng_key):
    key, plaintext = xiufeng_key
    assert call(plaintext.split(".")[0] + ".wrong-secret").status_code == 401
    assert call("garbage").status_code == 401
    services.api_key_revoke(key=key, revoked_by=None)
    response = call(plaintext)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    key2, plaintext2 = services.api_key_issue(
        name="short", unit=key.unit, expires_at=timezone.now() + timedelta(seconds=30), created_by=None
    )
    StatsApiKey.objects.filter(pk=key2.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert call(plaintext2).status_code == 401


def test_keys_are_read_only(xiufeng_key):
    assert call(xiufeng_key[1], method="post").status_code == 403


def test_requests_over_the_rate_get_429(xiufeng_key, monkeypatch):
    cache.clear()
    monkeypatch.setattr(StatsKeyThrottle, "THROTTLE_RATES", {"stats_key": "3/minute"})
    statuses = [call(xiufeng_key[1]).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    cache.clear()


def test_every_call_is_logged_with_the_key(xiufeng_key):
    key, plaintext = xiufeng_key
    call(plaintext)
    call(plaintext, unit=999999)
    calls = list(StatsApiCall.objects.filter(key=key).order_by("at").values_list("status", "path"))
    assert [status for status, _path in calls] == [200, 404]
    assert calls[1][1].endswith("unit=999999")
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_only_a_hash_is_stored_and_the_admin_shows_the_key_once(client_as, unit_named):
    client = client_as("admin")
    response = client.post(
        reverse("admin:dashboards_statsapikey_add"),
        {
            "name": "区统计平台",
            "unit": unit_named("七星区").pk,
            "expires_at_0": (timezone.localdate() + timedelta(days=30)).isoformat(),
            "expires_at_1": "00:00:00",
        },
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    key = StatsApiKey.objects.get(name="区统计平台")
    plaintext = next(m for m in shown if key.prefix in m).split("：")[-1].strip()
    assert plaintext.startswith(key.prefix + ".")
    assert plaintext.split(".", 1)[1] not in key.secret_hash
    assert call(plaintext).json()["unit"]["name"] == "七星区"


def test_people_use_the_same_endpoint_within_their_jurisdiction(client_as, unit_named):
    assert client_as("xiufeng_district").get(OVERVIEW).json()["unit"]["name"] == "秀峰区"
    assert client_as("xiufeng_district").get(OVERVIEW, {"unit": unit_named("七星区").pk}).status_code == 404
    assert Client().get(OVERVIEW).status_code in (401, 403)
