"""Open311 client keys: issued in the admin (shown once, stored hashed), revoked there; the demo key; throttling."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from grids.models import GridUnit, User
from guilin_portal.demo import DemoContext
from issues.models import IssueCategory
from open311 import demo, services
from open311.models import Open311Client
from open311.views import Open311Throttle
from tests.issues.factories import session_client

from .conftest import BASE
from .test_read import spec_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(demo_user):
    # A session written directly: force_login's bare request trips django-axes' inet column on PostgreSQL.
    return session_client(demo_user("admin"))


def test_the_admin_issues_a_key_once_and_keeps_only_its_hash(admin_client_):
    _community, area = demo.demo_units()
    response = admin_client_.post(
        "/admin/open311/open311client/add/", {"name": "12345 热线", "unit": area.pk, "reporter": ""}, follow=True
    )
    assert response.status_code == 200
    client = Open311Client.objects.get(name="12345 热线")
    (message,) = [str(m) for m in get_messages(response.wsgi_request) if "只显示这一次" in str(m)]
    plaintext = message.rsplit("：", 1)[1]
    prefix, secret = plaintext.split(".", 1)
    assert prefix == client.prefix
    assert client.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in client.secret_hash
    assert client.reporter.username == f"open311-{prefix}"
    assert client.created_by.username == "admin"
    # The key works, and the change page never shows it again.
    assert Client().get(f"{BASE}/requests.json", {"api_key": plaintext}).status_code == 200
    change = admin_client_.get(f"/admin/open311/open311client/{client.pk}/change/")
    assert change.status_code == 200
    assert secret not in change.content.decode()


def test_the_admin_refuses_a_unit_that_is_not_a_micro_grid(admin_client_, unit_named):
    response = admin_client_.post(
        "/admin/open311/open311client/add/", {"name": "街道热线", "unit": unit_named("秀峰街道").pk, "reporter": ""}
    )
    assert response.status_code == 200  # the form again, with the error
    assert "微网格" in response.content.decode()
    assert not Open311Client.objects.filter(name="街道热线").exists()


def test_the_service_refuses_a_unit_that_is_not_a_micro_grid(unit_named):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.open311_client_issue(name="x", unit=unit_named("秀峰区"), created_by=None)
    assert "unit" in error.value.message_dict


def test_the_admin_revokes_and_never_deletes(admin_client_, key):
    response = admin_client_.post(
        "/admin/open311/open311client/",
        {"action": "revoke", "_selected_action": [key.client.pk]},
        follow=True,
    )
    assert response.status_code == 200
    key.client.refresh_from_db()
    assert key.client.revoked_at is not None
    assert key.client.revoked_by.username == "admin"
    spec_error(key.get("requests.json"), 403)
    assert admin_client_.get(f"/admin/open311/open311client/{key.client.pk}/delete/").status_code == 403


def test_the_service_account_alone_logs_nowhere_only_the_client_does(key):
    """The account is a name on the timeline: its standing comes from the client acting through it."""
    from django.core.exceptions import ValidationError

    from grids.viewer import Viewer, ViewerKind
    from issues.services import issue_log
    from open311.auth import client_viewer

    account = key.client.reporter
    assert not Viewer.for_user(account).is_authenticated  # inactive: nobody, no jurisdiction
    category = IssueCategory.objects.get(code="opinion-property")
    with pytest.raises((ValidationError, PermissionDenied)):
        issue_log(reporter=account, unit=key.client.unit, category=category, description="x", location_text="2栋")
    viewer = client_viewer(key.client)
    assert (viewer.kind, viewer.client, viewer.jurisdiction) == (
        ViewerKind.OPEN311_CLIENT,
        key.client,
        (key.client.unit.path,),
    )
    assert viewer.user is None
    assert not viewer.is_person


def test_the_key_may_come_as_a_header_and_its_use_is_stamped_to_the_minute(key):
    assert key.client.last_used_at is None
    assert Client().get(f"{BASE}/requests.json", HTTP_X_API_KEY=key.plaintext).status_code == 200
    key.client.refresh_from_db()
    first = key.client.last_used_at
    assert first is not None
    assert key.get("requests.json").status_code == 200
    key.client.refresh_from_db()
    assert key.client.last_used_at == first  # not rewritten within the minute
    Open311Client.objects.filter(pk=key.client.pk).update(last_used_at=first - timedelta(minutes=2))
    assert key.get("requests.json").status_code == 200
    key.client.refresh_from_db()
    assert key.client.last_used_at > first


def test_the_demo_step_makes_exactly_its_promise_and_a_working_key():
    assert Open311Client.objects.count() == demo.plan(0.01)["open311.clients"]
    seeded = Open311Client.objects.get()
    assert seeded.unit.level == GridUnit.Level.AREA
    assert seeded.unit.path.startswith(GridUnit.objects.get(name="秀峰区").path)
    # Seeding again in this (rolled-back) transaction shows the printed account and its key working.
    ctx = DemoContext(scale=0.01, seed=12345, now=timezone.now(), show_progress=False)
    demo.seed(ctx)
    (account,) = ctx.accounts
    assert account.username == "open311_client"
    response = Client().get(f"{BASE}/requests.json", {"api_key": account.secret})
    assert response.status_code == 200
    assert response.json()  # 解东社区's first micro-grid has demo issues in the last 90 days
    community = User.objects.get(username="xiufeng_community")
    assert community.posts.get().unit_id == seeded.unit.parent_id


def test_over_the_rate_is_429_in_the_spec_format(monkeypatch):
    monkeypatch.setattr(Open311Throttle, "default_rate", "3/minute")
    monkeypatch.setattr(Open311Throttle, "THROTTLE_RATES", {})
    cache.clear()
    try:
        for _ in range(3):
            assert Client().get(f"{BASE}/services.json").status_code == 200
        response = Client().get(f"{BASE}/services.json")
        spec_error(response, 429)
        assert int(response["Retry-After"]) > 0
    finally:
        cache.clear()


def test_the_client_is_a_viewer_of_its_micro_grid_built_with_the_key_lookup_alone(key):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from grids.viewer import NOBODY, ViewerKind
    from open311.auth import client_viewer

    neighbour = GridUnit.objects.filter(parent_id=key.client.unit.parent_id).exclude(pk=key.client.unit.pk).first()
    key.get("services.json")  # public: no key, no Viewer of a client
    first = key.get("requests.json")  # the key's first use is stamped; later ones within the minute are not
    assert first.wsgi_request.viewer.kind == ViewerKind.OPEN311_CLIENT  # bound on the request
    with CaptureQueriesContext(connection) as queries:
        client = services.open311_client_authenticate(key.plaintext)
        viewer = client_viewer(client)
        assert (viewer.kind, viewer.client) == (ViewerKind.OPEN311_CLIENT, key.client)
        assert viewer.jurisdiction == (key.client.unit.path,)
        assert viewer.sees_path(key.client.unit.path)
        assert not viewer.sees_path(neighbour.path)
        assert viewer.standing is NOBODY
    assert len(queries) == 1  # the key with its unit


def test_a_request_in_the_neighbouring_micro_grid_is_a_404(key, make_issues):
    """The same community, the next micro-grid: outside the key's subtree all the same."""
    from .test_read import spec_error

    neighbour = GridUnit.objects.filter(parent_id=key.client.unit.parent_id).exclude(pk=key.client.unit.pk).first()
    (elsewhere,) = make_issues(neighbour, 1)
    (own,) = make_issues(key.client.unit, 1)
    assert key.get(f"requests/{own.pk}.json").status_code == 200
    spec_error(key.get(f"requests/{elsewhere.pk}.json"), 404)
