"""Writing the demo: bulk inserts in tree order, the tally and board in SQL, named accounts."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from grids.demo_data import MOBILE_CONTACTS_FROM, demo_mobile
from grids.models import GridUnit, Post, User
from guilin_portal.demo import DemoContext

from ..models import (
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
    ResourceItem,
    TallyRun,
)
from ..periods import quarter_end
from ..services import tally_quarter
from .history import _awards, _evaluation_history, _late_report_and_correction, _publish_quarter, _staff_by_path
from .layout import _walk_commitments, is_reported, layout, target_quarters
from .names import DEMANDS, RESOURCES, _at, _person, _unit_name


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
    unusable, demo_hash = make_password(None), ctx.demo_password_hash
    people = [
        User(
            username="unit_contact" if i == 0 else f"unitcontact{i:04d}",
            full_name=_person(ctx),
            password=demo_hash if i == 0 else unusable,
            phone=demo_mobile(MOBILE_CONTACTS_FROM + i),
        )
        for i in range(shape.units)
    ]
    people.append(
        User(
            username="xiufeng_orgdept",
            full_name=_person(ctx),
            password=demo_hash,
            phone=demo_mobile(MOBILE_CONTACTS_FROM + len(people)),
        )
    )
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
