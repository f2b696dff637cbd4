"""Co-building contract figures for a unit's subtree: contracts, units and commitments, the latest quarter's
completion by child unit (the contracts app's own quarterly tallies), and the four-stage evaluation's progress.

Contracts are signed by communities, so below a community there is nothing to count.
Drafts promise nothing yet and are left out (`Contract.objects.counted()`), as in the tallies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from contracts.models import Commitment, Contract, Evaluation, QuarterlyTally
from contracts.periods import quarter_end
from contracts.selectors import TallyOverview, tally_overview, tally_periods
from grids.models import GridUnit
from grids.viewer import Viewer

from ..periods import Period
from .common import in_subtree

GROUPS = ("child", "status", "stage", "quarter")
NOT_STARTED = "not_started"

PUBLIC_SELECTORS_WITHOUT_VIEWER = {
    "latest_quarter": "which quarters the city has tallied: the same for every viewer, no unit-bound rows",
}


def has_contracts(unit: GridUnit) -> bool:
    return unit.level <= GridUnit.Level.COMMUNITY


def _contracts(unit: GridUnit, period: Period | None):
    contracts = in_subtree(Contract.objects.all(), unit, "community")
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


def contract_summary(*, unit: GridUnit, period: Period | None) -> ContractSummary:
    """Contracts by status, units and commitments of the contract years the period touches (all when None):
    three queries."""
    contracts = _contracts(unit, period)
    by_status = dict(contracts.values("status").annotate(n=Count("pk")).order_by().values_list("status", "n"))
    counted = contracts.exclude(status=Contract.Status.DRAFT)
    units = counted.aggregate(n=Count("unit", distinct=True))["n"]
    commitments = Commitment.objects.filter(contract__in=counted.values("pk")).count()
    return ContractSummary(by_status=by_status, units=units, commitments=commitments)


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


def evaluation_progress(*, unit: GridUnit, period: Period | None) -> dict[int, dict[str, int]]:
    """Per contract year: counted contracts at each evaluation stage (NOT_STARTED when none yet). One query."""
    rows = (
        _contracts(unit, period)
        .exclude(status=Contract.Status.DRAFT)
        .values_list("year", "evaluation__stage")
        .annotate(n=Count("pk"))
        .order_by()
    )
    progress: dict[int, dict[str, int]] = {}
    for year, stage, n in rows:
        progress.setdefault(year, {})[stage or NOT_STARTED] = n
    return dict(sorted(progress.items(), reverse=True))


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
