"""The token, the unit and the category of an issue logged through the API are read by queries compiled
once per process (guilin_portal.compiled, issue 17, item 3): the same rows and the same refusals as
the ORM's lookups they replace."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from grids.models import GridUnit, User
from guilin_portal.compiled import CompiledGet
from issues import selectors
from issues.models import Issue, IssueCategory

from .factories import category
from .test_create_path import issue_body

pytestmark = pytest.mark.django_db


def said(message: str) -> set[str]:
    """DRF's message as the API may answer it: in English or in the portal's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return {message, translation.gettext(message)}


def token_client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_a_compiled_get_reads_the_row_the_orm_reads_and_none_for_no_row():
    unit = GridUnit.objects.filter(level=GridUnit.Level.ZONE).first()
    by_key = CompiledGet(GridUnit.objects.all)
    with CaptureQueriesContext(connection) as captured:
        found = by_key.get(unit.pk)
        again = by_key.get(unit.pk)
    assert len(captured.captured_queries) == 2
    assert captured.captured_queries[0]["sql"] == captured.captured_queries[1]["sql"]
    fields = [f.attname for f in GridUnit._meta.concrete_fields]
    assert [getattr(found, f) for f in fields] == [getattr(unit, f) for f in fields]
    assert found.pk == again.pk
    assert not found._state.adding
    assert by_key.get(10**12) is None


def test_a_compiled_get_keeps_the_querysets_filters_and_its_select_related():
    inactive = IssueCategory.objects.create(code="closed-kind", kind="opinion", name="停用类别", is_active=False)
    active_only = CompiledGet(IssueCategory.objects.filter(is_active=True).all)
    assert active_only.get(inactive.pk) is None
    assert active_only.get(category("opinion-property").pk).code == "opinion-property"
    user = User.objects.get(username="xiufeng_worker")
    token = Token.objects.create(user=user)
    tokens = CompiledGet(lambda: Token.objects.select_related("user"), field="key", text_key=True)
    found = tokens.get(token.key)
    with CaptureQueriesContext(connection) as captured:
        assert found.user.username == "xiufeng_worker"  # loaded with the token: no second query
    assert captured.captured_queries == []
    assert tokens.get("not-a-token") is None


def test_a_compiled_get_refuses_querysets_whose_columns_it_cannot_know():
    with pytest.raises(ValueError, match="whole rows"):
        CompiledGet(lambda: GridUnit.objects.only("path")).get(1)
    with pytest.raises(ValueError, match="select_related"):
        CompiledGet(lambda: Token.objects.select_related("user__token")).get("x")


def test_token_authentication_refuses_a_bad_key_and_an_inactive_user(demo_user):
    # Refused as DRF's own token authentication refuses them: the same messages, 401 or 403 (403 when the
    # first authenticator, the session's, names no WWW-Authenticate scheme).
    worker = demo_user("xiufeng_worker")
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = bad.get("/api/v1/issues/")
    assert response.status_code in {401, 403}
    assert response.json()["detail"] in said("Invalid token.")
    client = token_client(worker)
    assert client.get("/api/v1/issues/").status_code == 200
    User.objects.filter(pk=worker.pk).update(is_active=False)
    response = client.get("/api/v1/issues/")
    assert response.status_code in {401, 403}
    assert response.json()["detail"] in said("User inactive or deleted.")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("abc", "incorrect_type"),
        (True, "incorrect_type"),
        (None, "null"),
        (2**70, "does_not_exist"),
        (10**12, "does_not_exist"),
    ],
)
def test_the_unit_and_category_of_a_new_issue_are_refused_as_before(demo_user, value, code):
    worker = demo_user("xiufeng_worker")
    client = token_client(worker)
    before = Issue.objects.filter(reporter=worker).count()
    for field in ("unit", "category"):
        body = issue_body(worker) | {field: value}
        response = client.post("/api/v1/issues/", body, format="json")
        assert response.status_code == 400, (field, value)
        assert field in response.json()
    assert Issue.objects.filter(reporter=worker).count() == before


def test_keys_sent_as_text_read_as_the_orm_reads_them(demo_user):
    worker = demo_user("xiufeng_worker")
    body = issue_body(worker)
    body |= {"unit": str(body["unit"]), "category": str(body["category"])}
    response = token_client(worker).post("/api/v1/issues/", body, format="json")
    assert response.status_code == 201
    assert response.json()["unit"] == int(body["unit"])


def test_an_inactive_category_or_a_unit_outside_reads_as_missing(demo_user):
    worker = demo_user("xiufeng_worker")
    client = token_client(worker)
    inactive = IssueCategory.objects.create(code="closed-kind", kind="opinion", name="停用类别", is_active=False)
    response = client.post("/api/v1/issues/", issue_body(worker) | {"category": inactive.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["category"]
    outside = selectors.default_log_unit(viewer=demo_user("qixing_worker"))  # another district's micro-grid
    response = client.post("/api/v1/issues/", issue_body(worker) | {"unit": outside.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["unit"]
