"""Yearly selection of advanced co-building units and people 评选先进, by the district organisation department.

A district's list is drafted from contracts whose four-stage evaluation is
complete (the ranking in selectors), then published; a published list is
final and public.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import GridUnit, User
from grids.viewer import viewer_of

from ..access import require_org_department
from ..models import AwardEntry, AwardList, Contract, Evaluation


def _require_draft(award_list: AwardList) -> None:
    if award_list.status != AwardList.Status.DRAFT:
        raise ValidationError(_("名单已公布，不能再修改。"))


@transaction.atomic
def award_list_open(*, actor: User, district: GridUnit, year: int) -> AwardList:
    """The district's list for the year, created on first use."""
    if district.level != GridUnit.Level.DISTRICT:
        raise ValidationError({"district": _("评先名单按城区/县编制。")})
    require_org_department(viewer_of(actor), district)
    award_list, _created = AwardList.objects.get_or_create(
        district=district, year=year, defaults={"created_at": timezone.now()}
    )
    return award_list


@transaction.atomic
def award_entry_add(
    *, actor: User, award_list: AwardList, kind: str, contract: Contract, person_name: str = "", citation: str = ""
) -> AwardEntry:
    """Select an advanced unit, or a person of that unit, on the strength of a fully evaluated contract."""
    award_list = AwardList.objects.select_for_update().select_related("district").get(pk=award_list.pk)
    require_org_department(viewer_of(actor), award_list.district)
    _require_draft(award_list)
    if kind not in AwardEntry.Kind.values:
        raise ValidationError({"kind": _("请选择评选类别。")})
    contract = Contract.objects.select_related("community", "unit").get(pk=contract.pk)
    if not contract.community.path.startswith(award_list.district.path) or contract.year != award_list.year:
        raise ValidationError({"contract": _("只能从本城区本年度的契约中评选。")})
    final = Evaluation.objects.filter(contract=contract, stage=Evaluation.Stage.DONE).values_list(
        "final_score", flat=True
    )
    if not final:
        raise ValidationError({"contract": _("这份契约的四级考评尚未完成，不能据此评选。")})
    person_name = (person_name or "").strip()
    if kind == AwardEntry.Kind.PERSON and not person_name:
        raise ValidationError({"person_name": _("请填写先进个人的姓名。")})
    if kind == AwardEntry.Kind.UNIT:
        person_name = ""
    entry = AwardEntry(
        award_list=award_list,
        kind=kind,
        unit=contract.unit,
        contract=contract,
        person_name=person_name[:60],
        citation=(citation or "").strip(),
        selected_by=actor,
        selected_at=timezone.now(),
    )
    try:
        entry.full_clean()
        with transaction.atomic():
            entry.save()
    except (ValidationError, IntegrityError) as error:
        if isinstance(error, ValidationError) and not error.message_dict.get("__all__"):
            raise
        raise ValidationError({"contract": _("该单位或个人已在名单上。")}) from error
    return entry


@transaction.atomic
def award_entry_remove(*, actor: User, entry: AwardEntry) -> None:
    """Take an entry off a list that is still being drafted."""
    award_list = AwardList.objects.select_for_update().select_related("district").get(pk=entry.award_list_id)
    require_org_department(viewer_of(actor), award_list.district)
    _require_draft(award_list)
    entry.delete()


@transaction.atomic
def award_list_publish(*, actor: User, award_list: AwardList) -> AwardList:
    """Publish the list; from now on it is public and final."""
    award_list = AwardList.objects.select_for_update().select_related("district").get(pk=award_list.pk)
    require_org_department(viewer_of(actor), award_list.district)
    _require_draft(award_list)
    if not award_list.entries.exists():
        raise ValidationError(_("名单还是空的，不能公布。"))
    award_list.status = AwardList.Status.PUBLISHED
    award_list.published_at = timezone.now()
    award_list.published_by = actor
    award_list.full_clean()
    award_list.save()
    return award_list
