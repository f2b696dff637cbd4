"""Contracts 契约书: drafting the demand and resource lists, commitments, and the status steps.

draft → signed → active → closed. The lists and commitments are agreed while
the contract is a draft or signed; once it is active they are what the unit is
held to and no longer change. Only the community's party organisation (a
community_staff post at the contract's community) keeps its contracts.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import GridUnit, User
from grids.viewer import viewer_of

from ..access import EDITABLE, require_drafter, require_manager
from ..models import (
    CoBuildingUnit,
    Commitment,
    CommitmentTarget,
    Contract,
    ContractEvent,
    DemandItem,
    Evaluation,
    ResourceItem,
)
from .events import contract_event


def _lock(contract: Contract) -> Contract:
    return Contract.objects.select_for_update().select_related("community", "unit").get(pk=contract.pk)


def _require_editable(contract: Contract) -> None:
    if contract.status not in EDITABLE:
        raise ValidationError(
            _("契约已%(status)s，清单和承诺事项不能再修改。") % {"status": contract.get_status_display()}
        )


@transaction.atomic
def contract_create(
    *, actor: User, community: GridUnit, unit: CoBuildingUnit, year: int, title: str, number: str = ""
) -> Contract:
    """A community party organisation drafts its yearly contract with a co-building unit."""
    if community.level != GridUnit.Level.COMMUNITY:
        raise ValidationError({"community": _("契约只能由社区党组织签订，请选择社区一级的单元。")})
    require_drafter(viewer_of(actor), community)
    if not unit.is_active:
        raise ValidationError({"unit": _("该共建单位已不在册。")})
    this_year = timezone.localdate().year
    if not this_year - 1 <= year <= this_year + 1:
        raise ValidationError({"year": _("契约年度只能是去年、今年或明年。")})
    # Serialise numbering within the community.
    GridUnit.objects.select_for_update().filter(pk=community.pk).first()
    if Contract.objects.filter(community=community, unit=unit, year=year).exists():
        raise ValidationError({"unit": _("该单位%(year)s年度已与本社区签有契约。") % {"year": year}})
    if not number:
        sequence = Contract.objects.filter(community=community, year=year).count() + 1
        number = f"{year}-{community.code}-{sequence:03d}"
    contract = Contract(number=number, title=title.strip(), community=community, unit=unit, year=year, created_by=actor)
    contract.full_clean()
    contract.save()
    contract_event(contract=contract, kind=ContractEvent.Kind.CREATED, actor=actor, data={"number": number})
    return contract


def _item_add(*, model, kind: str, actor: User, contract: Contract, title: str, detail: str):
    contract = _lock(contract)
    require_manager(viewer_of(actor), contract)
    _require_editable(contract)
    item = model(contract=contract, title=title.strip(), detail=detail.strip())
    item.full_clean()
    item.save()
    contract_event(contract=contract, kind=kind, actor=actor, note=item.title, data={"item": item.pk})
    return item


@transaction.atomic
def demand_add(*, actor: User, contract: Contract, title: str, detail: str = "") -> DemandItem:
    """Add a line to the community's demand list 需求清单."""
    return _item_add(
        model=DemandItem,
        kind=ContractEvent.Kind.DEMAND_ADDED,
        actor=actor,
        contract=contract,
        title=title,
        detail=detail,
    )


@transaction.atomic
def resource_add(*, actor: User, contract: Contract, title: str, detail: str = "") -> ResourceItem:
    """Add a line to the unit's resource list 资源清单."""
    return _item_add(
        model=ResourceItem,
        kind=ContractEvent.Kind.RESOURCE_ADDED,
        actor=actor,
        contract=contract,
        title=title,
        detail=detail,
    )


