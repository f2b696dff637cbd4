"""Who is told when an evaluation changes hands: the people of the stage now waiting.

An evaluation submitted goes to the next stage's role (the community's staff, the street's staff, the
district's organisation department); one sent back goes to the stage it returns to (the unit's
contacts for the self-evaluation). The notification lives in the portal's inbox
(`issues.services.notify_handoff`, the one inbox of every hand-off) and links to the contract's page.
"""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from grids.models import Post, User
from issues.models import Notification
from issues.services import notify_handoff

from ..access import community_path, district_path, street_path
from ..models import CoBuildingUnitContact, Contract, Evaluation

STAGE_ROLES = {
    Evaluation.Stage.COMMUNITY: (Post.Role.COMMUNITY_STAFF, community_path),
    Evaluation.Stage.STREET: (Post.Role.STREET_STAFF, street_path),
    Evaluation.Stage.DISTRICT: (Post.Role.ORG_DEPARTMENT, district_path),
}


def stage_people(contract: Contract, stage: str) -> set[int]:
    """The user ids who act at this stage of this contract's evaluation (exactly the role
    `contracts.access.can_act_at_stage` names). One query; nobody once the evaluation is done."""
    if stage == Evaluation.Stage.SELF:
        return set(CoBuildingUnitContact.objects.filter(unit_id=contract.unit_id).values_list("user_id", flat=True))
    if stage not in STAGE_ROLES:
        return set()
    role, path_of = STAGE_ROLES[stage]
    return set(Post.objects.filter(role=role, unit__path=path_of(contract)).values_list("user_id", flat=True))


def evaluation_handed_on(*, contract: Contract, evaluation: Evaluation, actor: User, now: datetime) -> int:
    """The evaluation was scored and waits for the next stage: tell that stage's people."""
    stage = Evaluation.Stage(evaluation.stage)
    if stage == Evaluation.Stage.DONE:
        return 0
    return notify_handoff(
        recipient_ids=stage_people(contract, stage),
        kind=Notification.Kind.EVALUATION_STAGE,
        subject=_("%(contract)s 的考评已到“%(stage)s”环节") % {"contract": contract, "stage": stage.label},
        link=reverse("contracts:contract_detail", args=[contract.pk]),
        now=now,
        skip=actor.pk,
    )


def evaluation_returned(*, contract: Contract, evaluation: Evaluation, actor: User, reason: str, now: datetime) -> int:
    """The evaluation was sent back one stage: tell that stage's people why."""
    stage = Evaluation.Stage(evaluation.stage)
    return notify_handoff(
        recipient_ids=stage_people(contract, stage),
        kind=Notification.Kind.CONTRACT_RETURNED,
        subject=_("%(contract)s 的考评被退回到“%(stage)s”：%(reason)s")
        % {"contract": contract, "stage": stage.label, "reason": reason},
        link=reverse("contracts:contract_detail", args=[contract.pk]),
        now=now,
        skip=actor.pk,
    )
