"""Demo data for contract-based co-building, at the report's scale.

At scale 1: 452 co-building units (one in three each a resident unit, a sector
body, a new-economy organisation), each with one contact person; 2,238
contracts signed by the 115 urban communities' party organisations over three
years (25 % two years ago, 30 % last year, 45 % this year: the practice grew);
1,909 committed service items.

How the 1,909 commitments spread over the 2,238 contracts (the report has
fewer items than contracts): every contract of the two earlier years, now
closed, carries one commitment, and so does every active contract of this
year (55 % of this year's); the 124 items left over are second commitments,
spread evenly over those contracts. This year's other contracts carry none
yet: half are still drafts, half are signed and waiting for their commitment
list. Every contract has two demand-list and two resource-list items.

A commitment is a count target in each quarter (two in three) or a milestone
in the second and fourth quarters. Progress exists for every target of every
ended quarter except about one in seventeen left unreported (they count as
pending), plus early reports for a quarter of this quarter's targets. Every
active or closed contract has an evaluation: the earlier years' are done
(some with a send-back in their history), this year's are spread over all
five stages within each community. Tallies are computed for every ended
quarter, every community published each ended quarter on the board, and
解东社区 published one correction (a late report for last year's fourth
quarter). The earlier years have published award lists per district.

Accounts: `unit_contact` (contact of a unit whose contracts are in 秀峰区,
解东社区) and `xiufeng_orgdept` (秀峰区 organisation department, a second
org_department post beside the grid demo's `orgdept00`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from grids import demo as grids_demo
from grids import demo_data
from grids.models import PATH_STEP, GridUnit, Post, User
from guilin_portal.demo import DEMO_PASSWORD, DemoContext, distribute

from .models import (
    AwardEntry,
    AwardList,
    BoardLine,
    BoardPublication,
    CoBuildingUnit,
    CoBuildingUnitContact,
    Commitment,
    CommitmentTarget,
    Contract,
    ContractEvent,
    DemandItem,
    Evaluation,
    EvaluationStep,
    Progress,
    QuarterlyTally,
    ResourceItem,
    TallyFigures,
    TallyRun,
)
from .periods import quarter_end, quarter_of
from .services import board_correct, tally_quarter

DEMO_ORDER = 40

FULL_SCALE = {"units": 452, "contracts": 2238, "commitments": 1909}
YEAR_WEIGHTS = {2: 25, 1: 30, 0: 45}  # years ago -> share of the contracts
ACTIVE_SHARE = 0.55  # of this year's contracts
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
        for j in range(count):
            community = j % n
            unit = (j + 7 * years_ago) % units
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
                status = Contract.Status.SIGNED if j - active_now < (not_active + 1) // 2 else Contract.Status.DRAFT
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


# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------
RESIDENT_UNITS = ["人民医院", "中心小学", "实验中学", "供电局", "自来水公司", "邮政分公司", "税务分局", "中医医院"]
SECTOR_BODIES = ["市场监督管理局", "住房和城乡建设局", "司法局", "卫生健康局", "文化广电和旅游局", "消防救援大队"]
NEW_ECONOMY = ["网络科技有限公司", "快递服务站", "律师事务所", "物业服务有限公司", "电子商务协会", "商务楼宇联合党委"]
DEMANDS = [
    "老旧小区环境整治",
    "困难群众帮扶",
    "青少年课后托管",
    "老年人健康义诊",
    "法律咨询进社区",
    "文明创建志愿服务",
    "消防安全宣传",
    "就业技能培训",
]
RESOURCES = [
    "志愿服务队伍",
    "活动场地开放",
    "专业技术人员",
    "资金物资支持",
    "医疗服务资源",
    "法律服务资源",
    "培训课程",
    "党员先锋岗",
]


def _person(ctx: DemoContext) -> str:
    given = ctx.rng.choice(demo_data.GIVEN) + (ctx.rng.choice(demo_data.GIVEN) if ctx.rng.random() < 0.7 else "")
    return ctx.rng.choice(demo_data.SURNAMES) + given


def _unit_name(i: int, district_name: str) -> tuple[str, str]:
    kind = [CoBuildingUnit.Kind.RESIDENT_UNIT, CoBuildingUnit.Kind.SECTOR, CoBuildingUnit.Kind.NEW_ECONOMY][i % 3]
    stems = {
        CoBuildingUnit.Kind.RESIDENT_UNIT: RESIDENT_UNITS,
        CoBuildingUnit.Kind.SECTOR: SECTOR_BODIES,
        CoBuildingUnit.Kind.NEW_ECONOMY: NEW_ECONOMY,
    }[kind]
    round_ = i // 3
    stem = stems[round_ % len(stems)]
    serial = round_ // len(stems)
    prefix = district_name if kind != CoBuildingUnit.Kind.NEW_ECONOMY else f"桂林{district_name[:2]}"
    name = f"{prefix}{stem}" if serial == 0 else f"{prefix}{stem}（第{serial + 1}分部）"
    return kind, name


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


# ---------------------------------------------------------------------------
# Seed
# ---------------------------------------------------------------------------
def seed(ctx: DemoContext) -> None:
    rng = ctx.rng
    today = timezone.localdate(ctx.now)
    shape = layout(ctx.scale, today)
    this_year = shape.this_year

    all_communities = list(GridUnit.objects.filter(level=GridUnit.Level.COMMUNITY).order_by("path"))
    streets = list(GridUnit.objects.filter(level=GridUnit.Level.STREET).order_by("path"))
    urban_units = [c for c in all_communities if c.path[:12] in {s.path for s in streets if s.name.endswith("街道")}]
    assert len(urban_units) == len(shape.urban), "the grid demo's urban communities differ from the layout"
    districts = {d.path: d for d in GridUnit.objects.filter(level=GridUnit.Level.DISTRICT)}
    xiufeng = next(d for d in districts.values() if d.name == "秀峰区")

    # Units, their contacts and the two named accounts.
    unit_rows = []
    for i in range(shape.units):
        district = districts[urban_units[i % len(urban_units)].path[:8]]
        kind, name = _unit_name(i, district.name)
        unit_rows.append(
            CoBuildingUnit(
                name=name,
                kind=kind,
                party_organisation=f"中共{name}支部委员会",
                district_id=district.pk,
                address=f"{district.name}{rng.randint(1, 300)}号",
            )
        )
    units = ctx.bulk_create(CoBuildingUnit, unit_rows, total=len(unit_rows), label="共建单位")
    unusable, demo_hash = make_password(None), make_password(DEMO_PASSWORD)
    people = [
        User(
            username="unit_contact" if i == 0 else f"unitcontact{i:04d}",
            full_name=_person(ctx),
            password=demo_hash if i == 0 else unusable,
        )
        for i in range(shape.units)
    ]
    people.append(User(username="xiufeng_orgdept", full_name=_person(ctx), password=demo_hash))
    people = ctx.bulk_create(User, people, total=len(people), label="共建单位联系人")
    ctx.bulk_create(
        CoBuildingUnitContact,
        (
            CoBuildingUnitContact(unit_id=unit.pk, user_id=person.pk, title="党建联络员")
            for unit, person in zip(units, people, strict=False)
        ),
        total=shape.units,
        label="联系人",
    )
    Post.objects.create(
        user=people[-1],
        unit=xiufeng,
        role=Post.Role.ORG_DEPARTMENT,
        is_full_time=True,
        started_on=today.replace(month=1, day=1),
    )

    # Contracts with their lists.
    sequence: dict[tuple[int, int], int] = {}
    contract_rows = []
    for spec in shape.contracts:
        year = this_year - spec.years_ago
        community = urban_units[spec.community]
        unit = units[spec.unit]
        sequence[(community.pk, year)] = sequence.get((community.pk, year), 0) + 1
        signed_on = None
        if spec.status != Contract.Status.DRAFT:
            signed_on = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(5, 80))
            signed_on = min(signed_on, today)
        contract_rows.append(
            Contract(
                number=f"{year}-{community.code}-{sequence[(community.pk, year)]:03d}",
                title=f"{community.name}与{unit.name}{year}年度共建契约",
                community_id=community.pk,
                unit_id=unit.pk,
                year=year,
                signed_on=signed_on,
                status=spec.status,
            )
        )
    contracts = ctx.bulk_create(Contract, contract_rows, total=len(contract_rows), label="共建契约")
    demands = ctx.bulk_create(
        DemandItem,
        (
            DemandItem(contract_id=c.pk, title=DEMANDS[(i * 2 + k) % len(DEMANDS)], detail="社区党组织征集的居民需求")
            for i, c in enumerate(contracts)
            for k in range(2)
        ),
        total=2 * len(contracts),
        label="需求清单",
    )
    resources = ctx.bulk_create(
        ResourceItem,
        (
            ResourceItem(contract_id=c.pk, title=RESOURCES[(i * 3 + k) % len(RESOURCES)], detail="共建单位可提供的资源")
            for i, c in enumerate(contracts)
            for k in range(2)
        ),
        total=2 * len(contracts),
        label="资源清单",
    )

    # Commitments, their targets, and progress.
    commitment_rows = []
    walk = list(_walk_commitments(shape))
    for position, _spec, g, offset, kind in walk:
        demand, resource = demands[2 * position + offset % 2], resources[2 * position + offset % 2]
        verb = "每季度开展" if kind == Commitment.TargetKind.COUNT else "完成"
        commitment_rows.append(
            Commitment(
                contract_id=contracts[position].pk,
                demand_id=demand.pk,
                resource_id=resource.pk,
                title=f"{verb}{demand.title}（{resource.title}）",
                target_kind=kind,
                weight=1 + (g * 7) % 5,
            )
        )
    commitments = ctx.bulk_create(Commitment, commitment_rows, total=len(commitment_rows), label="承诺服务事项")
    target_rows, progress_rows, events = [], [], []
    correction_progress_index = None
    for (position, spec, g, offset, kind), commitment in zip(walk, commitments, strict=True):
        year = this_year - spec.years_ago
        contract = contracts[position]
        for quarter in target_quarters(kind):
            goal = rng.randint(1, 4) if kind == Commitment.TargetKind.COUNT else 1
            target_rows.append(
                CommitmentTarget(
                    commitment_id=commitment.pk,
                    quarter=quarter,
                    target_count=goal,
                    milestone=""
                    if kind == Commitment.TargetKind.COUNT
                    else ("完成方案制定" if quarter == 2 else "完成验收总结"),
                )
            )
            if not is_reported(shape, spec, g, quarter):
                continue
            in_progress = spec.years_ago == 0 and quarter == shape.current_quarter
            roll = rng.random()
            if in_progress:
                status = Progress.Status.MET if roll < 0.5 else Progress.Status.SCHEDULED
            else:
                status = (
                    Progress.Status.MET
                    if roll < 0.68
                    else Progress.Status.PARTIALLY_MET
                    if roll < 0.88
                    else Progress.Status.NOT_MET
                )
            if status == Progress.Status.PARTIALLY_MET and kind == Commitment.TargetKind.COUNT and goal == 1:
                status = Progress.Status.MET
            achieved = None
            if kind == Commitment.TargetKind.COUNT and status != Progress.Status.SCHEDULED:
                achieved = {
                    Progress.Status.MET: goal + rng.randint(0, 1),
                    Progress.Status.PARTIALLY_MET: rng.randint(1, max(1, goal - 1)),
                    Progress.Status.NOT_MET: 0,
                }[status]
            reported = min(quarter_end(year, quarter) + dt.timedelta(days=rng.randint(1, 12)), today)
            if (position, offset) == shape.correction and quarter == 4:
                correction_progress_index = len(progress_rows)
            progress_rows.append(
                Progress(
                    commitment_id=commitment.pk,
                    year=year,
                    quarter=quarter,
                    status=status,
                    achieved_count=achieved,
                    evidence_text=f"{commitment.title}：服务群众{rng.randint(20, 300)}人次。",
                    reported_by_id=people[spec.unit].pk,
                    reported_at=_at(reported),
                )
            )
            events.append(
                ContractEvent(
                    contract_id=contract.pk,
                    kind=ContractEvent.Kind.PROGRESS_REPORTED,
                    actor_id=people[spec.unit].pk,
                    at=_at(reported),
                    note=commitment.title,
                    data={"commitment": commitment.pk, "year": year, "quarter": quarter, "status": status},
                )
            )
    ctx.bulk_create(CommitmentTarget, target_rows, total=len(target_rows), label="季度目标")
    progress = ctx.bulk_create(Progress, progress_rows, total=len(progress_rows), label="季度进度")

    # Life-cycle events and evaluations.
    staff = _staff_by_path()
    evaluation_rows, step_plans = [], []
    for spec, contract in zip(shape.contracts, contracts, strict=True):
        year = contract.year
        created = _at(
            dt.date(year, 1, 1) - dt.timedelta(days=20)
            if spec.status != Contract.Status.DRAFT
            else min(today, dt.date(year, 1, 1)),
            9,
        )
        events.append(
            ContractEvent(
                contract_id=contract.pk,
                kind=ContractEvent.Kind.CREATED,
                actor_id=staff.get(contract.community_id),
                at=created,
                data={"number": contract.number},
            )
        )
        if spec.status == Contract.Status.DRAFT:
            continue
        events.append(
            ContractEvent(
                contract_id=contract.pk,
                kind=ContractEvent.Kind.SIGNED,
                actor_id=staff.get(contract.community_id),
                at=_at(contract.signed_on, 11),
                data={"signed_on": str(contract.signed_on)},
            )
        )
        if spec.status == Contract.Status.SIGNED:
            continue
        events.append(
            ContractEvent(
                contract_id=contract.pk,
                kind=ContractEvent.Kind.ACTIVATED,
                actor_id=staff.get(contract.community_id),
                at=_at(contract.signed_on, 15),
            )
        )
        if spec.status == Contract.Status.CLOSED:
            events.append(
                ContractEvent(
                    contract_id=contract.pk,
                    kind=ContractEvent.Kind.CLOSED,
                    actor_id=staff.get(contract.community_id),
                    at=_at(dt.date(year + 1, 3, 1), 10),
                )
            )
        plan_steps, scores = _evaluation_history(ctx, spec, contract, people[spec.unit].pk, staff, today)
        final = scores.get(Evaluation.Stage.DISTRICT) if spec.stage == Evaluation.Stage.DONE else None
        last = plan_steps[-1][5] if plan_steps else _at(min(today, dt.date(year, 12, 1)))
        evaluation_rows.append(
            Evaluation(
                contract_id=contract.pk,
                stage=spec.stage,
                self_score=scores.get(Evaluation.Stage.SELF),
                community_score=scores.get(Evaluation.Stage.COMMUNITY),
                street_score=scores.get(Evaluation.Stage.STREET),
                district_score=scores.get(Evaluation.Stage.DISTRICT),
                final_score=final,
                updated_at=last,
                completed_at=last if final is not None else None,
            )
        )
        step_plans.append(plan_steps)
    evaluations = ctx.bulk_create(Evaluation, evaluation_rows, total=len(evaluation_rows), label="契约考评")
    step_rows = []
    for evaluation, plan_steps in zip(evaluations, step_plans, strict=True):
        for stage, action, score, comments, actor_id, at in plan_steps:
            step_rows.append(
                EvaluationStep(
                    evaluation_id=evaluation.pk,
                    stage=stage,
                    action=action,
                    score=score,
                    comments=comments,
                    actor_id=actor_id,
                    at=at,
                )
            )
            events.append(
                ContractEvent(
                    contract_id=evaluation.contract_id,
                    kind=ContractEvent.Kind.EVALUATION_SUBMITTED
                    if action == EvaluationStep.Action.SUBMITTED
                    else ContractEvent.Kind.EVALUATION_SENT_BACK,
                    actor_id=actor_id,
                    at=at,
                    note=comments if action == EvaluationStep.Action.SENT_BACK else Evaluation.Stage(stage).label,
                    data={"stage": stage, "score": score},
                )
            )
    ctx.bulk_create(EvaluationStep, step_rows, total=len(step_rows), label="考评记录")
    ctx.bulk_create(ContractEvent, events, total=len(events), label="契约事件")

    # Tallies for every ended quarter, and the board publications that froze them.
    for years_ago, quarters in shape.ended.items():
        for quarter in range(1, quarters + 1):
            year = this_year - years_ago
            tally_quarter(year=year, quarter=quarter, trigger=TallyRun.Trigger.DEMO)
            _publish_quarter(year, quarter)

    if shape.correction is not None and correction_progress_index is not None:
        _late_report_and_correction(ctx, progress[correction_progress_index], shape, urban_units[0], staff)
    _awards(ctx, shape, contracts, evaluation_rows, staff["_community_paths"], districts, people[-1], xiufeng)

    ctx.add_account("unit_contact", f"共建单位联系人（{units[0].name}，契约在秀峰区）")
    ctx.add_account("xiufeng_orgdept", "秀峰区党委组织部（考评复核、评选先进）")


def _staff_by_path() -> dict:
    """The first staff user per unit id, for community, street and org-department posts."""
    staff: dict = {}
    for role, unit_id, user_id in (
        Post.objects.filter(role__in=[Post.Role.COMMUNITY_STAFF, Post.Role.STREET_STAFF, Post.Role.ORG_DEPARTMENT])
        .order_by("unit_id", "user__username")
        .values_list("role", "unit_id", "user_id")
    ):
        staff.setdefault(unit_id, user_id)
        staff.setdefault((role, unit_id), user_id)
    staff["_paths"] = dict(GridUnit.objects.filter(level__lte=GridUnit.Level.STREET).values_list("path", "pk"))
    staff["_community_paths"] = dict(GridUnit.objects.filter(level=GridUnit.Level.COMMUNITY).values_list("pk", "path"))
    return staff


def _evaluation_history(ctx, spec: ContractSpec, contract: Contract, contact_id: int, staff: dict, today: dt.date):
    """The steps an evaluation at spec.stage has gone through, with plausible scores and dates."""
    rng = ctx.rng
    paths = staff["_paths"]
    community_path = staff["_community_paths"][contract.community_id]
    street_id = paths.get(community_path[: PATH_STEP * GridUnit.Level.STREET])
    district_id = paths.get(community_path[: PATH_STEP * GridUnit.Level.DISTRICT])
    actors = {
        Evaluation.Stage.SELF: contact_id,
        Evaluation.Stage.COMMUNITY: staff.get((Post.Role.COMMUNITY_STAFF, contract.community_id)),
        Evaluation.Stage.STREET: staff.get((Post.Role.STREET_STAFF, street_id)),
        Evaluation.Stage.DISTRICT: staff.get((Post.Role.ORG_DEPARTMENT, district_id)),
    }
    if spec.years_ago:
        moment = _at(dt.date(contract.year + 1, 1, 5))
        gap = dt.timedelta(days=4)
    else:
        moment = _at(today - dt.timedelta(days=20))
        gap = dt.timedelta(days=3)
    steps, scores = [], {}
    base = rng.randint(78, 96)

    def submit(stage: str) -> None:
        nonlocal moment
        score = max(60, min(100, base + rng.randint(-4, 4)))
        scores[stage] = score
        comments = {
            Evaluation.Stage.SELF: "全年承诺事项按计划推进，群众反映良好。",
            Evaluation.Stage.COMMUNITY: "经核实，佐证材料齐全。",
            Evaluation.Stage.STREET: "综合评价：履约情况较好。",
            Evaluation.Stage.DISTRICT: "复核通过。",
        }[stage]
        steps.append((stage, EvaluationStep.Action.SUBMITTED, score, comments, actors[stage], moment))
        moment += gap

    def send_back(stage: str, reason: str) -> None:
        nonlocal moment
        previous = Evaluation.previous_stage(stage)
        scores.pop(previous, None)
        steps.append((stage, EvaluationStep.Action.SENT_BACK, None, reason, actors[stage], moment))
        moment += gap

    reached = STAGES.index(spec.stage)
    for index, stage in enumerate(STAGES[:reached]):
        submit(stage)
        if spec.history == "street_sent_back" and stage == Evaluation.Stage.COMMUNITY:
            send_back(Evaluation.Stage.STREET, "第三季度佐证材料缺少活动照片，请社区补充核实。")
            submit(Evaluation.Stage.COMMUNITY)
        if spec.history == "community_sent_back" and stage == Evaluation.Stage.SELF and index + 1 < reached:
            send_back(Evaluation.Stage.COMMUNITY, "自评分与季度完成情况不符，请重新自评。")
            submit(Evaluation.Stage.SELF)
    if spec.history == "returned":
        submit(Evaluation.Stage.SELF)
        send_back(Evaluation.Stage.COMMUNITY, "自评分与季度完成情况不符，请重新自评。")
    return steps, scores


def _publish_quarter(year: int, quarter: int) -> None:
    """Every community with counted contracts publishes the quarter (the board's version 1): two INSERT … SELECTs."""
    published = connection.ops.adapt_datetimefield_value(_at(quarter_end(year, quarter) + dt.timedelta(days=10), 16))
    figures = ", ".join(TallyFigures.FIELDS)
    t_figures = ", ".join(f"t.{field}" for field in TallyFigures.FIELDS)
    tally, publication, line = (
        QuarterlyTally._meta.db_table,
        BoardPublication._meta.db_table,
        BoardLine._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {publication} (community_id, year, quarter, version, reason, published_at, published_by_id, {figures})
            SELECT t.unit_id, t.year, t.quarter, 1, '', %(published)s,
                   (SELECT MIN(p.user_id) FROM {Post._meta.db_table} p WHERE p.unit_id = t.unit_id AND p.role = %(role)s),
                   {t_figures}
            FROM {tally} t
            WHERE t.year = %(year)s AND t.quarter = %(quarter)s AND t.scope = 'community'
            """,
            {"published": published, "role": Post.Role.COMMUNITY_STAFF, "year": year, "quarter": quarter},
        )
        cursor.execute(
            f"""
            INSERT INTO {line} (publication_id, contract_id, contract_number, unit_name, {figures})
            SELECT b.id, t.contract_id, c.number, u.name, {t_figures}
            FROM {tally} t
            JOIN {publication} b ON b.community_id = t.unit_id AND b.year = t.year AND b.quarter = t.quarter
                                AND b.version = 1
            JOIN {Contract._meta.db_table} c ON c.id = t.contract_id
            JOIN {CoBuildingUnit._meta.db_table} u ON u.id = c.unit_id
            WHERE t.year = %(year)s AND t.quarter = %(quarter)s AND t.scope = 'contract'
            """,
            {"year": year, "quarter": quarter},
        )


def _late_report_and_correction(
    ctx: DemoContext, progress: Progress, shape: Shape, community: GridUnit, staff: dict
) -> None:
    """A late report changes last year's Q4 after publication; the community publishes a correction."""
    commitment = Commitment.objects.select_related("contract").get(pk=progress.commitment_id)
    target = CommitmentTarget.objects.get(commitment=commitment, quarter=4)
    late = quarter_end(progress.year, 4) + dt.timedelta(days=25)
    old = progress.status
    new = Progress.Status.NOT_MET if old == Progress.Status.MET else Progress.Status.MET
    achieved = None
    if commitment.target_kind == Commitment.TargetKind.COUNT:
        achieved = target.target_count if new == Progress.Status.MET else 0
    Progress.objects.filter(pk=progress.pk).update(
        status=new,
        achieved_count=achieved,
        evidence_text=progress.evidence_text + "（补报核实）",
        reported_at=_at(late),
    )
    ContractEvent.objects.create(
        contract=commitment.contract,
        kind=ContractEvent.Kind.PROGRESS_REPORTED,
        actor_id=progress.reported_by_id,
        at=_at(late),
        note=commitment.title,
        data={"commitment": commitment.pk, "year": progress.year, "quarter": 4, "old_status": old, "status": new},
    )
    actor = User.objects.get(pk=staff[(Post.Role.COMMUNITY_STAFF, community.pk)])
    publication = BoardPublication.objects.get(community=community, year=progress.year, quarter=4, version=1)
    board_correct(actor=actor, publication=publication, reason="共建单位补报第四季度佐证材料，经社区核实后更正。")


def _awards(ctx, shape: Shape, contracts, evaluation_rows, community_paths, districts, orgdept_user, xiufeng) -> None:
    """Earlier years: each district with contracts published its advanced unit and advanced person."""
    scored: dict[tuple[int, str], list[tuple[int, Contract]]] = {}
    by_contract = {e.contract_id: e for e in evaluation_rows}
    for contract in contracts:
        evaluation = by_contract.get(contract.pk)
        if evaluation is None or evaluation.final_score is None or contract.year == shape.this_year:
            continue
        community_path = community_paths[contract.community_id]
        scored.setdefault((contract.year, community_path[:8]), []).append((evaluation.final_score, contract))
    lists, entries = [], []
    for (year, district_path), rows in sorted(scored.items()):
        rows.sort(key=lambda r: (-r[0], r[1].number))
        district = districts[district_path]
        published = _at(dt.date(year + 1, 3, 20), 10)
        lists.append(
            AwardList(
                district_id=district.pk,
                year=year,
                status=AwardList.Status.PUBLISHED,
                created_at=published - dt.timedelta(days=10),
                published_at=published,
                published_by_id=orgdept_user.pk if district.pk == xiufeng.pk else None,
            )
        )
        best, runner_up = rows[0][1], rows[min(1, len(rows) - 1)][1]
        entries.append((best, "unit", ""))
        entries.append((runner_up, "person", _person(ctx)))
    created = ctx.bulk_create(AwardList, lists, total=len(lists), label="评先名单")
    rows = []
    for index, (contract, kind, person) in enumerate(entries):
        award_list = created[index // 2]
        rows.append(
            AwardEntry(
                award_list_id=award_list.pk,
                kind=kind,
                unit_id=contract.unit_id,
                contract_id=contract.pk,
                person_name=person,
                citation="履约成效突出，群众满意度高。" if kind == "unit" else "带头落实承诺事项，服务群众成效显著。",
                selected_by_id=award_list.published_by_id,
                selected_at=award_list.published_at - dt.timedelta(days=5),
            )
        )
    ctx.bulk_create(AwardEntry, rows, total=len(rows), label="评先名单条目")
