"""The demo's shape: a pure function of the scale (and of the date, for the quarters that have ended)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from grids import demo as grids_demo
from guilin_portal.demo import distribute

from ..models import (
    Commitment,
    Contract,
    Evaluation,
)
from ..periods import quarter_of

FULL_SCALE = {"units": 452, "contracts": 2238, "commitments": 1909}
YEAR_WEIGHTS = {2: 25, 1: 30, 0: 45}  # years ago -> share of the contracts
ACTIVE_SHARE = 0.55  # of this year's contracts
# Drafts of this year on top of the signed ones (the report counts 2,238 signed): half as many as this
# year's signed contracts still waiting for their commitment list.
DRAFT_SHARE = 0.5
STAGES = [s.value for s in Evaluation.ORDER]  # self, community, street, district, done


def _scaled(full: int, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(full * scale))


@dataclass(frozen=True)
class ContractSpec:
    years_ago: int
    index: int  # position within its year
    community: int  # index into Shape.urban
    unit: int
    status: str
    commitments: int
    stage: str | None  # evaluation stage, None when there is no evaluation
    history: str  # "" | "street_sent_back" | "community_sent_back" | "returned"


@dataclass
class Shape:
    today: dt.date
    units: int
    urban: list[tuple[int, int]]  # per urban community: (street index, district index)
    contracts: list[ContractSpec]
    ended: dict[int, int]  # years ago -> quarters ended
    correction: tuple[int, int] | None = None  # (contract position, commitment offset) of the late report
    commitment_kinds: list[str] = field(default_factory=list)

    @property
    def this_year(self) -> int:
        return self.today.year

    @property
    def current_quarter(self) -> int:
        return quarter_of(self.today)


def _urban_communities(scale: float) -> list[tuple[int, int]]:
    grid = grids_demo.layout(scale)
    out = []
    position = 0
    for street_index, count in enumerate(grid.communities_per_street):
        for _i in range(count):
            if grid.community_is_urban[position]:
                out.append((street_index, grid.streets[street_index][0]))
            position += 1
    return out


def _steps_of(spec: ContractSpec) -> int:
    if spec.stage is None:
        return 0
    steps = STAGES.index(spec.stage)
    return steps + (2 if spec.history else 0)


def layout(scale: float, today: dt.date | None = None) -> Shape:
    """The whole demo's shape, a pure function of the scale and the date (for the quarters that have ended)."""
    today = today or timezone.localdate()
    urban = _urban_communities(scale)
    n = len(urban)
    units = _scaled(FULL_SCALE["units"], scale)
    total = _scaled(FULL_SCALE["contracts"], scale, 3)
    commitments = _scaled(FULL_SCALE["commitments"], scale)
    per_year = dict(zip(YEAR_WEIGHTS, distribute(total, list(YEAR_WEIGHTS.values())), strict=True))
    earlier = per_year[2] + per_year[1]
    active_now = max(0, min(round(per_year[0] * ACTIVE_SHARE), commitments - earlier))
    committed = earlier + active_now
    extras = max(0, commitments - committed)
    second = {int(k * committed / extras) for k in range(extras)} if extras else set()

    specs: list[ContractSpec] = []
    position = 0
    for years_ago, count in per_year.items():
        used: set[tuple[int, int]] = set()
        not_active = count - active_now if years_ago == 0 else 0
        drafts = round(not_active * DRAFT_SHARE)
        for j in range(count + drafts):
            community = j % n
            unit = (j + 7 * years_ago) % units
            if j >= count:  # the drafts start again at the first community (解东社区 has one at any scale)
                community, unit = (j - count) % n, (j - count + 2) % units
            while (community, unit) in used:  # one contract a year per pair
                unit = (unit + 1) % units
            used.add((community, unit))
            if years_ago:
                status, stage = Contract.Status.CLOSED, Evaluation.Stage.DONE
                history = "street_sent_back" if j % 9 == 4 else ""
            elif j < active_now:
                status = Contract.Status.ACTIVE
                stage = STAGES[(j // n) % len(STAGES)]
                history = ""
                if j % 6 == 1 and stage == Evaluation.Stage.SELF:
                    history = "returned"
                elif j % 6 == 1 and STAGES.index(stage) >= 2:
                    history = "community_sent_back"
            else:
                status = Contract.Status.SIGNED if j < count else Contract.Status.DRAFT
                stage, history = None, ""
            carries = 0
            if status in (Contract.Status.ACTIVE, Contract.Status.CLOSED):
                carries = 1 + (1 if position in second else 0)
                position += 1
            specs.append(
                ContractSpec(
                    years_ago=years_ago,
                    index=j,
                    community=community,
                    unit=unit,
                    status=status,
                    commitments=carries,
                    stage=stage,
                    history=history,
                )
            )
    kinds = []
    for spec in specs:
        for _c in range(spec.commitments):
            kinds.append(Commitment.TargetKind.MILESTONE if len(kinds) % 3 == 2 else Commitment.TargetKind.COUNT)
    cq = quarter_of(today)
    shape = Shape(
        today=today,
        units=units,
        urban=urban,
        contracts=specs,
        ended={2: 4, 1: 4, 0: cq - 1},
        commitment_kinds=kinds,
    )
    shape.correction = _correction_target(shape)
    return shape


def target_quarters(kind: str) -> tuple[int, ...]:
    return (1, 2, 3, 4) if kind == Commitment.TargetKind.COUNT else (2, 4)


def is_reported(shape: Shape, spec: ContractSpec, g: int, quarter: int) -> bool:
    """Whether commitment number g has a progress report for this quarter of its contract's year."""
    if quarter <= shape.ended[spec.years_ago]:
        return (g * 4 + quarter) % 17 != 0
    if spec.years_ago == 0 and quarter == shape.current_quarter:
        return g % 4 == 0
    return False


def _walk_commitments(shape: Shape):
    """(contract position, spec, commitment number g, offset within the contract, kind) in creation order."""
    g = 0
    for position, spec in enumerate(shape.contracts):
        for offset in range(spec.commitments):
            yield position, spec, g, offset, shape.commitment_kinds[g]
            g += 1


def _correction_target(shape: Shape) -> tuple[int, int] | None:
    """Last year's Q4 of the first community: the first reported commitment there gets a late report."""
    for position, spec, g, offset, _kind in _walk_commitments(shape):
        if spec.years_ago == 1 and spec.community == 0 and is_reported(shape, spec, g, 4):
            return position, offset
    return None


def plan(scale: float) -> dict[str, int]:
    shape = layout(scale)
    specs = shape.contracts
    by_status = dict.fromkeys(Contract.Status.values, 0)
    for spec in specs:
        by_status[spec.status] += 1
    targets = progress = 0
    for _position, spec, g, _offset, kind in _walk_commitments(shape):
        quarters = target_quarters(kind)
        targets += len(quarters)
        progress += sum(1 for q in quarters if is_reported(shape, spec, g, q))
    evaluations = sum(1 for spec in specs if spec.stage is not None)
    steps = sum(_steps_of(spec) for spec in specs)
    tallies = publications = lines = 0
    award_districts = 0
    for years_ago, quarters in shape.ended.items():
        counted = [s for s in specs if s.years_ago == years_ago and s.status != Contract.Status.DRAFT]
        communities = {s.community for s in counted}
        streets = {shape.urban[c][0] for c in communities}
        districts = {shape.urban[c][1] for c in communities}
        tallies += quarters * (len(counted) + len(communities) + len(streets) + len(districts) + (1 if counted else 0))
        publications += quarters * len(communities)
        lines += quarters * len(counted)
        if years_ago:
            award_districts += len(districts)
    correction = 0
    if shape.correction is not None:
        correction = 1
        publications += 1
        lines += sum(1 for s in specs if s.years_ago == 1 and s.community == 0 and s.status != Contract.Status.DRAFT)
    events = (
        len(specs)
        + sum(1 for s in specs if s.status != Contract.Status.DRAFT)
        + by_status[Contract.Status.ACTIVE]
        + 2 * by_status[Contract.Status.CLOSED]
        + progress
        + steps
        + correction
    )
    quarters_run = sum(shape.ended.values())
    return {
        "contracts.units": shape.units,
        "contracts.unit_contacts": shape.units,
        "contracts.users": shape.units + 1,
        "contracts.posts.org_department": 1,
        "contracts.contracts": len(specs),
        **{f"contracts.contracts.{status}": count for status, count in by_status.items()},
        "contracts.demand_items": 2 * len(specs),
        "contracts.resource_items": 2 * len(specs),
        "contracts.commitments": len(shape.commitment_kinds),
        "contracts.targets": targets,
        "contracts.progress": progress,
        "contracts.evaluations": evaluations,
        "contracts.evaluation_steps": steps,
        "contracts.events": events,
        "contracts.tallies": tallies,
        "contracts.tally_runs": quarters_run + correction,
        "contracts.board_publications": publications,
        "contracts.board_lines": lines,
        "contracts.award_lists": award_districts,
        "contracts.award_entries": 2 * award_districts,
    }
