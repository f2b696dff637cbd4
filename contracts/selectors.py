"""Reads for contract-based co-building, always on behalf of a viewer (the public board excepted).

Contracts are visible through grids.jurisdiction (their community inside the
viewer's subtrees) and, for a co-building unit's contacts, through their own
unit (roles.contract_visibility_q). Everything else hangs from a visible
contract or a visible unit. List reads take a constant number of queries.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from grids.jurisdiction import can_see_unit, get_scoped_or_404, jurisdiction_paths, jurisdiction_q
from grids.models import GridUnit, User, ancestor_paths

from .models import (
    AwardEntry,
    AwardList,
    BoardPublication,
    CoBuildingUnit,
    Commitment,
    CommitmentTarget,
    Contract,
    ContractEvent,
    Evaluation,
    EvaluationStep,
    Progress,
    QuarterlyTally,
    TallyRun,
)
from .roles import contact_unit_ids, contract_visibility_q, inbox_q


# ---------------------------------------------------------------------------
# Contracts
# ---------------------------------------------------------------------------
def contract_list(
    *,
    viewer: User,
    year: int | None = None,
    status: str | None = None,
    community: int | None = None,
    unit: int | None = None,
    within: int | None = None,
    search: str = "",
) -> QuerySet[Contract]:
    """Contracts the viewer may read, newest year first, with their community, unit and evaluation stage."""
    commitments = (
        Commitment.objects.filter(contract=OuterRef("pk")).values("contract").annotate(n=Count("pk")).values("n")
    )
    queryset = (
        Contract.objects.filter(contract_visibility_q(viewer))
        .select_related("community", "unit", "evaluation")
        .annotate(commitment_count=Coalesce(Subquery(commitments), 0))
        .order_by("-year", "number")
    )
    if year:
        queryset = queryset.filter(year=year)
    if status:
        queryset = queryset.filter(status=status)
    if community:
        queryset = queryset.filter(community_id=community)
    if unit:
        queryset = queryset.filter(unit_id=unit)
    if within:
        root = GridUnit.objects.filter(pk=within).values_list("path", flat=True).first()
        queryset = queryset.filter(community__path__startswith=root) if root else queryset.none()
    if search:
        queryset = queryset.filter(
            Q(number__icontains=search) | Q(title__icontains=search) | Q(unit__name__icontains=search)
        )
    return queryset


def contract_get(*, viewer: User, pk: int) -> Contract:
    """A contract the viewer may read, or 404 (never a hint that it exists elsewhere)."""
    try:
        return (
            Contract.objects.filter(contract_visibility_q(viewer))
            .select_related("community", "unit", "unit__district", "created_by")
            .get(pk=pk)
        )
    except Contract.DoesNotExist as error:
        raise Http404 from error


@dataclass
class QuarterCell:
    quarter: int
    target: CommitmentTarget | None
    progress: Progress | None


@dataclass
class CommitmentRow:
    commitment: Commitment
    cells: list[QuarterCell]


@dataclass
class ContractDetail:
    contract: Contract
    breadcrumbs: list[GridUnit]
    demands: list
    resources: list
    commitments: list[CommitmentRow]
    evaluation: Evaluation | None
    steps: list[EvaluationStep]
    events: list[ContractEvent]
    tallies: list[QuarterlyTally]


def contract_detail(*, contract: Contract) -> ContractDetail:
    """Everything the contract page shows, in a fixed number of queries."""
    commitments = list(
        contract.commitments.select_related("demand", "resource").prefetch_related(
            Prefetch("targets", queryset=CommitmentTarget.objects.order_by("quarter")),
            Prefetch("progress", queryset=Progress.objects.filter(year=contract.year).select_related("reported_by")),
        )
    )
    rows = []
    for commitment in commitments:
        targets = {target.quarter: target for target in commitment.targets.all()}
        progress = {item.quarter: item for item in commitment.progress.all()}
        rows.append(
            CommitmentRow(
                commitment=commitment,
                cells=[QuarterCell(q, targets.get(q), progress.get(q)) for q in (1, 2, 3, 4)],
            )
        )
    evaluation = Evaluation.objects.filter(contract=contract).first()
    steps = list(evaluation.steps.select_related("actor").order_by("at", "pk")) if evaluation else []
    return ContractDetail(
        contract=contract,
        breadcrumbs=list(GridUnit.objects.filter(path__in=ancestor_paths(contract.community.path)).order_by("path")),
        demands=list(contract.demands.all()),
        resources=list(contract.resources.all()),
        commitments=rows,
        evaluation=evaluation,
        steps=steps,
        events=list(contract.events.select_related("actor").order_by("-at", "-pk")[:50]),
        tallies=list(QuarterlyTally.objects.filter(contract=contract).order_by("quarter")),
    )


def progress_get(*, viewer: User, pk: int) -> Progress:
    """A progress report whose contract the viewer may read, or 404."""
    try:
        return (
            Progress.objects.filter(contract_visibility_q(viewer, prefix="commitment__contract__"))
            .select_related("commitment__contract")
            .get(pk=pk)
        )
    except Progress.DoesNotExist as error:
        raise Http404 from error


def commitment_get(*, viewer: User, contract: Contract, pk: int) -> Commitment:
    try:
        return contract.commitments.get(pk=pk)
    except Commitment.DoesNotExist as error:
        raise Http404 from error


def commitment_list(*, viewer: User) -> QuerySet[Commitment]:
    return (
        Commitment.objects.filter(contract_visibility_q(viewer, prefix="contract__"))
        .select_related("contract", "demand", "resource")
        .prefetch_related(Prefetch("targets", queryset=CommitmentTarget.objects.order_by("quarter")))
        .order_by("contract_id", "pk")
    )


def progress_list(*, viewer: User) -> QuerySet[Progress]:
    return (
        Progress.objects.filter(contract_visibility_q(viewer, prefix="commitment__contract__"))
        .select_related("commitment", "reported_by")
        .order_by("-year", "-quarter", "commitment_id")
    )


# ---------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------
def unit_list(*, viewer: User) -> QuerySet[CoBuildingUnit]:
    """Units with a contract the viewer may read, units based in their jurisdiction, and their own unit."""
    visible_contracts = Contract.objects.filter(contract_visibility_q(viewer), unit=OuterRef("pk"))
    q = Exists(visible_contracts) | jurisdiction_q(viewer, unit_field="district")
    own = contact_unit_ids(viewer)
    if own:
        q |= Q(pk__in=own)
    contracts = Contract.objects.filter(unit=OuterRef("pk")).values("unit").annotate(n=Count("pk")).values("n")
    return (
        CoBuildingUnit.objects.filter(q)
        .select_related("district")
        .annotate(contract_count=Coalesce(Subquery(contracts), 0))
        .order_by("name")
    )


def unit_get(*, viewer: User, pk: int) -> CoBuildingUnit:
    try:
        return unit_list(viewer=viewer).get(pk=pk)
    except CoBuildingUnit.DoesNotExist as error:
        raise Http404 from error


# ---------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------
def evaluation_inbox(*, viewer: User) -> QuerySet[Evaluation]:
    """Evaluations waiting for a stage the viewer holds the role of."""
    return (
        Evaluation.objects.filter(inbox_q(viewer))
        .select_related("contract__community", "contract__unit")
        .order_by("contract__year", "contract__number")
    )


def evaluation_list(*, viewer: User) -> QuerySet[Evaluation]:
    return (
        Evaluation.objects.filter(contract_visibility_q(viewer, prefix="contract__"))
        .select_related("contract__community", "contract__unit")
        .prefetch_related(
            Prefetch("steps", queryset=EvaluationStep.objects.select_related("actor").order_by("at", "pk"))
        )
        .order_by("-contract__year", "contract__number")
    )


def evaluation_get(*, viewer: User, pk: int) -> Evaluation:
    try:
        return evaluation_list(viewer=viewer).get(pk=pk)
    except Evaluation.DoesNotExist as error:
        raise Http404 from error


# ---------------------------------------------------------------------------
# Tallies
# ---------------------------------------------------------------------------
def tally_periods() -> list[tuple[int, int]]:
    """Quarters a full tally has been run for, newest first (from the small run log, not the big table)."""
    return list(
        TallyRun.objects.filter(within__isnull=True)
        .values_list("year", "quarter")
        .distinct()
        .order_by("-year", "-quarter")
    )


def tally_home_unit(*, viewer: User) -> GridUnit | None:
    """Where the tally page opens: the highest unit of the viewer's jurisdiction."""
    paths = jurisdiction_paths(viewer)
    if paths is None:
        return GridUnit.objects.filter(level=GridUnit.Level.CITY).first()
    if not paths:
        return None
    return GridUnit.objects.filter(path__in=paths).order_by("level", "path").first()


