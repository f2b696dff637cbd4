"""The issue roll-up: the same figures as counting the issues live, kept in step by an idempotent refresh."""

import dataclasses
import datetime as dt
import io
import statistics

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from dashboards import tasks
from dashboards.models import IssueFact, IssueMonthlyRollup, RollupState
from dashboards.periods import Period
from dashboards.selectors import OWN
from dashboards.selectors.issues import GROUPS, issue_figures, issue_median_hours, issue_overdue, plan_sources
from dashboards.services import issue_rollup_rebuild, issue_rollup_refresh, issue_rollup_state
from grids.models import GridUnit
from issues.models import Issue
from issues.services import issue_feedback, issue_resolve

from .factories import bulk_issues

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _scheduled_refresh(settings):
    """These tests are about the roll-up as beat keeps it: figures as of the last refresh (on the
    embedded default a read refreshes it first: tests/dashboards/test_freshness.py)."""
    settings.DASHBOARDS_REFRESH_ON_READ = False


TODAY = timezone.localdate()
PERIODS = [
    Period.for_year(TODAY.year),
    Period.for_year(TODAY.year - 1),
    Period.custom(TODAY.replace(day=1) - dt.timedelta(days=400), TODAY - dt.timedelta(days=17)),  # ragged edges
    Period.for_month(TODAY.year, TODAY.month),
]


def same(found, expected) -> None:
    """Equal counts, and hours equal but for the last bits of a floating-point sum."""
    assert dataclasses.replace(found, resolve_hours=0) == dataclasses.replace(expected, resolve_hours=0)
    assert found.resolve_hours == pytest.approx(expected.resolve_hours, rel=1e-9)


def rows():
    return sorted(
        IssueMonthlyRollup.objects.values_list(
            "street_path", "month", "category_id", "status", "logged", "feedback", "satisfied", "resolved"
        )
    )


@pytest.mark.parametrize("name", ["桂林市", "秀峰区", "秀峰街道"])
def test_rolled_up_figures_equal_live_counts_for_every_grouping(name, unit_named):
    unit = unit_named(name)
    for period in PERIODS:
        for group_by in (None, *GROUPS):
            if group_by == "child" and unit.level >= GridUnit.Level.STREET:
                continue  # a street's communities are always counted live
            live = issue_figures(unit=unit, period=period, group_by=group_by, source="live")
            for source in ("rollup", "facts", "auto"):
                found = issue_figures(unit=unit, period=period, group_by=group_by, source=source)
                assert found.keys() == live.keys(), (period, group_by, source)
                for key in live:
                    assert found[key].logged == live[key].logged
                    assert found[key].settled == live[key].settled
                    assert found[key].rejected == live[key].rejected
                    assert found[key].resolved == live[key].resolved
                    assert found[key].feedback == live[key].feedback
                    assert found[key].satisfied == live[key].satisfied
                    assert found[key].resolve_hours == pytest.approx(live[key].resolve_hours, rel=1e-9)


def test_the_seed_built_the_roll_up_and_the_city_total_is_every_issue():
    state = issue_rollup_state()
    assert state is not None
    assert state.rebuilt_at is not None
    assert sum(IssueMonthlyRollup.objects.values_list("logged", flat=True)) == Issue.objects.count()
    assert sum(IssueMonthlyRollup.objects.values_list("resolved", flat=True)) == (
        Issue.objects.filter(resolved_at__isnull=False).count()
    )
    assert IssueFact.objects.count() == Issue.objects.count()
    assert IssueFact.objects.filter(resolved_at__isnull=False).count() == (
        Issue.objects.filter(resolved_at__isnull=False).count()
    )


def test_whole_months_come_from_the_roll_up_and_ragged_days_are_counted_live(unit_named):
    state = issue_rollup_state()
    district = unit_named("秀峰区")
    year = Period.for_year(2025)
    assert plan_sources(unit=district, period=year, group_by=None, state=state).live == ()
    ragged = plan_sources(
        unit=district, period=Period.custom(dt.date(2025, 1, 10), dt.date(2025, 3, 5)), group_by=None, state=state
    )
    assert ragged.rollup == (dt.date(2025, 2, 1), dt.date(2025, 3, 1))
    assert len(ragged.live) == 2
    assert ragged.detail == "facts"
    community = GridUnit.objects.filter(path__startswith=district.path, level=GridUnit.Level.COMMUNITY).first()
    assert plan_sources(unit=community, period=year, group_by=None, state=state).rollup is None
    assert plan_sources(unit=unit_named("秀峰街道"), period=year, group_by="child", state=state).rollup is None
    never_built = plan_sources(unit=district, period=year, group_by=None, state=None)
    assert (never_built.rollup, never_built.detail) == (None, "issues")


