"""The unit issue list's map points (dashboards:issues_map_points): the same scoped, filtered rows as the
list, capped, each at the viewer's precision; 404 outside the jurisdiction, 400 naming a bad filter."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grids.models import GridUnit, User
from issues.map_points import issue_map_points
from issues.models import Issue
from issues.selectors import IssueFilters, issue_list

pytestmark = pytest.mark.django_db


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _district() -> GridUnit:
    return GridUnit.objects.get(level=GridUnit.Level.DISTRICT, name="秀峰区")


def _url(unit: GridUnit, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("dashboards:issues_map_points", args=[unit.pk]) + (f"?{query}" if query else "")


def _located(unit: GridUnit, n: int, **fields) -> list[Issue]:
    issues = list(Issue.objects.filter(unit__path__startswith=unit.path).order_by("-created_at", "-pk")[:n])
    assert len(issues) == n
    for i, issue in enumerate(issues):
        issue.latitude = Decimal("25.280000") + Decimal(i) / 10000
        issue.longitude = Decimal("110.290000")
        for name, value in fields.items():
            setattr(issue, name, value)
    Issue.objects.bulk_update(issues, ["latitude", "longitude", *fields])
    return issues


def _listed(client: Client, unit: GridUnit, **params):
    """The unit issue list page's own queryset for these filters (its paginator's)."""
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = client.get(reverse("dashboards:issues", args=[unit.pk]) + (f"?{query}" if query else ""))
    assert response.status_code == 200
    return response.context["page"].paginator.object_list


def test_the_points_are_those_of_the_list_with_the_same_filters():
    district = _district()
    client = _client("xiufeng_district")
    body = client.get(_url(district)).json()
    located = _listed(client, district).exclude(latitude=None)
    assert body["crs"] == "wgs84"
    assert body["points"]
    assert {p["id"] for p in body["points"]} == set(located.values_list("pk", flat=True))
    # a filter of the list narrows the map the same way
    status = located.order_by("status").values_list("status", flat=True).last()
    closed = client.get(_url(district, status=status)).json()["points"]
    assert closed
    assert {p["id"] for p in closed} == set(
        _listed(client, district, status=status).exclude(latitude=None).values_list("pk", flat=True)
    )
    overdue = client.get(_url(district, overdue="on")).json()["points"]
    assert {p["id"] for p in overdue} == set(
        _listed(client, district, overdue="on").exclude(latitude=None).values_list("pk", flat=True)
    )
    assert all(p["status"] == "overdue" and p["overdue"] for p in overdue)


def test_outside_the_jurisdiction_the_unit_does_not_exist():
    district = _district()
    response = _client("qixing_worker").get(_url(district))
    assert response.status_code == 404
    assert _client("xiufeng_district").get(_url(GridUnit.objects.get(name="七星区"))).status_code == 404


def test_a_bad_filter_is_a_400_naming_it():
    response = _client("xiufeng_district").get(_url(_district(), status="nonsense"))
    assert response.status_code == 400
    assert "status" in response.json()


def test_anonymous_visitors_are_sent_to_log_in():
    response = Client().get(_url(_district()))
    assert response.status_code == 302


def test_precision_is_exact_for_the_handler_and_about_100_m_for_other_staff():
    district = _district()
    staff = User.objects.get(username="xiufeng_district")
    mine, other = _located(district, 2)
    Issue.objects.filter(pk=mine.pk).update(
        latitude=Decimal("25.123456"), longitude=Decimal("110.654321"), assignee=staff
    )
    Issue.objects.filter(pk=other.pk).update(latitude=Decimal("25.654321"), longitude=Decimal("110.123456"))
    points = {p["id"]: p["at"] for p in _client("xiufeng_district").get(_url(district)).json()["points"]}
    assert points[mine.pk] == [25.123456, 110.654321]  # handles it: exact
    assert points[other.pk] == [25.654, 110.123]  # another's: rounded to 3 places


def test_the_map_is_capped_and_says_so():
    district = _district()
    staff = User.objects.get(username="xiufeng_district")
    _located(district, 5)
    result = issue_map_points(viewer=staff, issues=issue_list(viewer=staff, filters=IssueFilters(unit=district)), cap=3)
    assert len(result.points) == 3
    assert result.capped
    newest = list(issue_list(viewer=staff, filters=IssueFilters(unit=district)).exclude(latitude=None)[:3])
    assert [p["id"] for p in result.points] == [i.pk for i in newest]


def test_the_same_queries_for_3_points_and_for_all_of_them():
    district = _district()
    client = _client("xiufeng_district")
    listed = list(_listed(client, district).order_by("pk"))
    assert len(listed) > 10
    Issue.objects.filter(unit__path__startswith=district.path).update(latitude=None, longitude=None)
    Issue.objects.filter(pk__in=[i.pk for i in listed[:3]]).update(
        latitude=Decimal("25.28"), longitude=Decimal("110.29")
    )
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(_url(district)).json()["points"]) == 3
    Issue.objects.filter(pk__in=[i.pk for i in listed]).update(latitude=Decimal("25.28"), longitude=Decimal("110.29"))
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(_url(district)).json()["points"]) == len(listed)
    assert len(few) == len(many)
