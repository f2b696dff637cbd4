"""Reads of contracts, their commitments and progress, co-building units and evaluations."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from grids.jurisdiction import jurisdiction_q
from grids.models import GridUnit, ancestor_paths
from grids.viewer import Viewer, viewer_of

from ..access import contract_visible_q, inbox_q
from ..models import (
    CoBuildingUnit,
    Commitment,
    CommitmentTarget,
    Contract,
    ContractEvent,
    Evaluation,
    EvaluationStep,
    Progress,
    QuarterlyTally,
)


# ---------------------------------------------------------------------------
# Contracts
# ---------------------------------------------------------------------------
def contract_list(
    *,
    viewer: Viewer,
    year: int | None = None,
    status: str | None = None,
    community: int | None = None,
    unit: int | None = None,
    within: int | None = None,
    search: str = "",
    due: bool = False,
) -> QuerySet[Contract]:
    """Contracts the viewer may read, newest year first, with their community, unit and evaluation stage;
    `due`: this year's with a commitment targeted this quarter and no progress reported for it yet."""
    commitments = (
        Commitment.objects.filter(contract=OuterRef("pk")).values("contract").annotate(n=Count("pk")).values("n")
    )
    queryset = (
        Contract.objects.filter(contract_visible_q(viewer_of(viewer)))
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
    if due:
        today = timezone.localdate()
        quarter = (today.month - 1) // 3 + 1
        waiting = Commitment.objects.filter(contract=OuterRef("pk"), targets__quarter=quarter).exclude(
            pk__in=Progress.objects.filter(year=today.year, quarter=quarter).values("commitment_id")
        )
        queryset = queryset.filter(year=today.year).filter(Exists(waiting))
    return queryset


def contract_get(*, viewer: Viewer, pk: int | None) -> Contract:
    """A contract the viewer may read, or 404 (never a hint that it exists elsewhere)."""
    if pk is None:
        raise Http404
    try:
        return (
            Contract.objects.filter(contract_visible_q(viewer_of(viewer)))
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


def progress_get(*, viewer: Viewer, pk: int | None) -> Progress:
    """A progress report whose contract the viewer may read, or 404."""
    if pk is None:
        raise Http404
    try:
        return (
            Progress.objects.filter(contract_visible_q(viewer_of(viewer), prefix="commitment__contract__"))
            .select_related("commitment__contract")
            .get(pk=pk)
        )
    except Progress.DoesNotExist as error:
        raise Http404 from error


def commitment_get(*, viewer: Viewer, contract: Contract, pk: int) -> Commitment:
    """A commitment of a contract the caller has already read (`contract_get`), or 404."""
    try:
        return contract.commitments.get(pk=pk)
    except Commitment.DoesNotExist as error:
        raise Http404 from error


def commitment_list(*, viewer: Viewer) -> QuerySet[Commitment]:
    """Commitments of the contracts the viewer may read, with their targets."""
    return (
        Commitment.objects.filter(contract_visible_q(viewer_of(viewer), prefix="contract__"))
        .select_related("contract", "demand", "resource")
        .prefetch_related(Prefetch("targets", queryset=CommitmentTarget.objects.order_by("quarter")))
        .order_by("contract_id", "pk")
    )


def progress_list(*, viewer: Viewer) -> QuerySet[Progress]:
    """Progress reports of the contracts the viewer may read."""
    return (
        Progress.objects.filter(contract_visible_q(viewer_of(viewer), prefix="commitment__contract__"))
        .select_related("commitment", "reported_by")
        .order_by("-year", "-quarter", "commitment_id")
    )


# ---------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------
def unit_list(*, viewer: Viewer) -> QuerySet[CoBuildingUnit]:
    """Units with a contract the viewer may read, units based in their jurisdiction, and their own unit."""
    viewer = viewer_of(viewer)
    if viewer.jurisdiction is None:
        q = Q()  # every unit
    else:
        visible_contracts = Contract.objects.filter(contract_visible_q(viewer), unit=OuterRef("pk"))
        q = Exists(visible_contracts) | jurisdiction_q(viewer, unit_field="district")
        if viewer.cobuilding_units:
            q |= Q(pk__in=sorted(viewer.cobuilding_units))
    contracts = Contract.objects.filter(unit=OuterRef("pk")).values("unit").annotate(n=Count("pk")).values("n")
    return (
        CoBuildingUnit.objects.filter(q)
        .select_related("district")
        .annotate(contract_count=Coalesce(Subquery(contracts), 0))
        .order_by("name")
    )


def unit_get(*, viewer: Viewer, pk: int) -> CoBuildingUnit:
    try:
        return unit_list(viewer=viewer).get(pk=pk)
    except CoBuildingUnit.DoesNotExist as error:
        raise Http404 from error


# ---------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------
def evaluation_inbox(*, viewer: Viewer) -> QuerySet[Evaluation]:
    """Evaluations waiting for a stage the viewer holds the role of."""
    return (
        Evaluation.objects.filter(inbox_q(viewer_of(viewer)))
        .select_related("contract__community", "contract__unit")
        .order_by("contract__year", "contract__number")
    )


def evaluation_list(*, viewer: Viewer) -> QuerySet[Evaluation]:
    """Evaluations of the contracts the viewer may read, with their history."""
    return (
        Evaluation.objects.filter(contract_visible_q(viewer_of(viewer), prefix="contract__"))
        .select_related("contract__community", "contract__unit")
        .prefetch_related(
            Prefetch("steps", queryset=EvaluationStep.objects.select_related("actor").order_by("at", "pk"))
        )
        .order_by("-contract__year", "contract__number")
    )


def evaluation_get(*, viewer: Viewer, pk: int | None) -> Evaluation:
    """An evaluation of a contract the viewer may read, or 404."""
    if pk is None:
        raise Http404
    try:
        return evaluation_list(viewer=viewer).get(pk=pk)
    except Evaluation.DoesNotExist as error:
        raise Http404 from error
