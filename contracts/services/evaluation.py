"""The year-end four-stage evaluation 四级考评, strictly in order, each stage by its own role.

unit self-evaluation (unit contact) → community review (community_staff at the
contract's community) → street overall evaluation (street_staff at its street)
→ district re-check (org_department at its district). Each stage scores 0–100
with comments, or sends the evaluation back one step with a reason. The final
score is the re-check's. Every act is an EvaluationStep row: the history is
never rewritten. Each hand-off notifies the people of the stage now waiting
(`handoffs.py`). A wrong role or a stage out of turn raises PermissionDenied
(403) before anything is written.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import User
from grids.viewer import viewer_of

from ..access import EVALUATED, require_stage_role
from ..models import SCORE_MAX, ContractEvent, Evaluation, EvaluationStep
from .events import contract_event
from .handoffs import evaluation_handed_on, evaluation_returned


def _lock(evaluation: Evaluation) -> Evaluation:
    return Evaluation.objects.select_for_update().select_related("contract__community").get(pk=evaluation.pk)


def _require_turn(evaluation: Evaluation, stage: str) -> None:
    if evaluation.stage != stage:
        raise PermissionDenied(
            _("考评当前在“%(current)s”环节，不能办理“%(stage)s”。")
            % {"current": evaluation.get_stage_display(), "stage": Evaluation.Stage(stage).label}
        )
    if evaluation.contract.status not in EVALUATED:
        raise PermissionDenied(_("契约尚未开始履约，不能考评。"))


def _clean_score(score) -> int:
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= SCORE_MAX:
        raise ValidationError({"score": _("得分必须是 0 到 %(max)s 之间的整数。") % {"max": SCORE_MAX}})
    return score


@transaction.atomic
def evaluation_submit(*, actor: User, evaluation: Evaluation, stage: str, score: int, comments: str = "") -> Evaluation:
    """Score the stage that is waiting; the evaluation moves on to the next stage (or is done)."""
    evaluation = _lock(evaluation)
    contract = evaluation.contract
    require_stage_role(viewer_of(actor), contract, stage)
    _require_turn(evaluation, stage)
    score = _clean_score(score)
    now = timezone.now()
    setattr(evaluation, Evaluation.SCORE_FIELDS[Evaluation.Stage(stage)], score)
    evaluation.stage = Evaluation.next_stage(stage)
    evaluation.updated_at = now
    if evaluation.stage == Evaluation.Stage.DONE:
        evaluation.final_score = score
        evaluation.completed_at = now
    evaluation.full_clean(exclude=["contract"])
    evaluation.save()
    EvaluationStep.objects.create(
        evaluation=evaluation,
        stage=stage,
        action=EvaluationStep.Action.SUBMITTED,
        score=score,
        comments=(comments or "").strip(),
        actor=actor,
        at=now,
    )
    contract_event(
        contract=contract,
        kind=ContractEvent.Kind.EVALUATION_SUBMITTED,
        actor=actor,
        at=now,
        note=Evaluation.Stage(stage).label,
        data={"stage": stage, "score": score},
    )
    evaluation_handed_on(contract=contract, evaluation=evaluation, actor=actor, now=now)
    return evaluation


@transaction.atomic
def evaluation_send_back(*, actor: User, evaluation: Evaluation, stage: str, reason: str) -> Evaluation:
    """The waiting stage returns the evaluation one step, with its reason; that step scores again."""
    evaluation = _lock(evaluation)
    contract = evaluation.contract
    require_stage_role(viewer_of(actor), contract, stage)
    _require_turn(evaluation, stage)
    previous = Evaluation.previous_stage(stage)
    if previous is None:
        raise PermissionDenied(_("单位自评是第一个环节，无处可退。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("退回时请写明原因。")})
    now = timezone.now()
    # The returned stage's score no longer stands; its history row stays.
    setattr(evaluation, Evaluation.SCORE_FIELDS[Evaluation.Stage(previous)], None)
    evaluation.stage = previous
    evaluation.updated_at = now
    evaluation.full_clean(exclude=["contract"])
    evaluation.save()
    EvaluationStep.objects.create(
        evaluation=evaluation,
        stage=stage,
        action=EvaluationStep.Action.SENT_BACK,
        comments=reason,
        actor=actor,
        at=now,
    )
    contract_event(
        contract=contract,
        kind=ContractEvent.Kind.EVALUATION_SENT_BACK,
        actor=actor,
        at=now,
        note=reason,
        data={"stage": stage, "to": previous},
    )
    evaluation_returned(contract=contract, evaluation=evaluation, actor=actor, reason=reason, now=now)
    return evaluation