@dataclass
class TallyOverview:
    unit: GridUnit
    year: int
    quarter: int
    own: QuarterlyTally | None
    children: list[tuple[GridUnit, QuarterlyTally | None]] = field(default_factory=list)
    contracts: list[QuarterlyTally] = field(default_factory=list)
    breadcrumbs: list[GridUnit] = field(default_factory=list)
    publications: list[BoardPublication] = field(default_factory=list)


def tally_overview(*, viewer: User, unit_pk: int, year: int, quarter: int) -> TallyOverview:
    """A unit's tally for a quarter and its children's (child units, or contracts under a community).

    Four queries whatever the number of children or contracts.
    """
    unit = get_scoped_or_404(GridUnit.objects.all(), viewer, unit_field=None, pk=unit_pk)
    if unit.level > GridUnit.Level.COMMUNITY:
        raise Http404
    rows = {
        row.unit_id: row
        for row in QuarterlyTally.objects.filter(
            year=year,
            quarter=quarter,
            contract__isnull=True,
            unit__path__startswith=unit.path,
            unit__level__lte=unit.level + 1,
        )
    }
    overview = TallyOverview(unit=unit, year=year, quarter=quarter, own=rows.get(unit.pk))
    overview.breadcrumbs = list(GridUnit.objects.filter(path__in=ancestor_paths(unit.path)).order_by("path"))
    if unit.level < GridUnit.Level.COMMUNITY:
        overview.children = [
            (child, rows.get(child.pk)) for child in GridUnit.objects.filter(parent=unit).order_by("path")
        ]
    else:
        overview.contracts = list(
            QuarterlyTally.objects.filter(year=year, quarter=quarter, unit=unit, scope=QuarterlyTally.Scope.CONTRACT)
            .select_related("contract__unit")
            .order_by("contract__number")
        )
        overview.publications = list(
            BoardPublication.objects.filter(community=unit, year=year, quarter=quarter).order_by("-version")
        )
    return overview


