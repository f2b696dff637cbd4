"""Keeping the issue roll-up (`IssueMonthlyRollup`) in step with the issues.

Two entry points, both idempotent (running one twice writes the same rows):

- `issue_rollup_refresh()` (every five minutes): recounts only the months that
  can have changed since the last refresh: the months in which issues updated
  since then were logged or resolved, plus the current and the previous month
  (which also catches a resolution undone by dissatisfied feedback, the usual
  way a month loses an issue);
- `issue_rollup_rebuild()` (nightly, and after `seed_demo`): recounts everything.

Each recount is, in one transaction, a DELETE of the months' rows and one
INSERT ... SELECT ... GROUP BY over the issues of those months (the logged
side and the resolved side joined with UNION ALL): no issue row passes
through Python. The same transaction keeps `IssueFact` (one narrow row per
issue, for the odd days of custom periods, units below a street and medians)
in step: the rows of the issues changed since the last refresh are deleted
and inserted again, set-based.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Count, DateField, F, Q, QuerySet, Sum
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone

from guilin_portal.schedules import CELERY_BEAT_SCHEDULE
from issues.models import Issue

from ..models import FigureMonthlyRollup, IssueDistrictMonthlyRollup, IssueFact, IssueMonthlyRollup, RollupState
from ..periods import local_midnight, month_start, next_month
from ..sql import HoursBetween, subquery_sql
from .figures import DISTRICT_PATH_LENGTH, STREET_PATH_LENGTH, figure_rollup_rebuild, median_rollup_refresh

log = logging.getLogger(__name__)

ISSUES = "issues"
FIGURES = "figures"  # the other domains' roll-up (FigureMonthlyRollup), recounted with the issues'
# Issues written this long before a refresh started are counted again by the next one: a
# transaction that stamped updated_at earlier but committed later is never missed.
OVERLAP = dt.timedelta(minutes=5)
SATISFIED = (Issue.Satisfaction.SATISFIED, Issue.Satisfaction.BASIC)


@dataclass(frozen=True)
class RollupResult:
    months: int  # months recounted (0 = everything)
    rows: int  # rows written
    seconds: float
    as_of: dt.datetime


def _month_ranges(months: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Sorted months merged into [first, end) runs of consecutive months."""
    ranges: list[list[dt.date]] = []
    for month in sorted(set(months)):
        if ranges and ranges[-1][1] == month:
            ranges[-1][1] = next_month(month)
        else:
            ranges.append([month, next_month(month)])
    return [(first, end) for first, end in ranges]


def _within(field: str, months: list[dt.date] | None) -> Q:
    if months is None:
        return Q()
    q = Q(pk__in=[])
    for first, end in _month_ranges(months):
        q |= Q(**{f"{field}__gte": local_midnight(first), f"{field}__lt": local_midnight(end)})
    return q


def _month_of(field: str) -> TruncMonth:
    return TruncMonth(field, tzinfo=timezone.get_current_timezone(), output_field=DateField())


def logged_side(issues: QuerySet) -> QuerySet:
    """Issues grouped by street, month logged, category and current status: logged, feedback, satisfied."""
    return (
        issues.annotate(street_path=Substr("unit__path", 1, STREET_PATH_LENGTH), month=_month_of("created_at"))
        .values("street_path", "month", "category_id", "status")
        .annotate(
            logged=Count("pk"),
            feedback=Count("pk", filter=~Q(satisfaction="")),
            satisfied=Count("pk", filter=Q(satisfaction__in=SATISFIED)),
        )
        .order_by()
    )


def resolved_side(issues: QuerySet) -> QuerySet:
    """Resolved issues grouped by street, month resolved, category and current status: resolved, hours."""
    return (
        issues.filter(resolved_at__isnull=False)
        .annotate(street_path=Substr("unit__path", 1, STREET_PATH_LENGTH), month=_month_of("resolved_at"))
        .values("street_path", "month", "category_id", "status")
        .annotate(resolved=Count("pk"), resolve_hours=Sum(HoursBetween("resolved_at", "created_at")))
        .order_by()
    )


