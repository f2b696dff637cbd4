"""Co-building contract figures for a unit's subtree: contracts, units and commitments, the latest quarter's
completion by child unit (the contracts app's own quarterly tallies), and the four-stage evaluation's progress.

Contracts are signed by communities, so below a community there is nothing to count.
Drafts promise nothing yet and are left out (`Contract.objects.counted()`), as in the tallies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import router
from django.db.models import Count, QuerySet, Sum, Value

from contracts.models import Commitment, Contract, Evaluation, QuarterlyTally, TallyRun
from contracts.periods import quarter_end
from contracts.selectors import TallyOverview, tally_overview, tally_periods
from grids.models import GridUnit
from grids.viewer import Viewer

from ..models import FigureMonthlyRollup, RollupState
from ..periods import Period
from ..sql import InComputedSet, union_all
from .common import from_rollup, in_subtree, rollup_sums

GROUPS = ("child", "status", "stage", "quarter")
NOT_STARTED = "not_started"

PUBLIC_SELECTORS_WITHOUT_VIEWER = {
    "summary_result": "figures from rows the caller read for a unit it had checked; no query",
    "contract_rows": "rows the caller read for a unit it had checked, reshaped; no query",
    "latest_quarter": "which quarters the city has tallied: the same for every viewer, no unit-bound rows",
}


def has_contracts(unit: GridUnit) -> bool:
    return unit.level <= GridUnit.Level.COMMUNITY


def _contracts(unit: GridUnit, period: Period | None):
    contracts = Contract.objects.all()
    if unit.level != GridUnit.Level.CITY:
        # The subtree's communities first (a contract's community is one, contracts.services), then
        # their contracts by the (community, year) index.
        communities = in_subtree(GridUnit.objects.filter(level=GridUnit.Level.COMMUNITY), unit, None)
        contracts = contracts.filter(InComputedSet("community_id", communities.values("pk")))
    if period is not None:
        contracts = contracts.filter(year__gte=period.start.year, year__lte=period.last.year)
    return contracts


@dataclass(frozen=True)
class ContractSummary:
    by_status: dict[str, int]
    units: int  # co-building units with a counted contract here
    commitments: int  # committed service items of counted contracts

    @property
    def contracts(self) -> int:
        """Signed, active or closed contracts (drafts excluded)."""
        return sum(n for status, n in self.by_status.items() if status != Contract.Status.DRAFT)

    def as_dict(self) -> dict[str, Any]:
        return {
            "contracts": self.contracts,
            "contracts_by_status": {status: self.by_status.get(status, 0) for status in Contract.Status.values},
            "cobuilding_units": self.units,
            "commitments": self.commitments,
        }


def contract_summary(*, unit: GridUnit, period: Period | None, state: RollupState | None = None) -> ContractSummary:
    """Contracts by status, units and commitments of the contract years the period touches (all when None):
    one statement (from the roll-up with its `state` wherever it answers)."""
    return summary_result(union_all(summary_queries(unit=unit, period=period, state=state)))


def contracts_by(*, unit: GridUnit, period: Period | None, group_by: str) -> dict[Any, int]:
    """Counted contracts per status or per evaluation stage (NOT_STARTED when none yet): one query."""
    if group_by == "status":
        rows = _contracts(unit, period).values_list("status").annotate(n=Count("pk")).order_by()
    elif group_by == "stage":
        rows = (
            _contracts(unit, period)
            .exclude(status=Contract.Status.DRAFT)
            .values_list("evaluation__stage")
            .annotate(n=Count("pk"))
            .order_by()
        )
    else:
        raise ValueError(group_by)
    return {(key or NOT_STARTED): n for key, n in rows}


STAGES = [NOT_STARTED, *Evaluation.ORDER]


def latest_quarter(*, period: Period | None) -> tuple[int, int] | None:
    """The newest quarter with a full tally that ended within the period (else the newest tallied): one query."""
    periods = tally_periods()
    if not periods:
        return None
    if period is not None:
        for year, quarter in periods:
            if quarter_end(year, quarter) < period.end:
                return year, quarter
    return periods[0]


def completion(*, viewer: Viewer, unit: GridUnit, period: Period | None) -> TallyOverview | None:
    """The latest quarter's completion for the unit and its children (contracts, for a community),
    from the contracts app's quarterly tallies: four or five queries. None below a community or before any tally."""
    if not has_contracts(unit):
        return None
    found = latest_quarter(period=period)
    if found is None:
        return None
    year, quarter = found
    return tally_overview(viewer=viewer, unit_pk=unit.pk, year=year, quarter=quarter)


def completion_by_quarter(*, unit: GridUnit, period: Period) -> dict[tuple[int, int], QuarterlyTally]:
    """The unit's own tally for each quarter that ended within the period: one query."""
    rows = QuarterlyTally.objects.filter(
        unit=unit, contract__isnull=True, year__gte=period.start.year, year__lte=period.last.year
    ).order_by("year", "quarter")
    return {
        (row.year, row.quarter): row for row in rows if period.start <= quarter_end(row.year, row.quarter) < period.end
    }


# ---------------------------------------------------------------------------
# The contracts of a dashboard in one statement
# ---------------------------------------------------------------------------
@dataclass
class ContractFigures:
    summary: ContractSummary
    progress: dict[int, dict[str, int]]
    completion: TallyOverview | None


