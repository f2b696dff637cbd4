"""Resident-issue figures for a unit's subtree and a period, from the roll-up where it serves.

The measures (see `IssueFigures`):
- logged: issues logged in the period; settled, rejected, feedback, satisfied: of those,
  how many are now resolved or closed, rejected, have the resident's feedback, were
  satisfied or basically satisfied;
- resolved, resolve_hours: issues resolved in the period and their hours from logging to resolution.

Rates: resolution rate = settled / (logged - rejected); satisfaction rate = satisfied / feedback.

Where the numbers come from (`plan_sources`): for the city, a district or a street,
whole months come from `IssueMonthlyRollup` (street × month × category × status;
the city's from `IssueDistrictMonthlyRollup`, the same added up per district) and
the days of a custom range that do not fill a month from `IssueFact` (one
narrow row per issue, read through path-and-time indexes); below a street, or when
a street's communities are asked for, everything comes from `IssueFact`. Both are
kept by `dashboards.services.rollups` and are as fresh as its last refresh (the
"as of" the pages show). Until the roll-up is first built, everything is counted
live from the issues. Either way a fixed number of grouped queries, whatever the
number of issues. The median of a calendar month, quarter or year (the city,
a district or a street, and their children) is the one the scheduled refresh keeps
in the other domains' roll-up (`FigureMonthlyRollup`, figure "median"); any other
period's is read from the hours in `IssueFact` (`issue_median_hours`); "overdue
now" is always live (`issue_overdue`, on the issues' (status, due_at) index).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import router
from django.db.models import Count, DateField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Length, TruncMonth
from django.utils import timezone

from grids.models import PATH_STEP, GridUnit
from issues.models import Issue, IssueCategory

from ..models import FigureMonthlyRollup, IssueDistrictMonthlyRollup, IssueFact, IssueMonthlyRollup, RollupState
from ..numbers import rate
from ..periods import Period, add_months, local_midnight, month_ceil, month_start
from ..sql import HoursBetween, median, union_all
from .common import OWN, child_key, from_rollup, in_subtree

GROUPS = ("category", "status", "child", "month")
SETTLED = (Issue.Status.RESOLVED, Issue.Status.CLOSED)
SATISFIED = (Issue.Satisfaction.SATISFIED, Issue.Satisfaction.BASIC)
ROLLUP_DEEPEST = GridUnit.Level.STREET  # the roll-up is kept per street

PUBLIC_SELECTORS_WITHOUT_VIEWER = {
    "categories": "the issue categories: reference data, the same for every viewer",
    "categories_query": "the issue categories: reference data, the same for every viewer",
    "categories_result": "the issue categories from rows already read: reference data, no query",
    "issue_rollup_state": "when the roll-up was refreshed: bookkeeping, no unit-bound rows",
    "rollup_states": "when the roll-ups were refreshed: bookkeeping, no unit-bound rows",
}


@dataclass(frozen=True)
class IssueFigures:
    logged: int = 0
    settled: int = 0
    rejected: int = 0
    feedback: int = 0
    satisfied: int = 0
    resolved: int = 0
    resolve_hours: float = 0.0

    def __add__(self, other: IssueFigures) -> IssueFigures:
        return IssueFigures(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @property
    def open(self) -> int:
        """Of the issues logged in the period, those still being handled."""
        return self.logged - self.settled - self.rejected

    @property
    def resolution_rate(self) -> Decimal | None:
        return rate(self.settled, self.logged - self.rejected)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return rate(self.satisfied, self.feedback)

    @property
    def mean_hours(self) -> Decimal | None:
        if not self.resolved:
            return None
        return Decimal(self.resolve_hours / self.resolved).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def as_dict(self) -> dict[str, Any]:
        return {
            "logged": self.logged,
            "settled": self.settled,
            "rejected": self.rejected,
            "open": self.open,
            "resolved": self.resolved,
            "resolution_rate": self.resolution_rate,
            "feedback": self.feedback,
            "satisfied": self.satisfied,
            "satisfaction_rate": self.satisfaction_rate,
            "mean_hours_to_resolve": self.mean_hours,
        }


@dataclass(frozen=True)
class Plan:
    """Which months come from the roll-up, which time ranges are counted row by row, and from which table."""

    rollup: tuple[dt.date, dt.date] | None  # [first month, end month)
    live: tuple[tuple[dt.datetime, dt.datetime], ...]
    detail: str = "facts"  # "facts" (IssueFact, as of the refresh) or "issues" (issues.Issue, live)


def plan_sources(
    *, unit: GridUnit, period: Period, group_by: str | None, state: RollupState | None, source: str = "auto"
) -> Plan:
    """Split the period between the roll-up (whole months, the units it holds) and row counts.

    source: "auto"; "live" (everything from the issues themselves); "facts" (everything from
    IssueFact); "rollup" (the roll-up wherever the period allows, even for a street's children).
    Without a roll-up (never built) everything is live.
    """
    whole = ((period.start_at, period.end_at),)
    if source == "live" or state is None:
        return Plan(rollup=None, live=whole, detail="issues")
    if source == "facts":
        return Plan(rollup=None, live=whole)
    finer_than_rollup = unit.level > ROLLUP_DEEPEST or (group_by == "child" and unit.level >= ROLLUP_DEEPEST)
    if finer_than_rollup and source != "rollup":
        return Plan(rollup=None, live=whole)
    first, end = month_ceil(period.start), month_start(period.end)
    if first >= end:
        return Plan(rollup=None, live=whole)
    live = []
    if period.start < first:
        live.append((period.start_at, local_midnight(first)))
    if end < period.end:
        live.append((local_midnight(end), period.end_at))
    return Plan(rollup=(first, end), live=tuple(live))


def facts_of(unit: GridUnit) -> tuple[QuerySet, str]:
    """The unit's fact rows, filtered so that a time range bounds the index scan, and the path field
    that names a row's child unit.

    The city: no filter (time-led indexes). A district: its streets' paths as an IN list, one bounded
    (street_path, time) range per street. A street: its own path. Below a street: the street's range,
    then the unit's path prefix.
    """
    facts = IssueFact.objects.all()
    if unit.level == GridUnit.Level.CITY:
        return facts, "street_path"
    if unit.level < ROLLUP_DEEPEST:
        streets = GridUnit.objects.filter(level=ROLLUP_DEEPEST, path__startswith=unit.path).values("path")
        return facts.filter(street_path__in=streets), "street_path"
    facts = facts.filter(street_path=unit.path[: PATH_STEP * ROLLUP_DEEPEST])
    if unit.level == ROLLUP_DEEPEST:
        return facts, "unit_path"
    return facts.filter(unit_path__startswith=unit.path), "unit_path"


def _rows(unit: GridUnit, detail: str) -> tuple[QuerySet, str, dict[str, Any], dict[str, Any]]:
    """The rows to count for the unit's subtree, the path field, and the logged-side and resolved-side measures."""
    if detail == "issues":
        rows = in_subtree(Issue.objects.all(), unit)
        feedback, satisfied = ~Q(satisfaction=""), Q(satisfaction__in=SATISFIED)
        hours: Any = Sum(HoursBetween("resolved_at", "created_at"))
        path_field = "unit__path"
    else:
        rows, path_field = facts_of(unit)
        feedback, satisfied = Q(feedback=True), Q(satisfied=True)
        hours = Sum("hours")
    logged = {
        "m_logged": Count("pk"),
        "m_settled": Count("pk", filter=Q(status__in=SETTLED)),
        "m_rejected": Count("pk", filter=Q(status=Issue.Status.REJECTED)),
        "m_feedback": Count("pk", filter=feedback),
        "m_satisfied": Count("pk", filter=satisfied),
    }
    resolved = {"m_resolved": Count("pk"), "m_resolve_hours": hours}
    return rows, path_field, logged, resolved


def _month_of(field: str) -> TruncMonth:
    return TruncMonth(field, tzinfo=timezone.get_current_timezone(), output_field=DateField())


def _key(group_by: str | None, unit: GridUnit, *, path_field: str, month_field: str | None):
    """(group name, expression or field) for a grouped query; None for totals."""
    if group_by is None:
        return None
    if group_by == "category":
        return "category_id"
    if group_by == "status":
        return "status"
    if group_by == "child":
        return child_key(unit, path_field)
    if group_by == "month":
        return _month_of(month_field) if month_field else "month"
    raise ValueError(group_by)


def _grouped(queryset: QuerySet, key, measures: dict[str, Any]) -> QuerySet:
    """The values() query of the measures per key (column k; one row for totals)."""
    if key is None:
        key = Value(0)
    elif isinstance(key, str):
        key = F(key)
    return queryset.annotate(k=key).values("k").annotate(**measures).order_by()


def _figures(row: dict[str, Any], aliases: Iterable[str]) -> IssueFigures:
    # Aggregates are aliased "m_<measure>": a roll-up column of the same name may not be both.
    return IssueFigures(**{alias.removeprefix("m_"): (row.get(alias) or 0) for alias in aliases})


def _normalise(key: Any, group_by: str | None, unit: GridUnit) -> Any:
    if group_by == "month" and isinstance(key, dt.datetime):
        return timezone.localtime(key).date() if timezone.is_aware(key) else key.date()
    if group_by == "child" and key is not None and len(key) <= len(unit.path):
        return OWN
    return key


_UNKNOWN: Any = object()


@dataclass(frozen=True)
class _Part:
    queryset: QuerySet
    names: tuple[str, ...]


def _issue_parts(
    *, unit: GridUnit, period: Period, group_by: str | None, state: RollupState | None, source: str
) -> list[_Part]:
    """The grouped queries whose rows add up to the figures (see `issue_figures`)."""
    plan = plan_sources(unit=unit, period=period, group_by=group_by, state=state, source=source)
    parts = []
    if plan.rollup is not None:
        first, end = plan.rollup
        if unit.level == GridUnit.Level.CITY:
            # The city's children are its districts: their rows add up to the same, a tenth as many.
            rows, path_field = IssueDistrictMonthlyRollup.objects.all(), "district_path"
        else:
            rows, path_field = IssueMonthlyRollup.objects.in_subtree(unit), "street_path"
        rows = rows.filter(month__gte=first, month__lt=end)
        measures = {
            "m_logged": Sum("logged"),
            "m_settled": Sum("logged", filter=Q(status__in=SETTLED)),
            "m_rejected": Sum("logged", filter=Q(status=Issue.Status.REJECTED)),
            "m_feedback": Sum("feedback"),
            "m_satisfied": Sum("satisfied"),
            "m_resolved": Sum("resolved"),
            "m_resolve_hours": Sum("resolve_hours"),
        }
        key = _key(group_by, unit, path_field=path_field, month_field=None)
        parts.append(_Part(_grouped(rows, key, measures), tuple(measures)))
    if plan.live:
        rows, path_field, logged_measures, resolved_measures = _rows(unit, plan.detail)
        # One query per time range and side: a single range bounds the (street_path, time) index scan,
        # where an OR of two ranges would make PostgreSQL combine bitmaps of the whole city's window.
        for start, end in plan.live:
            logged = rows.filter(created_at__gte=start, created_at__lt=end)
            key = _key(group_by, unit, path_field=path_field, month_field="created_at")
            parts.append(_Part(_grouped(logged, key, logged_measures), tuple(logged_measures)))
            resolved = rows.filter(resolved_at__gte=start, resolved_at__lt=end)
            key = _key(group_by, unit, path_field=path_field, month_field="resolved_at")
            parts.append(_Part(_grouped(resolved, key, resolved_measures), tuple(resolved_measures)))
    return parts


def _issue_result(parts: list[_Part], found: list[list[tuple]], *, unit: GridUnit, group_by: str | None):
    result: dict[Any, IssueFigures] = {}
    for part, rows in zip(parts, found, strict=True):
        for k, *values in rows:
            key = None if group_by is None else _normalise(k, group_by, unit)
            row = dict(zip(part.names, values, strict=True))
            result[key] = result.get(key, IssueFigures()) + _figures(row, part.names)
    if group_by is None:
        result.setdefault(None, IssueFigures())
    return result


def issue_figures(
    *,
    unit: GridUnit,
    period: Period,
    group_by: str | None = None,
    source: str = "auto",
    state: RollupState | None = _UNKNOWN,
) -> dict[Any, IssueFigures]:
    """The measures for the unit's subtree and period, in total (key None) or per group.

    Keys: category id, status, child path (OWN for issues at the unit itself) or month (first day).
    One statement (plus the roll-up's state), whatever the number of issues.
    `source` forces "live", "facts" or "rollup" (tests compare them); "auto" picks as described above.
    """
    return issue_figures_many([(period, group_by)], unit=unit, source=source, state=state)[0]


def issue_figures_many(
    requests: list[tuple[Period, str | None]],
    *,
    unit: GridUnit,
    source: str = "auto",
    state: RollupState | None = _UNKNOWN,
    extra: list[QuerySet] | None = None,
) -> list[Any]:
    """`issue_figures` for several (period, group_by) of one unit, read in one statement (`union_all`),
    with the rows of any `extra` values() queries after them (a page's other small counts)."""
    for _period, group_by in requests:
        if group_by is not None and group_by not in GROUPS:
            raise ValueError(group_by)
    if state is _UNKNOWN:
        state = issue_rollup_state() if source != "live" else None
    planned = [
        _issue_parts(unit=unit, period=period, group_by=group_by, state=state, source=source)
        for period, group_by in requests
    ]
    extra = extra or []
    found = union_all([part.queryset for parts in planned for part in parts] + list(extra))
    results: list[Any] = []
    at = 0
    for parts, (_period, group_by) in zip(planned, requests, strict=True):
        results.append(_issue_result(parts, found[at : at + len(parts)], unit=unit, group_by=group_by))
        at += len(parts)
    return results + found[at:]


def issue_rollup_state() -> RollupState | None:
    """The issue roll-up's state (None until first built): one query, and one EXISTS where the roll-up
    is refreshed on read (the embedded default), which recounts it first when an issue changed since."""
    from ..services.rollups import issue_rollup_current

    return issue_rollup_current()


def rollup_states() -> tuple[RollupState | None, RollupState | None]:
    """The issue roll-up's state (as `issue_rollup_state`) and the other domains' roll-up state (None where
    their figures are counted live): one query."""
    from ..services.rollups import rollup_states as current

    return current()


def _resolved_hours(unit: GridUnit, period: Period, *, live: bool) -> tuple[QuerySet, str]:
    """Hours of the issues resolved in the period, and the path field to group them by child with."""
    if live:
        issues = in_subtree(Issue.objects.all(), unit)
        hours = issues.filter(resolved_at__gte=period.start_at, resolved_at__lt=period.end_at).annotate(
            hours=HoursBetween("resolved_at", "created_at")
        )
        return hours, "unit__path"
    rows, path_field = facts_of(unit)
    return rows.filter(resolved_at__gte=period.start_at, resolved_at__lt=period.end_at), path_field


def _calendar_kind(period: Period) -> str | None:
    """ "month", "quarter" or "year" when the period is exactly one calendar month, quarter or year."""
    start, end = period.start, period.end
    if start.day != 1 or end.day != 1:
        return None
    if end == add_months(start, 1):
        return "month"
    if start.month in (1, 4, 7, 10) and end == add_months(start, 3):
        return "quarter"
    if start.month == 1 and end == add_months(start, 12):
        return "year"
    return None


def _rolled_up_medians(
    *, unit: GridUnit, period: Period, by_child: bool, figures_state: RollupState | None
) -> dict[Any, float | None] | None:
    """The medians the refresh kept for a calendar period (city, district or street, and their children),
    or None where it keeps none (another period, below a street, counted live)."""
    kind = _calendar_kind(period)
    if kind is None or not from_rollup(figures_state, unit=unit, period=period, by_child=by_child):
        return None
    rows = FigureMonthlyRollup.objects.filter(figure=FigureMonthlyRollup.Figure.MEDIAN, month=period.start)
    wanted = Q(code=kind, street_path=unit.path)
    if by_child:
        wanted |= Q(code=f"{kind}-own", street_path=unit.path)
        wanted |= Q(code=kind, street_path__startswith=unit.path, length=len(unit.path) + PATH_STEP)
    found: dict[Any, float | None] = {None: None}
    for path, code, amount in (
        rows.annotate(length=Length("street_path")).filter(wanted).values_list("street_path", "code", "amount")
    ):
        key = OWN if code.endswith("-own") else (None if path == unit.path else path)
        found[key] = float(amount)
    return found


def issue_median_hours(
    *,
    unit: GridUnit,
    period: Period,
    by_child: bool = False,
    source: str = "auto",
    state: RollupState | None = _UNKNOWN,
    figures_state: RollupState | None = None,
) -> dict[Any, float | None]:
    """Median hours from logging to resolution of the issues resolved in the period: one query.

    Read from `IssueFact` (kept with the roll-up; a covering path, time and hours index) once the
    roll-up is built, else (or with source="live") from the issues themselves. Keyed None (the whole
    subtree) and, when `by_child`, by child path too (OWN for the unit itself): one statement on
    PostgreSQL, two on SQLite.
    """
    if source == "auto":
        # A calendar month, quarter or year: the median the refresh kept (with the other domains' roll-up).
        found = _rolled_up_medians(unit=unit, period=period, by_child=by_child, figures_state=figures_state)
        if found is not None:
            return found
    if state is _UNKNOWN:
        state = issue_rollup_state() if source != "live" else None
    queryset, path_field = _resolved_hours(unit, period, live=source == "live" or state is None)
    if by_child:
        found = median(
            queryset.annotate(child=child_key(unit, path_field)).values("child", "hours"),
            "hours",
            group="child",
            with_total=True,
        )
        return {(None if key is None else _normalise(key, "child", unit)): value for key, value in found.items()}
    return median(queryset.values("hours"), "hours")


def overdue_query(*, unit: GridUnit, by_child: bool = False, now: dt.datetime | None = None) -> QuerySet:
    """The values() query of the issues overdue right now (k: child path, or 0; n).

    Each overdue issue's unit path is read by the unit's key (a few thousand lookups), not by a join
    that first hashes every unit of the subtree (73,000 for a district at --scale 10: 16 → 4 ms)."""
    unit_path = Subquery(GridUnit.objects.filter(pk=OuterRef("unit_id")).order_by().values("path"))
    overdue = Issue.objects.overdue(now or timezone.now()).annotate(unit_path=unit_path)
    if unit.level != GridUnit.Level.CITY:
        overdue = overdue.filter(unit_path__startswith=unit.path)
    key = child_key(unit, "unit_path") if by_child else Value(0)
    # COUNT(*): no column of the issue beyond the index's (status, due_at, unit).
    return overdue.annotate(k=key).values("k").annotate(n=Count("*")).order_by()


def overdue_result(rows: list[tuple], *, unit: GridUnit, by_child: bool) -> dict[Any, int]:
    if not by_child:
        return {None: sum(n for _k, n in rows)}
    found: dict[Any, int] = {}
    for k, n in rows:
        key = _normalise(k, "child", unit)
        found[key] = found.get(key, 0) + n
    return found | {None: sum(found.values())}


def issue_overdue(*, unit: GridUnit, by_child: bool = False, now: dt.datetime | None = None) -> dict[Any, int]:
    """Issues overdue right now (running and past their time limit), live: one query on the (status, due_at) index.

    Keyed None (the whole subtree) and, when `by_child`, by child path too (OWN for the unit itself): the
    children (with OWN) add up to the whole, so one grouped query gives both.
    """
    (rows,) = union_all([overdue_query(unit=unit, by_child=by_child, now=now)])
    return overdue_result(rows, unit=unit, by_child=by_child)


CATEGORY_FIELDS = tuple(f.attname for f in IssueCategory._meta.concrete_fields)


def categories_query() -> QuerySet:
    """The categories' values() query (for `union_all`; `categories_result` makes them categories again)."""
    return IssueCategory.objects.values_list(*CATEGORY_FIELDS)


def categories_result(rows: list[tuple]) -> dict[int, IssueCategory]:
    alias = router.db_for_read(IssueCategory)
    found = [IssueCategory.from_db(alias, CATEGORY_FIELDS, row) for row in rows]
    return {c.pk: c for c in sorted(found, key=lambda c: (c.sort_order, c.code))}


def categories() -> dict[int, IssueCategory]:
    """Every category by id (a small master table): one query."""
    return {c.pk: c for c in IssueCategory.objects.order_by("sort_order", "code")}


@dataclass(frozen=True)
class IssueSummary:
    figures: IssueFigures
    median_hours: float | None
    overdue_now: int
    as_of: dt.datetime | None  # the roll-up's time (the figures are at least this fresh); None when all is live

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.figures.as_dict(),
            "median_hours_to_resolve": None if self.median_hours is None else round(self.median_hours, 1),
            "overdue_now": self.overdue_now,
        }


def issue_summary(
    *,
    unit: GridUnit,
    period: Period,
    state: RollupState | None = _UNKNOWN,
    medians: dict[Any, float | None] | None = None,
    overdue: dict[Any, int] | None = None,
    figures: IssueFigures | None = None,
) -> IssueSummary:
    """The headline issue figures of a unit and period: logged, resolved, rates, median hours, overdue now.

    Pass `medians` and `overdue` when the caller already has them per child (they include the total),
    and `figures` when it has the subtree's (the sum of its children's).
    """
    if state is _UNKNOWN:
        state = issue_rollup_state()
    if medians is None:
        medians = issue_median_hours(unit=unit, period=period, state=state)
    if overdue is None:
        overdue = issue_overdue(unit=unit)
    return IssueSummary(
        figures=figures if figures is not None else issue_figures(unit=unit, period=period, state=state)[None],
        median_hours=medians[None],
        overdue_now=overdue[None],
        as_of=state.as_of if state is not None else None,
    )
