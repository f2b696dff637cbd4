"""Issue lists under any filter: a fixed number of queries whatever the number of issues (3 or 300 more),
no DISTINCT where a filter cannot duplicate rows, the same rows as a naive reference, and a total
counted only up to a cap (past it an estimate, said so)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import dashboards.views
from grids.models import User
from issues import pagination
from issues.access import issue_visible_q
from issues.api.pagination import IssuePagination
from issues.models import Issue
from tests.dashboards.factories import bulk_issues

pytestmark = pytest.mark.django_db

MAX_LIST_QUERIES = 10
# Statements that read no rows: PostgreSQL's planner settings for a page and the savepoint around the
# capped count (issues/pagination.py). They are not queries of the list and do not grow with it; a read
# sent with its settings in front ("SET LOCAL ...; SELECT ...") is a read.
SETTINGS_STATEMENTS = ("SET ", "SAVEPOINT ", "RELEASE SAVEPOINT ", "ROLLBACK TO SAVEPOINT ")


def _reads(queries) -> list[str]:
    return [
        q["sql"] for q in queries if not q["sql"].rsplit("; ", 1)[-1].lstrip().upper().startswith(SETTINGS_STATEMENTS)
    ]


@pytest.fixture(params=[3, 300], ids=["3-issues", "300-issues"])
def grown(request, unit_named, demo_user):
    """The demo city with 3 or 300 more issues in 秀峰区, logged over the last 300 days."""
    district = unit_named("秀峰区")
    bulk_issues(
        request.param,
        within=district,
        reporter=demo_user("xiufeng_worker"),
        start=timezone.now() - dt.timedelta(days=300),
        office=district,
    )
    return district


def _filters(district, street) -> list[dict]:
    recent = (timezone.now() - dt.timedelta(days=60)).isoformat()
    return [
        {},
        {"status": ["in_progress", "allocated"]},
        {"status": ["closed", "resolved", "rejected"]},
        {"status": "closed", "kind": "opinion"},
        {"overdue": "true"},
        {"overdue": "false", "status": "in_progress"},
        {"unit": street.pk},
        {"unit": district.pk, "status": ["resolved", "closed"], "created_after": recent},
        {"updated_after": recent, "priority": 1},
        {"created_before": recent, "category": 1},
    ]


def _reference(user: User, params: dict) -> list[int]:
    """The issues the filter means, the naive way: every visible issue, filtered in Python, newest first."""
    from grids.models import GridUnit

    now = timezone.now()
    statuses = params.get("status")
    statuses = [statuses] if isinstance(statuses, str) else statuses
    rows = list(Issue.objects.filter(issue_visible_q(user)).select_related("unit"))
    keep = []
    for issue in rows:
        if statuses and issue.status not in statuses:
            continue
        if "kind" in params and issue.kind != params["kind"]:
            continue
        if "category" in params and issue.category_id != params["category"]:
            continue
        if "priority" in params and issue.priority != params["priority"]:
            continue
        if "unit" in params and not issue.unit.path.startswith(GridUnit.objects.get(pk=params["unit"]).path):
            continue
        if "created_after" in params and issue.created_at < dt.datetime.fromisoformat(params["created_after"]):
            continue
        if "created_before" in params and issue.created_at >= dt.datetime.fromisoformat(params["created_before"]):
            continue
        if "updated_after" in params and issue.updated_at < dt.datetime.fromisoformat(params["updated_after"]):
            continue
        if "overdue" in params:
            overdue = issue.status in Issue.CLOCK_STATUSES and issue.due_at < now
            if overdue != (params["overdue"] == "true"):
                continue
        keep.append(issue)
    keep.sort(key=lambda i: (i.created_at, i.pk), reverse=True)
    return [issue.pk for issue in keep]


def test_the_issue_api_list_is_a_few_queries_with_no_distinct_and_the_reference_rows(
    grown, client_as, demo_user, unit_named
):
    district = grown
    street = district.children.order_by("path").first()
    client = client_as("xiufeng_district")
    user = demo_user("xiufeng_district")
    for params in _filters(district, street):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/issues/", params)
        assert response.status_code == 200, (params, response.content[:300])
        assert len(_reads(queries)) <= MAX_LIST_QUERIES, (params, [sql[:120] for sql in _reads(queries)])
        assert not any("DISTINCT" in q["sql"] for q in queries), params
        body = response.json()
        expected = _reference(user, params)
        assert body["count"] == len(expected), params
        assert body["count_exact"] is True
        assert [row["id"] for row in body["results"]] == expected[:50], params


def test_the_list_pages_are_a_few_queries(grown, client_as):
    district = grown
    client = client_as("xiufeng_district")
    urls = [
        ("/issues/mine/", {}),
        ("/issues/inbox/", {}),
        ("/issues/supervision/", {}),
        (f"/dashboards/units/{district.pk}/issues/", {}),
        (f"/dashboards/units/{district.pk}/issues/", {"status": "closed", "period": "year"}),
        (f"/dashboards/units/{district.pk}/issues/", {"overdue": "on"}),
    ]
    for url, params in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        assert response.status_code == 200, url
        assert len(_reads(queries)) <= MAX_LIST_QUERIES, (url, params, [sql[:120] for sql in _reads(queries)])


def test_past_the_cap_the_total_is_an_estimate_and_says_so(grown, client_as, monkeypatch):
    client = client_as("xiufeng_district")
    exact = client.get("/api/v1/issues/").json()
    assert exact["count_exact"] is True
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    # Pages of two rows: a full first page leaves the total unknown (a short one would settle it).
    monkeypatch.setattr(IssuePagination, "page_size", 2)
    monkeypatch.setattr(dashboards.views, "ISSUE_PAGE_SIZE", 2)
    capped = client.get("/api/v1/issues/").json()
    assert capped["count_exact"] is False
    assert capped["count"] >= 3  # at least the cap + 1, whatever the estimate
    assert [row["id"] for row in capped["results"]] == [row["id"] for row in exact["results"][:2]]
    page = client.get(f"/dashboards/units/{grown.pk}/issues/")
    assert "约" in page.content.decode()


def test_a_short_page_settles_an_estimated_total(grown, client_as, demo_user, unit_named, monkeypatch):
    """Past the cap (or out of time) the total is an estimate, but a page that comes back short is the
    list's last: the total is then the rows before it and on it, exact (not "about 124" for 15 issues)."""
    expected = _reference(demo_user("xiufeng_district"), {})
    last = (len(expected) - 1) // 50 + 1
    assert len(expected) > 2
    assert len(expected) % 50
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    client = client_as("xiufeng_district")
    # The first page settles the total only when it is also the last (short); a full one leaves an estimate.
    assert client.get("/api/v1/issues/").json()["count_exact"] is (last == 1)
    body = client.get("/api/v1/issues/", {"page": last}).json()
    assert (body["count"], body["count_exact"]) == (len(expected), True)
    assert [row["id"] for row in body["results"]] == expected[(last - 1) * 50 :]
    assert body["next"] is None