def _rollup_year(state: RollupState | None, *, unit: GridUnit, period: Period | None) -> int | None:
    """The contract year the roll-up's snapshot answers for (0: every year), or None: count the contracts.
    Co-building units are distinct per year, so a period across two contract years is counted live."""
    if not from_rollup(state, unit=unit, period=None):
        return None
    if period is None:
        return 0
    return period.start.year if period.start.year == period.last.year else None


def summary_queries(*, unit: GridUnit, period: Period | None, state: RollupState | None = None) -> list[QuerySet]:
    """The contracts by (status, year, evaluation stage), the co-building units and the commitments of the
    contract years the period touches, as values() queries for `union_all` (`summary_result` reads them):
    from the roll-up's snapshot with its `state` wherever it answers (`_rollup_year`), else counted."""
    year = _rollup_year(state, unit=unit, period=period)
    if year is not None:
        Figure = FigureMonthlyRollup.Figure
        by_year = {"code__startswith": f"{year}:"} if year else {}
        return [
            FigureMonthlyRollup.objects.filter(month__isnull=True, figure=Figure.CONTRACTS, **by_year)
            .in_subtree(unit)
            .values_list("code")
            .annotate(n=Sum("n"))
            .order_by(),
            FigureMonthlyRollup.objects.filter(
                month__isnull=True, figure=Figure.CONTRACT_UNITS, street_path=unit.path, code=str(year or "")
            ).values_list("n"),
            rollup_sums(unit, Figure.COMMITMENTS, **({"code": str(year)} if year else {})),
        ]
    contracts = _contracts(unit, period)
    counted = contracts.exclude(status=Contract.Status.DRAFT)
    one = {"k": Value(0)}
    return [
        contracts.values_list("status", "year", "evaluation__stage").annotate(n=Count("pk")).order_by(),
        counted.annotate(**one).values("k").annotate(n=Count("unit", distinct=True)).values_list("n"),
        Commitment.objects.filter(contract__in=counted.values("pk"))
        .annotate(**one)
        .values("k")
        .annotate(n=Count("pk"))
        .values_list("n"),
    ]


def contract_rows(rows: list[tuple]) -> list[tuple[str, int, str | None, int]]:
    """(status, year, stage or None, n) from `summary_queries`' first query, counted or rolled up
    ("year:status:stage" codes)."""
    found = []
    for row in rows:
        if len(row) == 2:
            code, n = row
            year, status, stage = code.split(":")
            row = (status, int(year), stage or None, n)
        found.append(row)
    return found


def summary_result(found: list[list[tuple]]) -> ContractSummary:
    rows, units, commitments = found
    by_status: dict[str, int] = {}
    for status, _year, _stage, n in contract_rows(rows):
        by_status[status] = by_status.get(status, 0) + n
    return ContractSummary(
        by_status=by_status,
        units=(units[0][0] or 0) if units else 0,
        commitments=(commitments[0][0] or 0) if commitments else 0,
    )


def _latest(periods: list[tuple[int, int]], period: Period | None) -> tuple[int, int] | None:
    """`latest_quarter`'s rule over quarters already read (newest first)."""
    if not periods:
        return None
    if period is not None:
        for year, quarter in periods:
            if quarter_end(year, quarter) < period.end:
                return year, quarter
    return periods[0]


def contract_figures(
    *,
    viewer: Viewer,
    unit: GridUnit,
    children: list[GridUnit],
    period: Period | None,
    state: RollupState | None = None,
) -> ContractFigures | None:
    """Contracts by status, units, commitments and the evaluation's progress for the contract years the
    period touches, and the latest tallied quarter's completion of the unit and its children (the
    contracts app's quarterly tallies, a roll-up): one statement for the city, a district or a street
    (a community's completion is per contract: the contracts app's `tally_overview`). None below a
    community."""
    if not has_contracts(unit):
        return None
    tally_fields = [f.attname for f in QuarterlyTally._meta.concrete_fields]
    # By status and by the evaluation's stage in one read (the summary's by-status count and the progress,
    # which leaves the drafts out, are both sums of these rows).
    queries = [
        *summary_queries(unit=unit, period=period, state=state),
        TallyRun.objects.filter(within__isnull=True).values_list("year", "quarter").distinct(),
    ]
    by_community = unit.level == GridUnit.Level.COMMUNITY
    if not by_community:
        queries.append(
            QuarterlyTally.objects.filter(
                contract__isnull=True, unit_id__in=[unit.pk, *(c.pk for c in children)]
            ).values_list(*tally_fields)
        )
    found = union_all(queries)
    progress: dict[int, dict[str, int]] = {}
    for status, year, stage, n in contract_rows(found[0]):
        if status != Contract.Status.DRAFT:
            stages = progress.setdefault(year, {})
            stages[stage or NOT_STARTED] = stages.get(stage or NOT_STARTED, 0) + n
    summary = summary_result(found[:3])
    latest = _latest(sorted(set(found[3]), reverse=True), period)
    completion = None
    if latest is not None:
        year, quarter = latest
        if by_community:
            completion = tally_overview(viewer=viewer, unit_pk=unit.pk, year=year, quarter=quarter)
        else:
            alias = router.db_for_read(QuarterlyTally)
            rows = {}
            for values in found[4]:
                tally = QuarterlyTally.from_db(alias, tally_fields, values)
                if (tally.year, tally.quarter) == latest:
                    rows[tally.unit_id] = tally
            completion = TallyOverview(unit=unit, year=year, quarter=quarter, own=rows.get(unit.pk))
            completion.children = [(child, rows.get(child.pk)) for child in children]
    return ContractFigures(
        summary=summary, progress=dict(sorted(progress.items(), reverse=True)), completion=completion
    )