def _insert(months: list[dt.date] | None) -> int:
    """INSERT ... SELECT the rows of these months (every month when None); returns the rows written."""
    logged_sql, logged_params, _alias = subquery_sql(logged_side(Issue.objects.filter(_within("created_at", months))))
    resolved_sql, resolved_params, _alias = subquery_sql(
        resolved_side(Issue.objects.filter(_within("resolved_at", months)))
    )
    table = IssueMonthlyRollup._meta.db_table
    statement = f"""
        INSERT INTO {table} (street_path, month, category_id, status, logged, feedback, satisfied, resolved, resolve_hours)
        SELECT u.street_path, u.month, u.category_id, u.status,
               SUM(u.logged), SUM(u.feedback), SUM(u.satisfied), SUM(u.resolved), SUM(u.resolve_hours)
        FROM (
            SELECT l.street_path, l.month, l.category_id, l.status, l.logged, l.feedback, l.satisfied,
                   0 AS resolved, 0.0 AS resolve_hours
            FROM ({logged_sql}) l
            UNION ALL
            SELECT r.street_path, r.month, r.category_id, r.status, 0, 0, 0, r.resolved, r.resolve_hours
            FROM ({resolved_sql}) r
        ) u
        GROUP BY u.street_path, u.month, u.category_id, u.status
        ORDER BY u.street_path, u.month  -- a district's rows side by side on disk after a rebuild
    """
    with connections[router.db_for_write(IssueMonthlyRollup)].cursor() as cursor:
        cursor.execute(statement, (*logged_params, *resolved_params))
        return max(cursor.rowcount, 0)


def _recount(months: list[dt.date] | None) -> int:
    """The street rows of these months (every month when None) from the issues, then the district rows
    from them: the two roll-ups always move together. Returns the street rows written."""
    streets, districts = IssueMonthlyRollup.objects.all(), IssueDistrictMonthlyRollup.objects.all()
    if months is not None:
        streets, districts = streets.filter(month__in=months), districts.filter(month__in=months)
    streets.delete()
    rows = _insert(months)
    districts.delete()
    _insert_districts(streets)
    return rows


def _insert_districts(streets: QuerySet) -> None:
    """INSERT ... SELECT the district rows from these street rows: the city's figures read a tenth of
    the rows (`IssueDistrictMonthlyRollup`)."""
    sql, params, _alias = subquery_sql(
        streets.annotate(district_path=Substr("street_path", 1, DISTRICT_PATH_LENGTH))
        .values("district_path", "month", "category_id", "status")
        .annotate(
            n_logged=Sum("logged"),
            n_feedback=Sum("feedback"),
            n_satisfied=Sum("satisfied"),
            n_resolved=Sum("resolved"),
            n_resolve_hours=Sum("resolve_hours"),
        )
        .order_by()
    )
    table = IssueDistrictMonthlyRollup._meta.db_table
    columns = "district_path, month, category_id, status, logged, feedback, satisfied, resolved, resolve_hours"
    with connections[router.db_for_write(IssueDistrictMonthlyRollup)].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT d.district_path, d.month, d.category_id, d.status, "
            f"d.n_logged, d.n_feedback, d.n_satisfied, d.n_resolved, d.n_resolve_hours FROM ({sql}) d",
            params,
        )


def _insert_facts(issues: QuerySet) -> int:
    """INSERT ... SELECT one fact row per issue (its unit's path, hours, feedback); returns the rows written."""
    sql, params, _alias = subquery_sql(
        issues.annotate(
            street=Substr("unit__path", 1, STREET_PATH_LENGTH),
            path=F("unit__path"),
            took=HoursBetween("resolved_at", "created_at"),
            has_feedback=~Q(satisfaction=""),
            was_satisfied=Q(satisfaction__in=SATISFIED),
        ).values(
            "id",
            "street",
            "path",
            "category_id",
            "status",
            "created_at",
            "resolved_at",
            "took",
            "has_feedback",
            "was_satisfied",
        )
    )
    table = IssueFact._meta.db_table
    statement = (
        f"INSERT INTO {table} (issue_id, street_path, unit_path, category_id, status, created_at, resolved_at, "
        "hours, feedback, satisfied) "
        "SELECT s.id, s.street, s.path, s.category_id, s.status, s.created_at, s.resolved_at, s.took, "
        f"s.has_feedback, s.was_satisfied FROM ({sql}) s ORDER BY s.path"  # a subtree's rows side by side on disk
    )
    with connections[router.db_for_write(IssueFact)].cursor() as cursor:
        cursor.execute(statement, params)
        return max(cursor.rowcount, 0)