def test_a_capped_count_reads_at_most_the_cap_plus_one_rows(grown, demo_user):
    queryset = Issue.objects.filter(issue_visible_q(demo_user("xiufeng_district")))
    total = queryset.count()
    assert pagination.capped_count(queryset, cap=total) == (total, True)
    count, exact = pagination.capped_count(queryset, cap=total - 1)
    assert not exact
    assert count >= total


def test_a_filter_that_matches_nothing_counts_zero(db):
    """An empty IN compiles to no SQL at all (EmptyResultSet): the count is an exact 0, not a 500."""
    assert pagination.capped_count(Issue.objects.filter(pk__in=[])) == (0, True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the time budget is PostgreSQL's statement timeout")
def test_a_count_out_of_time_gives_the_planners_estimate_not_the_cap(grown, settings):
    """A slow plan is not a long list: a count that runs out of its budget reports the estimate,
    however small, rather than "more than the cap"."""
    settings.ISSUE_LIST_COUNT_BUDGET_MS = 15
    slow = Issue.objects.filter(unit__path__startswith=grown.path).extra(where=["pg_sleep(0.02) IS NOT NULL"])
    count, exact = pagination.capped_count(slow, cap=1_000)
    assert not exact
    assert 0 < count <= 1_000
    assert Issue.objects.filter(unit__path__startswith=grown.path).count() <= 1_000


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement count is a PostgreSQL function")
def test_a_capped_count_is_one_round_trip_with_its_estimate(grown, demo_user):
    """The estimate and the count in one statement (issues/migrations/0005): the same count as COUNT(*)."""
    queryset = Issue.objects.filter(issue_visible_q(demo_user("xiufeng_district")))
    with CaptureQueriesContext(connection) as queries:
        counted = pagination.capped_count(queryset)
    assert len(_reads(queries)) == 1, _reads(queries)
    assert counted == (queryset.count(), True)


def test_a_page_checks_the_jurisdiction_row_by_row_and_a_count_lets_the_database_choose(grown, client_as, demo_user):
    """A first page stops at its 50th match: it checks each issue's unit (EXISTS ... OFFSET 0, which
    PostgreSQL cannot turn into a hashed set of a district's 73,000 units at --scale 10); the count, which
    reads every match up to the cap, may hash them. Both read the same issues."""
    from grids.jurisdiction import probed_per_row

    user = demo_user("xiufeng_district")
    visible = Issue.objects.filter(issue_visible_q(user)).order_by("pk")
    with probed_per_row():
        probed = list(visible.values_list("pk", flat=True))
        assert "OFFSET 0)" in str(visible.query)
    assert probed == list(visible.values_list("pk", flat=True))
    assert "OFFSET 0)" not in str(visible.query)
    elsewhere = User.objects.filter(posts__role="district_staff").exclude(posts__unit=grown).order_by("pk").first()
    outsider = Issue.objects.filter(issue_visible_q(elsewhere))
    with probed_per_row():
        assert not set(outsider.values_list("pk", flat=True)) & set(
            Issue.objects.filter(unit__path__startswith=grown.path).values_list("pk", flat=True)
        )

    with CaptureQueriesContext(connection) as queries:
        client_as("xiufeng_district").get("/api/v1/issues/")
    reads = _reads(queries)
    page = next(sql for sql in reads if 'ORDER BY "grids_issue"."created_at" DESC' in sql)
    count = next(sql for sql in reads if "portal_capped_count" in sql or "COUNT(" in sql.upper())
    assert "OFFSET 0)" in page
    assert '"grids_gridunit"' in count
    assert "OFFSET 0)" not in count


def test_a_street_list_is_planned_from_its_units_and_a_district_list_walks_newest_first(grown, client_as):
    """A street's few thousand issues are read by unit and sorted (PostgreSQL: incremental sort off for
    the page), where a walk of the whole city's newest issues passed 34,000 to find 50 at 1,000,000; a
    district's list still walks. Both give the reference rows (test above)."""
    street = grown.children.order_by("path").first()
    client = client_as("xiufeng_district")
    on_postgresql = connection.vendor == "postgresql"
    for unit, planned_from_units in ((street, True), (grown, False)):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/issues/", {"unit": unit.pk})
        assert response.status_code == 200
        page = [q["sql"] for q in queries if 'ORDER BY "grids_issue"."created_at" DESC' in q["sql"]]
        assert page, [q["sql"][:120] for q in queries]
        sent = any("enable_incremental_sort = off" in sql for sql in page)
        assert sent is (planned_from_units and on_postgresql), (unit.name, page[0][:300])


def test_the_open_issues_index_holds_the_open_statuses_and_serves_an_open_list(grown, client_as):
    """`issue_open_newest` (issues/models.py) is partial on the open statuses, written out in the model's
    Meta: they must stay Issue.OPEN_STATUSES. A list of open issues reads it newest first and needs no
    table row to filter them (PostgreSQL: an index-only scan; the table's own paths made unavailable so
    the small test city cannot prefer them)."""
    index = next(index for index in Issue._meta.indexes if index.name == "issue_open_newest")
    ((lookup, statuses),) = index.condition.children
    assert lookup == "status__in"
    assert sorted(statuses) == sorted(Issue.OPEN_STATUSES)
    with connection.cursor() as cursor:
        assert "issue_open_newest" in connection.introspection.get_constraints(cursor, Issue._meta.db_table)

    with CaptureQueriesContext(connection) as queries:
        response = client_as("xiufeng_district").get("/api/v1/issues/", {"status": ["in_progress", "allocated"]})
    assert response.status_code == 200
    page = next(q["sql"] for q in queries if 'ORDER BY "grids_issue"."created_at" DESC' in q["sql"])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off")
            cursor.execute("EXPLAIN " + page.rsplit("; ", 1)[-1])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "Index Only Scan using issue_open_newest" in plan, plan
