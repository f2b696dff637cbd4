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


def test_a_key_is_a_viewer_of_its_subtree_built_with_the_key_lookup_alone(xiufeng_key, unit_named):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from dashboards.api.auth import StatsApiKeyAuthentication
    from grids.viewer import NOBODY, ViewerKind

    key, plaintext = xiufeng_key
    xiufeng, qixing = unit_named("秀峰区"), unit_named("七星区")
    http = APIRequestFactory().get(OVERVIEW, HTTP_AUTHORIZATION=f"Api-Key {plaintext}")
    with CaptureQueriesContext(connection) as queries:
        user, auth = StatsApiKeyAuthentication().authenticate(Request(http))
        viewer = http.viewer
        assert (viewer.kind, viewer.client, auth) == (ViewerKind.STATS_KEY, key, key)
        assert viewer.jurisdiction == (xiufeng.path,)
        assert viewer.sees_path(xiufeng.path + "0001")
        assert not viewer.sees_path(qixing.path)
        assert viewer.standing is NOBODY
    assert len(queries) == 1  # the key with its unit; the Viewer itself reads nothing
    assert not user.is_authenticated  # the key is nobody: DRF's user stays anonymous
    assert not viewer.is_person
    assert viewer.is_client


def test_a_key_reads_a_detail_outside_its_subtree_as_404(xiufeng_key, unit_named):
    """A unit below 七星区 (a detail, not the district's top): the same 404 as one that does not exist."""
    _key, plaintext = xiufeng_key
    qixing_street = GridUnit.objects.filter(parent=unit_named("七星区")).first()
    for endpoint in ("overview", "issues", "volunteers", "service-points", "contracts"):
        response = call(plaintext, f"/api/v1/stats/{endpoint}/", unit=qixing_street.pk)
        assert response.status_code == 404, endpoint
        assert call(plaintext, f"/api/v1/stats/{endpoint}/", unit=10**9).status_code == 404, endpoint


# ---------------------------------------------------------------------------
# The one API-key service (guilin_portal.api_keys), for both kinds of key
# ---------------------------------------------------------------------------
def _issue(model, unit_named, **fields):
    from guilin_portal import api_keys
    from open311.demo import demo_units

    if model is StatsApiKey:
        fields.setdefault("expires_at", timezone.now() + timedelta(days=1))
        return api_keys.api_key_issue(model, name=" 客户端 ", unit=unit_named("秀峰区"), created_by=None, **fields)
    from grids.models import User

    reporter = User.objects.create(username=f"open311-test-{User.objects.count()}", is_active=False)
    _community, area = demo_units()
    return api_keys.api_key_issue(model, name=" 客户端 ", unit=area, created_by=None, reporter=reporter, **fields)


def _models():
    from open311.models import Open311Client

    return [StatsApiKey, Open311Client]


@pytest.mark.parametrize("model", _models(), ids=["stats", "open311"])
def test_a_key_is_found_by_prefix_and_secret_and_only_its_hash_is_kept(model, unit_named):
    import hashlib

    from guilin_portal import api_keys

    key, plaintext = _issue(model, unit_named)
    prefix, secret = plaintext.split(".", 1)
    assert (key.prefix, key.name) == (prefix, "客户端")
    assert key.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in key.secret_hash
    assert api_keys.api_key_find(model, plaintext) == key
    assert api_keys.api_key_find(model, f"  {plaintext}\n") == key
    for wrong in (f"{prefix}.{secret}x", f"nosuch.{secret}", prefix, f".{secret}", "", None):
        assert api_keys.api_key_find(model, wrong) is None, wrong


@pytest.mark.parametrize("model", _models(), ids=["stats", "open311"])
def test_a_revoked_or_expired_key_is_found_no_more(model, unit_named, demo_user):
    from guilin_portal import api_keys

    key, plaintext = _issue(model, unit_named)
    admin = demo_user("admin")
    api_keys.api_key_revoke(key, revoked_by=admin)
    key.refresh_from_db()
    first = key.revoked_at
    assert (key.revoked_by, key.is_revoked) == (admin, True)
    api_keys.api_key_revoke(key, revoked_by=None)  # twice: the first revocation stands
    key.refresh_from_db()
    assert (key.revoked_at, key.revoked_by) == (first, admin)
    assert api_keys.api_key_find(model, plaintext) is None

    soon, plaintext = _issue(model, unit_named, expires_at=timezone.now() + timedelta(minutes=5))
    assert api_keys.api_key_find(model, plaintext) == soon
    assert api_keys.api_key_find(model, plaintext, at=timezone.now() + timedelta(minutes=6)) is None


def test_a_key_cannot_be_issued_already_expired(unit_named):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        _issue(StatsApiKey, unit_named, expires_at=timezone.now() - timedelta(seconds=1))
    assert "expires_at" in error.value.message_dict


def test_an_open311_key_without_expiry_lasts_until_revoked(unit_named):
    from guilin_portal import api_keys
    from open311.models import Open311Client

    key, plaintext = _issue(Open311Client, unit_named)
    assert key.expires_at is None
    assert api_keys.api_key_find(Open311Client, plaintext, at=timezone.now() + timedelta(days=3650)) == key


def test_last_use_is_stamped_at_most_once_a_minute_unless_asked_for_every_call(xiufeng_key):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from guilin_portal import api_keys

    key, _plaintext = xiufeng_key
    now = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        api_keys.api_key_used(key, now=now)
        api_keys.api_key_used(key, now=now + timedelta(seconds=59))
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        api_keys.api_key_used(key, now=now + timedelta(seconds=60))
        api_keys.api_key_used(key, now=now + timedelta(seconds=61), every=None)
    assert len(queries) == 2
    key.refresh_from_db()
    assert key.last_used_at == now + timedelta(seconds=61)