def test_a_refresh_counts_new_and_changed_issues_and_is_idempotent(unit_named, demo_user):
    district = unit_named("秀峰区")
    this_month = Period.for_month(TODAY.year, TODAY.month)
    before = issue_figures(unit=district, period=this_month, source="rollup")[None]
    bulk_issues(10, within=district, reporter=demo_user("xiufeng_worker"), start=timezone.now(), span=dt.timedelta(0))
    assert issue_figures(unit=district, period=this_month, source="rollup")[None] == before  # not refreshed yet

    result = issue_rollup_refresh()
    assert result.months >= 2
    after = issue_figures(unit=district, period=this_month, source="rollup")[None]
    assert after.logged == before.logged + 10
    same(after, issue_figures(unit=district, period=this_month, source="live")[None])
    written = rows()
    issue_rollup_refresh()
    issue_rollup_refresh(months=[TODAY.replace(day=1)])
    assert rows() == written
    issue_rollup_rebuild()
    assert rows() == written


def test_resolving_an_old_issue_moves_it_in_its_logging_month(demo_user, unit_named):
    district = unit_named("秀峰区")
    worker = demo_user("xiufeng_worker")
    long_ago = timezone.now() - dt.timedelta(days=200)
    (issue,) = bulk_issues(4, within=district, reporter=worker, start=long_ago, span=dt.timedelta(0))[3:4]
    assert issue.status == Issue.Status.IN_PROGRESS
    issue_rollup_refresh()
    logged_in = Period.for_month(timezone.localtime(long_ago).year, timezone.localtime(long_ago).month)
    before = issue_figures(unit=district, period=logged_in, source="rollup")[None]

    staff = demo_user("xiufeng_district")
    issue_resolve(actor=staff, issue=issue, resolution="已处理完毕。")
    issue_feedback(actor=worker, issue=Issue.objects.get(pk=issue.pk), satisfaction="satisfied")
    issue_rollup_refresh()

    after = issue_figures(unit=district, period=logged_in, source="rollup")[None]
    assert (after.settled, after.satisfied) == (before.settled + 1, before.satisfied + 1)
    same(after, issue_figures(unit=district, period=logged_in, source="live")[None])


def test_the_task_and_the_command_run_the_same_refresh():
    RollupState.objects.all().delete()
    IssueMonthlyRollup.objects.all().delete()
    assert tasks.issue_rollup_refresh_task.delay().get() > 0  # never built: a full build
    written = rows()
    out = io.StringIO()
    call_command("dashboards_rollup", stdout=out)
    assert "recounted" in out.getvalue()
    call_command("dashboards_rollup", "--full", stdout=io.StringIO())
    assert tasks.issue_rollup_rebuild_task.delay().get() == len(written)
    assert rows() == written