def _refresh_facts(since: dt.datetime | None) -> int:
    """Rewrite the fact rows of the issues updated since `since` (all of them when None)."""
    if since is None:
        IssueFact.objects.all().delete()
        return _insert_facts(Issue.objects.all())
    changed = Issue.objects.filter(updated_at__gte=since)
    IssueFact.objects.filter(issue_id__in=changed.values("pk")).delete()
    return _insert_facts(changed)


def _state() -> RollupState:
    state, _created = RollupState.objects.select_for_update().get_or_create(name=ISSUES)
    return state


def _finish(
    state: RollupState, *, started: float, now: dt.datetime, months: int, rows: int, full: bool
) -> RollupResult:
    seconds = time.perf_counter() - started
    state.as_of = now
    state.watermark = now - OVERLAP
    state.rows = rows
    state.months = months
    state.seconds = round(seconds, 3)
    fields = ["as_of", "watermark", "rows", "months", "seconds"]
    if full:
        state.rebuilt_at = now
        fields.append("rebuilt_at")
    state.save(update_fields=fields)
    log.info(
        "issue roll-up refreshed",
        extra={"event": "issue_rollup_refreshed", "months": months, "rows": rows, "seconds": round(seconds, 3)},
    )
    return RollupResult(months=months, rows=rows, seconds=seconds, as_of=now)


@transaction.atomic
def issue_rollup_rebuild(*, now: dt.datetime | None = None) -> RollupResult:
    """Recount every month from the issues (nightly; after a bulk load). Idempotent."""
    started = time.perf_counter()
    now = now or timezone.now()
    state = _state()
    rows = _recount(None)
    _refresh_facts(None)
    _figures(now, None)
    _analyze_rewritten()
    return _finish(state, started=started, now=now, months=0, rows=rows, full=True)


REWRITTEN_BY_A_REBUILD = (IssueMonthlyRollup, IssueDistrictMonthlyRollup, IssueFact, FigureMonthlyRollup)


def _analyze_rewritten() -> None:
    """PostgreSQL: the planner's statistics of the tables a rebuild rewrote whole, taken now. Until
    autovacuum's next pass they describe the old tables: at 1,000,000 issues the city dashboard was planned
    on a district roll-up of 4,700 rows that held 23,000 (an index scan per row: 150 ms, analyzed 106)."""
    connection = connections[router.db_for_write(IssueMonthlyRollup)]
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in REWRITTEN_BY_A_REBUILD)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def _figures(now: dt.datetime, months: list[dt.date] | None) -> None:
    """Recount the other domains' roll-up in the same transaction, under the same "as of", and the issue
    medians of the calendar periods of these months (all of them when None), from the facts just kept."""
    started = time.perf_counter()
    rows = figure_rollup_rebuild() + median_rollup_refresh(months)
    RollupState.objects.update_or_create(
        name=FIGURES,
        defaults={
            "as_of": now,
            "watermark": now,
            "rebuilt_at": now,
            "rows": rows,
            "seconds": round(time.perf_counter() - started, 3),
        },
    )


def touched_months(*, since: dt.datetime, now: dt.datetime) -> list[dt.date]:
    """Months whose rows may have changed since `since`: two small indexed queries (issue_updated)."""
    today = timezone.localtime(now).date()
    current = month_start(today)
    months = {current, month_start(current - dt.timedelta(days=1))}
    changed = Issue.objects.filter(updated_at__gte=since)
    for field in ("created_at", "resolved_at"):
        months.update(
            changed.filter(**{f"{field}__isnull": False})
            .annotate(m=_month_of(field))
            .values_list("m", flat=True)
            .order_by()
            .distinct()
        )
    return sorted(months)


