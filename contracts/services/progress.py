"""Quarterly progress 季度进度 on a commitment, reported by the co-building unit's contact with evidence."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import User
from grids.viewer import viewer_of
from guilin_portal.uploads import clean_document_or_image

from ..access import require_contact
from ..models import Commitment, CommitmentTarget, Contract, ContractEvent, Progress
from ..periods import has_started
from .events import contract_event


def _check_count(target: CommitmentTarget, status: str, achieved: int | None) -> None:
    """A count target: met means at least the target, partially met some of it, not met none of it."""
    if achieved is None:
        raise ValidationError({"achieved_count": _("请填写本季度实际完成的次数。")})
    if achieved < 0:
        raise ValidationError({"achieved_count": _("完成次数不能为负数。")})
    goal = target.target_count
    if status == Progress.Status.MET and achieved < goal:
        raise ValidationError(
            {
                "achieved_count": _("目标是 %(goal)s 次，完成 %(done)s 次不能算“已完成”。")
                % {"goal": goal, "done": achieved}
            }
        )
    if status == Progress.Status.PARTIALLY_MET and not 0 < achieved < goal:
        raise ValidationError({"achieved_count": _("“部分完成”的次数应在 1 到 %(most)s 之间。") % {"most": goal - 1}})
    if status == Progress.Status.NOT_MET and achieved != 0:
        raise ValidationError({"achieved_count": _("完成了部分次数，请选择“部分完成”。")})


@transaction.atomic
def progress_report(
    *,
    actor: User,
    commitment: Commitment,
    year: int,
    quarter: int,
    status: str,
    evidence_text: str,
    achieved_count: int | None = None,
    evidence_file: UploadedFile | None = None,
) -> Progress:
    """Record (or revise) a commitment's progress for one quarter of its contract's year.

    Only the unit's contact reports; only while the contract is active; only for
    a quarter that has started and in which the commitment has a target.
    Evidence is text plus an optional document or photo, checked by its content.
    A revision of an already published quarter does not touch the board: the
    community publishes a correction (see board.py).
    """
    contract = Contract.objects.select_for_update().select_related("community").get(pk=commitment.contract_id)
    require_contact(viewer_of(actor), contract)
    if contract.status != Contract.Status.ACTIVE:
        raise ValidationError(
            _("契约当前为“%(status)s”，只有履约中的契约可以填报进度。") % {"status": contract.get_status_display()}
        )
    if year != contract.year:
        raise ValidationError(
            {
                "year": _("%(year)s年不在契约年度（%(contract_year)s年）内，只能填报契约年度的季度进度。")
                % {"year": year, "contract_year": contract.year}
            }
        )
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _("季度只能是 1 到 4。")})
    target = CommitmentTarget.objects.filter(commitment=commitment, quarter=quarter).first()
    if target is None:
        raise ValidationError({"quarter": _("该事项在第%(quarter)s季度没有目标，无需填报。") % {"quarter": quarter}})
    if not has_started(year, quarter, timezone.localdate()):
        raise ValidationError(
            {"quarter": _("%(year)s年第%(quarter)s季度尚未开始。") % {"year": year, "quarter": quarter}}
        )
    if status not in Progress.Status.values:
        raise ValidationError({"status": _("请选择完成情况。")})
    evidence_text = (evidence_text or "").strip()
    if status != Progress.Status.SCHEDULED and not evidence_text:
        raise ValidationError({"evidence_text": _("请填写佐证说明：做了什么、何时、服务了多少人。")})
    if commitment.target_kind == Commitment.TargetKind.COUNT and status != Progress.Status.SCHEDULED:
        _check_count(target, status, achieved_count)
    elif commitment.target_kind == Commitment.TargetKind.MILESTONE:
        achieved_count = None
    stored_file = None
    if evidence_file is not None:
        try:
            stored_file = clean_document_or_image(evidence_file)
        except ValidationError as error:
            raise ValidationError({"evidence_file": error.messages}) from error

    now = timezone.now()
    progress = Progress.objects.select_for_update().filter(commitment=commitment, year=year, quarter=quarter).first()
    old_status = progress.status if progress else None
    if progress is None:
        progress = Progress(commitment=commitment, year=year, quarter=quarter)
    progress.status = status
    progress.achieved_count = achieved_count
    progress.evidence_text = evidence_text
    progress.reported_by = actor
    progress.reported_at = now
    if stored_file is not None:
        if progress.evidence_file:
            progress.evidence_file.delete(save=False)
        progress.evidence_file.save(stored_file.name, stored_file, save=False)
        progress.evidence_name = (evidence_file.name or "")[:200]
    progress.full_clean(exclude=["evidence_file"])
    progress.save()
    contract_event(
        contract=contract,
        kind=ContractEvent.Kind.PROGRESS_REPORTED,
        actor=actor,
        at=now,
        note=commitment.title,
        data={
            "commitment": commitment.pk,
            "year": year,
            "quarter": quarter,
            "old_status": old_status,
            "status": status,
            "achieved_count": achieved_count,
            "file": bool(stored_file),
        },
    )
    return progress