def tally_list(*, viewer: User) -> QuerySet[QuarterlyTally]:
    """Tally rows of units and contracts in the viewer's jurisdiction (contacts: their contracts' rows)."""
    q = jurisdiction_q(viewer, unit_field="unit")
    own = contact_unit_ids(viewer)
    if own:
        q |= Q(contract__unit_id__in=own)
    return (
        QuarterlyTally.objects.filter(q)
        .select_related("unit", "contract")
        .order_by("-year", "-quarter", "unit__path", "contract_id")
    )


# ---------------------------------------------------------------------------
# Public disclosure board (no log-in; organisations and figures only)
# ---------------------------------------------------------------------------
@dataclass
class BoardCommunity:
    community: GridUnit
    street: str
    district: str
    latest: tuple[int, int]


def board_index(*, district: int | None = None) -> list[BoardCommunity]:
    """Communities that have published, with their street and district names: three queries."""
    periods: dict[int, tuple[int, int]] = {}
    for community_id, year, quarter in BoardPublication.objects.values_list(
        "community_id", "year", "quarter"
    ).distinct():
        if (year, quarter) > periods.get(community_id, (0, 0)):
            periods[community_id] = (year, quarter)
    communities = GridUnit.objects.filter(pk__in=list(periods)).order_by("path")
    if district:
        root = GridUnit.objects.filter(pk=district).values_list("path", flat=True).first() or "-"
        communities = communities.filter(path__startswith=root)
    communities = list(communities)
    names = dict(
        GridUnit.objects.filter(path__in={p for c in communities for p in ancestor_paths(c.path)}).values_list(
            "path", "name"
        )
    )
    return [
        BoardCommunity(
            community=c,
            street=names.get(c.path[:12], ""),
            district=names.get(c.path[:8], ""),
            latest=periods[c.pk],
        )
        for c in communities
    ]


def board_community(*, community_pk: int) -> tuple[GridUnit, list[BoardPublication]]:
    """A community's board: the latest version of each published quarter, newest first."""
    community = GridUnit.objects.filter(pk=community_pk, level=GridUnit.Level.COMMUNITY).first()
    if community is None:
        raise Http404
    publications = list(BoardPublication.objects.filter(community=community).order_by("-year", "-quarter", "-version"))
    if not publications:
        raise Http404
    latest: OrderedDict[tuple[int, int], BoardPublication] = OrderedDict()
    for publication in publications:
        key = (publication.year, publication.quarter)
        if key not in latest:
            publication.versions = 1
            latest[key] = publication
        else:
            latest[key].versions += 1
    return community, list(latest.values())


def board_quarter(*, community_pk: int, year: int, quarter: int) -> tuple[GridUnit, list[BoardPublication]]:
    """Every version of a community's quarter, the current one first, each with its frozen lines."""
    community = GridUnit.objects.filter(pk=community_pk, level=GridUnit.Level.COMMUNITY).first()
    if community is None:
        raise Http404
    versions = list(
        BoardPublication.objects.filter(community=community, year=year, quarter=quarter)
        .prefetch_related("lines")
        .order_by("-version")
    )
    if not versions:
        raise Http404
    return community, versions


def board_publications(*, community: int | None = None, year: int | None = None, quarter: int | None = None):
    queryset = BoardPublication.objects.select_related("community").order_by(
        "community__path", "-year", "-quarter", "-version"
    )
    if community:
        queryset = queryset.filter(community_id=community)
    if year:
        queryset = queryset.filter(year=year)
    if quarter:
        queryset = queryset.filter(quarter=quarter)
    return queryset


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


def award_ranking(*, viewer: User, district: GridUnit, year: int) -> tuple[list[RankedContract], list[RankedUnit]]:
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


def award_lists_for(*, viewer: User) -> QuerySet[AwardList]:
    return (
        AwardList.objects.filter(jurisdiction_q(viewer, unit_field="district"))
        .select_related("district")
        .annotate(entry_count=Count("entries"))
        .order_by("-year", "district__path")
    )


def award_list_get(*, viewer: User, pk: int) -> AwardList:
    return get_scoped_or_404(
        AwardList.objects.select_related("district").prefetch_related(
            Prefetch("entries", queryset=AwardEntry.objects.select_related("unit", "contract__community"))
        ),
        viewer,
        unit_field="district",
        pk=pk,
    )


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