@transaction.atomic
def issue_rollup_refresh(
    *, now: dt.datetime | None = None, months: list[dt.date] | None = None, figures: bool = True
) -> RollupResult:
    """Recount the months that can have changed since the last refresh (or the given months), and the
    fact rows of the issues changed since then. A full rebuild when the roll-up was never built.

    With `figures` (the scheduled refresh), the other domains' roll-up is recounted too. The refresh on
    read of the embedded default leaves it: there those figures are counted live (`figures_current`).
    """
    started = time.perf_counter()
    now = now or timezone.now()
    state = _state()
    if state.watermark is None:
        rows = _recount(None)
        _refresh_facts(None)
        if figures:
            _figures(now, None)
        return _finish(state, started=started, now=now, months=0, rows=rows, full=True)
    if months is None:
        months = touched_months(since=state.watermark, now=now)
    months = sorted({month_start(m) for m in months})
    rows = _recount(months)
    _refresh_facts(state.watermark)
    if figures:
        # The medians of periods the refresh touched; where they were never counted, every period.
        counted = RollupState.objects.filter(name=FIGURES).exists()
        _figures(now, months if counted else None)
    return _finish(state, started=started, now=now, months=len(months), rows=rows, full=False)


def issue_rollup_state() -> RollupState | None:
    """The roll-up's state (None until it was first built)."""
    return RollupState.objects.filter(name=ISSUES, as_of__isnull=False).first()


def refreshes_on_read() -> bool:
    """True where no scheduler refreshes the roll-up (the embedded default: no broker, no beat)."""
    return bool(getattr(settings, "DASHBOARDS_REFRESH_ON_READ", False))


def refresh_interval_seconds() -> int | None:
    """How often beat refreshes the roll-up (None where nothing schedules it: it is refreshed on read)."""
    if refreshes_on_read():
        return None
    entry = CELERY_BEAT_SCHEDULE.get("dashboards-issue-rollup-refresh") or {}
    schedule = entry.get("schedule")
    return int(schedule) if isinstance(schedule, int | float) else None


def issue_rollup_current() -> RollupState | None:
    """The roll-up's state for a reader; where nothing schedules a refresh (`refreshes_on_read`), the
    roll-up is first brought up to date when an issue changed since it was refreshed, so a write shows in
    every figure at once. One indexed EXISTS (issue_updated) when nothing changed."""
    state = issue_rollup_state()
    if state is None or not refreshes_on_read():
        return state
    if not Issue.objects.filter(updated_at__gte=state.as_of).exists():
        return state
    issue_rollup_refresh(figures=False)
    return issue_rollup_state()


def rollup_states() -> tuple[RollupState | None, RollupState | None]:
    """The issue roll-up's state and the other domains' for a reader, in one query: the first as
    `issue_rollup_current()` gives it (refreshed first where that is done on read), the second as
    `figures_current()` (None where those figures are counted live)."""
    states = {
        state.name: state for state in RollupState.objects.filter(name__in=[ISSUES, FIGURES], as_of__isnull=False)
    }
    issues = states.get(ISSUES)
    if issues is not None and refreshes_on_read() and Issue.objects.filter(updated_at__gte=issues.as_of).exists():
        issue_rollup_refresh(figures=False)
        issues = issue_rollup_state()
    return issues, figures_current(states)


def figures_current(states: dict[str, RollupState] | None = None) -> RollupState | None:
    """The other domains' roll-up state for a reader, or None where their figures are counted live: until
    it is first built, and where nothing schedules a refresh (the embedded default: every write shows at
    once, and the tables are small). `states`: the states already read (`rollup_states`)."""
    if refreshes_on_read():
        return None
    if states is not None:
        return states.get(FIGURES)
    return RollupState.objects.filter(name=FIGURES, as_of__isnull=False).first()