@transaction.atomic
def commitment_add(
    *,
    actor: User,
    contract: Contract,
    demand: DemandItem,
    resource: ResourceItem,
    title: str,
    target_kind: str,
    weight: int,
    targets: Mapping[int, int | str],
) -> Commitment:
    """A committed service item: one resource meeting one demand, with its quarterly targets.

    `targets` maps quarter (1–4) to a count (count kind) or a milestone text (milestone kind).
    """
    contract = _lock(contract)
    require_manager(viewer_of(actor), contract)
    _require_editable(contract)
    errors: dict[str, str] = {}
    if demand.contract_id != contract.pk:
        errors["demand"] = _("所选需求不属于这份契约。")
    if resource.contract_id != contract.pk:
        errors["resource"] = _("所选资源不属于这份契约。")
    if target_kind not in Commitment.TargetKind.values:
        errors["target_kind"] = _("请选择目标类型。")
    if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 10:
        errors["weight"] = _("权重应为 1 到 10 的整数。")
    if not targets:
        errors["targets"] = _("至少要有一个季度的目标。")
    rows: list[CommitmentTarget] = []
    for quarter, value in sorted(targets.items()):
        if quarter not in (1, 2, 3, 4):
            errors["targets"] = _("季度只能是 1 到 4。")
            break
        if target_kind == Commitment.TargetKind.COUNT:
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                errors["targets"] = _("第%(quarter)s季度的目标次数必须是正整数。") % {"quarter": quarter}
                break
            rows.append(CommitmentTarget(quarter=quarter, target_count=value))
        else:
            text = str(value or "").strip()
            if not text:
                errors["targets"] = _("第%(quarter)s季度的节点目标不能为空。") % {"quarter": quarter}
                break
            rows.append(CommitmentTarget(quarter=quarter, target_count=1, milestone=text[:150]))
    if errors:
        raise ValidationError(errors)
    commitment = Commitment(
        contract=contract,
        demand=demand,
        resource=resource,
        title=title.strip(),
        target_kind=target_kind,
        weight=weight,
    )
    commitment.full_clean()
    commitment.save()
    for row in rows:
        row.commitment = commitment
    CommitmentTarget.objects.bulk_create(rows)
    contract_event(
        contract=contract,
        kind=ContractEvent.Kind.COMMITMENT_ADDED,
        actor=actor,
        note=commitment.title,
        data={"commitment": commitment.pk, "quarters": [row.quarter for row in rows], "weight": weight},
    )
    return commitment


def _require_status(contract: Contract, expected: str, action: str) -> None:
    if contract.status != expected:
        raise ValidationError(
            {
                "status": _("契约当前为“%(status)s”，不能%(action)s。")
                % {"status": contract.get_status_display(), "action": action}
            }
        )


@transaction.atomic
def contract_sign(*, actor: User, contract: Contract, signed_on: date) -> Contract:
    """Sign a draft: both lists must say something, and the date must be real."""
    contract = _lock(contract)
    require_manager(viewer_of(actor), contract)
    _require_status(contract, Contract.Status.DRAFT, _("签订"))
    errors = {}
    if not contract.demands.exists():
        errors["demands"] = _("签订前需求清单至少要有一项。")
    if not contract.resources.exists():
        errors["resources"] = _("签订前资源清单至少要有一项。")
    if signed_on > timezone.localdate():
        errors["signed_on"] = _("签订日期不能晚于今天。")
    elif signed_on.year < contract.year - 1 or signed_on.year > contract.year:
        errors["signed_on"] = _("签订日期应在契约年度或其上一年。")
    if errors:
        raise ValidationError(errors)
    contract.status, contract.signed_on = Contract.Status.SIGNED, signed_on
    contract.full_clean()
    contract.save(update_fields=["status", "signed_on", "updated_at"])
    contract_event(contract=contract, kind=ContractEvent.Kind.SIGNED, actor=actor, data={"signed_on": str(signed_on)})
    return contract


@transaction.atomic
def contract_activate(*, actor: User, contract: Contract) -> Contract:
    """Start performance: the commitments are fixed and the year's evaluation opens at self-evaluation."""
    contract = _lock(contract)
    require_manager(viewer_of(actor), contract)
    _require_status(contract, Contract.Status.SIGNED, _("开始履约"))
    if not contract.commitments.exists():
        raise ValidationError({"commitments": _("开始履约前至少要有一项承诺服务事项。")})
    now = timezone.now()
    contract.status = Contract.Status.ACTIVE
    contract.save(update_fields=["status", "updated_at"])
    Evaluation.objects.get_or_create(contract=contract, defaults={"updated_at": now})
    contract_event(contract=contract, kind=ContractEvent.Kind.ACTIVATED, actor=actor, at=now)
    return contract


@transaction.atomic
def contract_close(*, actor: User, contract: Contract) -> Contract:
    """Close a contract once its year is over; its progress and evaluation stay as they are."""
    contract = _lock(contract)
    require_manager(viewer_of(actor), contract)
    _require_status(contract, Contract.Status.ACTIVE, _("结束"))
    if timezone.localdate().year <= contract.year:
        raise ValidationError({"status": _("契约年度尚未结束，不能结束契约。")})
    contract.status = Contract.Status.CLOSED
    contract.save(update_fields=["status", "updated_at"])
    contract_event(contract=contract, kind=ContractEvent.Kind.CLOSED, actor=actor)
    return contract