def test_the_median_is_computed_in_sql_and_matches_python(unit_named):
    district = unit_named("秀峰区")
    period = Period.for_year(TODAY.year - 1)
    issues = Issue.objects.filter(
        unit__path__startswith=district.path, resolved_at__gte=period.start_at, resolved_at__lt=period.end_at
    )
    hours = [(i.resolved_at - i.created_at).total_seconds() / 3600 for i in issues.only("created_at", "resolved_at")]
    assert hours, "the demo has resolved issues in 秀峰区 last year"
    for source in ("auto", "live"):  # from IssueFact (kept with the roll-up), and from the issues
        found = issue_median_hours(unit=district, period=period, source=source)[None]
        assert found == pytest.approx(statistics.median(hours), abs=1e-3)
        by_child = issue_median_hours(unit=district, period=period, by_child=True, source=source)
        for child in GridUnit.objects.filter(parent=district):
            child_hours = [
                (i.resolved_at - i.created_at).total_seconds() / 3600
                for i in issues.filter(unit__path__startswith=child.path).only("created_at", "resolved_at")
            ]
            if child_hours:
                assert by_child[child.path] == pytest.approx(statistics.median(child_hours), abs=1e-3)
        nothing = Period.for_year(2001)
        assert issue_median_hours(unit=district, period=nothing, source=source)[None] is None


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two(demo_user, unit_named):
    area = GridUnit.objects.filter(path__startswith=unit_named("秀峰区").path, level=GridUnit.Level.AREA).last()
    start = timezone.make_aware(dt.datetime(2003, 5, 1, 8))
    made = bulk_issues(5, within=area, reporter=demo_user("xiufeng_worker"), start=start, span=dt.timedelta(0))
    resolved = [i for i in made if i.resolved_at]  # three: resolved after 5, 6 and 7 hours
    Issue.objects.filter(pk=resolved[2].pk).update(resolved_at=start + dt.timedelta(hours=20))
    Issue.objects.filter(pk=made[3].pk).update(status=Issue.Status.RESOLVED, resolved_at=start + dt.timedelta(hours=1))
    # 1, 5, 6, 20 hours: the median is (5 + 6) / 2
    year = Period.for_year(2003)
    assert issue_median_hours(unit=area, period=year, source="live")[None] == pytest.approx(5.5, abs=1e-6)
    assert issue_median_hours(unit=area, period=year)[None] is None  # not refreshed yet
    Issue.objects.filter(pk__in=[i.pk for i in made]).update(updated_at=timezone.now())
    issue_rollup_refresh()
    assert issue_median_hours(unit=area, period=year)[None] == pytest.approx(5.5, abs=1e-6)


def test_a_reopened_issue_leaves_the_median_at_the_next_refresh(demo_user, unit_named):
    district = unit_named("秀峰区")
    worker = demo_user("xiufeng_worker")
    start = timezone.make_aware(dt.datetime(2004, 3, 1, 8))
    (resolved,) = [
        i
        for i in bulk_issues(5, within=district, reporter=worker, start=start, span=dt.timedelta(0))
        if i.status == Issue.Status.RESOLVED
    ]
    issue_rollup_refresh()
    year = Period.for_year(2004)
    assert issue_median_hours(unit=district, period=year)[None] is not None
    issue_feedback(actor=worker, issue=resolved, satisfaction="dissatisfied", note="漏水还在。")
    issue_rollup_refresh()
    assert IssueFact.objects.get(issue_id=resolved.pk).resolved_at is None
    assert issue_median_hours(unit=district, period=year) == issue_median_hours(
        unit=district, period=year, source="live"
    )


def test_overdue_now_is_live_and_by_child(unit_named):
    district = unit_named("秀峰区")
    total = issue_overdue(unit=district)[None]
    assert total == Issue.objects.overdue().filter(unit__path__startswith=district.path).count()
    by_child = issue_overdue(unit=district, by_child=True)
    assert by_child.pop(None) == total
    assert sum(by_child.values()) == total
    assert OWN not in by_child


def test_overdue_now_by_child_counts_each_childs_issues_and_only_the_subtrees(unit_named):
    """The path of each overdue issue's unit is read per issue (dashboards.selectors.issues.overdue_query):
    every child gets exactly its own subtree's overdue issues, and nothing from outside the unit."""
    district = unit_named("秀峰区")
    old = Issue.objects.filter(created_at__lt=timezone.now() - dt.timedelta(days=3)).order_by("pk")
    late = list(old.filter(unit__path__startswith=district.path).values_list("pk", flat=True)[:2])
    elsewhere = GridUnit.objects.filter(level=GridUnit.Level.DISTRICT).exclude(pk=district.pk).order_by("path").first()
    late.append(old.filter(unit__path__startswith=elsewhere.path)[0].pk)
    Issue.objects.filter(pk__in=late).update(
        status=Issue.Status.IN_PROGRESS, due_at=F("created_at") + dt.timedelta(hours=1)
    )
    by_child = issue_overdue(unit=district, by_child=True)
    children = {child.path: child for child in district.children.all()}
    expected = {path: Issue.objects.overdue().filter(unit__path__startswith=path).count() for path in children}
    assert sum(expected.values()) >= 2
    assert by_child[None] == sum(expected.values())
    assert {key: n for key, n in by_child.items() if key is not None} == {path: n for path, n in expected.items() if n}
    city = GridUnit.objects.get(level=GridUnit.Level.CITY)
    assert issue_overdue(unit=city)[None] == Issue.objects.overdue().count() > sum(expected.values())


