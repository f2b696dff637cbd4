"""Reads for the yearly awards: the ranking and the published lists."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.http import Http404

from grids.jurisdiction import can_see_unit
from grids.models import GridUnit
from grids.viewer import Viewer

from ..models import (
    AwardEntry,
    AwardList,
    CoBuildingUnit,
    Contract,
    Evaluation,
    QuarterlyTally,
)

PUBLIC_SELECTORS_WITHOUT_VIEWER = {
    "award_lists_published": "public disclosure board, no personal data: published lists name units and honourees",
}


# ---------------------------------------------------------------------------
# Awards
# ---------------------------------------------------------------------------
@dataclass
class RankedContract:
    contract: Contract
    final_score: int
    completion_rate: Decimal | None


@dataclass
class RankedUnit:
    unit: CoBuildingUnit
    contracts: int
    average_score: Decimal
    completion_rate: Decimal | None


def _rate(credit, due) -> Decimal | None:
    if not due:
        return None
    return (Decimal(credit or 0) * 100 / Decimal(due)).quantize(Decimal("0.01"))


def award_ranking(*, viewer: Viewer, district: GridUnit, year: int) -> tuple[list[RankedContract], list[RankedUnit]]:
    """Fully evaluated contracts of the district's year, and their units, by final score then completion.

    Completion is the year's: credit over weight due, summed over the four quarters' contract tallies.
    Three queries.
    """
    if not can_see_unit(viewer, district):
        raise Http404
    tallies = QuarterlyTally.objects.filter(contract=OuterRef("pk"), scope=QuarterlyTally.Scope.CONTRACT)
    due = tallies.values("contract").annotate(s=Sum("weight_due")).values("s")
    credit = tallies.values("contract").annotate(s=Sum("weight_credit")).values("s")
    contracts = list(
        Contract.objects.filter(
            community__path__startswith=district.path, year=year, evaluation__stage=Evaluation.Stage.DONE
        )
        .select_related("unit", "community", "evaluation")
        .annotate(year_due=Subquery(due), year_credit=Subquery(credit))
        .order_by("-evaluation__final_score", "number")
    )
    ranked = [
        RankedContract(
            contract=c, final_score=c.evaluation.final_score, completion_rate=_rate(c.year_credit, c.year_due)
        )
        for c in contracts
    ]
    ranked.sort(key=lambda r: (-r.final_score, -(r.completion_rate or 0), r.contract.number))
    by_unit: dict[int, list[RankedContract]] = {}
    for row in ranked:
        by_unit.setdefault(row.contract.unit_id, []).append(row)
    units = []
    for rows in by_unit.values():
        total_due = sum(r.contract.year_due or 0 for r in rows)
        total_credit = sum(Decimal(r.contract.year_credit or 0) for r in rows)
        units.append(
            RankedUnit(
                unit=rows[0].contract.unit,
                contracts=len(rows),
                average_score=(Decimal(sum(r.final_score for r in rows)) / len(rows)).quantize(Decimal("0.1")),
                completion_rate=_rate(total_credit, total_due),
            )
        )
    units.sort(key=lambda u: (-u.average_score, -(u.completion_rate or 0), u.unit.name))
    return ranked, units


def award_lists_published() -> QuerySet[AwardList]:
    """Published lists, public: names of units and of the people honoured, nothing else personal."""
    return (
        AwardList.objects.filter(status=AwardList.Status.PUBLISHED)
        .select_related("district")
        .prefetch_related(
            Prefetch("entries", queryset=AwardEntry.objects.select_related("unit").order_by("kind", "pk"))
        )
        .order_by("-year", "district__path")
    )
