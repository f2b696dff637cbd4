"""The demo's history: evaluation steps, board publications and the correction, award lists."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from grids.models import PATH_STEP, GridUnit, Post, User
from guilin_portal.demo import DemoContext

from ..models import (
    AwardEntry,
    AwardList,
    BoardLine,
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
    TallyFigures,
)
from ..periods import quarter_end
from ..services import board_correct
from .layout import STAGES, ContractSpec, Shape
from .names import _at, _person


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