def test_the_district_rows_are_the_street_rows_added_up_and_follow_every_refresh(unit_named, demo_user):
    """The city's figures read the district roll-up: after a rebuild and after a refresh of new issues it
    holds exactly the street rows summed per district, and the city's figures equal the live count."""
    from collections import defaultdict

    from dashboards.models import IssueDistrictMonthlyRollup

    def summed_streets() -> dict:
        totals: dict = defaultdict(lambda: [0, 0, 0, 0, 0.0])
        for row in IssueMonthlyRollup.objects.all():
            cell = totals[(row.street_path[:8], row.month, row.category_id, row.status)]
            for index, value in enumerate((row.logged, row.feedback, row.satisfied, row.resolved, row.resolve_hours)):
                cell[index] += value
        return {key: [*values[:4], round(values[4], 6)] for key, values in totals.items()}

    def districts() -> dict:
        return {
            (row.district_path, row.month, row.category_id, row.status): [
                row.logged,
                row.feedback,
                row.satisfied,
                row.resolved,
                round(row.resolve_hours, 6),
            ]
            for row in IssueDistrictMonthlyRollup.objects.all()
        }

    issue_rollup_rebuild()
    assert districts() == summed_streets()
    assert len(districts()) > 0
    bulk_issues(
        12,
        within=unit_named("秀峰区"),
        reporter=demo_user("xiufeng_worker"),
        start=timezone.now() - dt.timedelta(days=40),
    )
    issue_rollup_refresh()
    assert districts() == summed_streets()
    city = GridUnit.objects.get(level=GridUnit.Level.CITY)
    for group_by in (None, *GROUPS):
        rolled = issue_figures(unit=city, period=PERIODS[0], group_by=group_by, source="rollup")
        live = issue_figures(unit=city, period=PERIODS[0], group_by=group_by, source="live")
        assert rolled.keys() == live.keys(), group_by
        for key in live:
            same(rolled[key], live[key])


class _StatementRunner:
    """What the migration's function uses of a schema editor (SQLite refuses a real one inside a test's
    transaction)."""

    def __init__(self, connection) -> None:
        self.connection = connection

    def execute(self, sql: str) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(sql)


def test_an_upgrade_fills_the_district_rows_from_the_street_rows():
    """A portal upgraded with its roll-up built gets every month's district rows at once (migration 0011),
    not only the months its next refresh touches."""
    import importlib

    from django.apps import apps
    from django.db import connection

    from dashboards.models import IssueDistrictMonthlyRollup

    built = sorted(
        IssueDistrictMonthlyRollup.objects.values_list(
            "district_path", "month", "category_id", "status", "logged", "resolved"
        )
    )
    assert built
    IssueDistrictMonthlyRollup.objects.all().delete()
    migration = importlib.import_module("dashboards.migrations.0011_issue_district_rollup")
    migration.fill_from_the_street_rows(apps, _StatementRunner(connection))
    assert (
        sorted(
            IssueDistrictMonthlyRollup.objects.values_list(
                "district_path", "month", "category_id", "status", "logged", "resolved"
            )
        )
        == built
    )


def test_a_rebuild_leaves_the_planner_statistics_of_the_tables_it_rewrote():
    """PostgreSQL: a rebuild analyzes what it rewrote (before autovacuum's next pass the planner saw the
    old tables); the statistics are read from pg_class, which ANALYZE updates in the transaction. Other
    databases plan without them: the rebuild sends no ANALYZE there."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dashboards.services.rollups import REWRITTEN_BY_A_REBUILD

    tables = [model._meta.db_table for model in REWRITTEN_BY_A_REBUILD]
    on_postgresql = connection.vendor == "postgresql"
    if on_postgresql:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE pg_class SET reltuples = -1 WHERE relname = ANY(%s)", [tables])
    with CaptureQueriesContext(connection) as queries:
        issue_rollup_rebuild()
    analyzed = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("ANALYZE")]
    if not on_postgresql:
        assert analyzed == []
        return
    assert len(analyzed) == 1
    assert all(f'"{table}"' in analyzed[0] for table in tables), analyzed[0]
    for model in REWRITTEN_BY_A_REBUILD:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [model._meta.db_table])
            (estimated,) = cursor.fetchone()
        assert estimated == model.objects.count(), model.__name__
