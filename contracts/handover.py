"""Offboarding: a leaving person's place as a co-building unit's contact goes to a successor
(grids.handover).

The contact reports the unit's quarterly progress and gives its self-evaluation, the first of the four
evaluation stages: a unit whose only contact left would have every such task wait on nobody. The
successor becomes the unit's contact (with the same title); with no successor named, the contact role
ends and the staff of the contract's community act meanwhile. Each open contract of the unit (not
closed) gets a timeline event naming who handed what to whom. Set-based: one query per step.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grids.handover import HandoverKind, register_handover
from grids.models import GridUnit, User

from .models import CoBuildingUnitContact, Contract, ContractEvent


def contacts_held_by(users: QuerySet) -> dict[int, int]:
    """Co-building units each user is a contact of: one query."""
    rows = (
        CoBuildingUnitContact.objects.filter(user_id__in=users.values("pk")).values("user_id").annotate(n=Count("pk"))
    )
    return {row["user_id"]: row["n"] for row in rows.order_by()}


@transaction.atomic
def contacts_hand_over(*, from_user: User, to_user: User | None, office: GridUnit, actor: User) -> int:
    """The leaver stops being a contact of each unit; `to_user` becomes one. Returns the units handed over."""
    rows = list(
        CoBuildingUnitContact.objects.select_for_update()
        .filter(user=from_user)
        .order_by("pk")
        .values("unit_id", "title")
    )
    if not rows:
        return 0
    unit_ids = [row["unit_id"] for row in rows]
    if to_user is not None:
        already = set(
            CoBuildingUnitContact.objects.filter(user=to_user, unit_id__in=unit_ids).values_list("unit_id", flat=True)
        )
        CoBuildingUnitContact.objects.bulk_create(
            [
                CoBuildingUnitContact(unit_id=row["unit_id"], user=to_user, title=row["title"])
                for row in rows
                if row["unit_id"] not in already
            ]
        )
    CoBuildingUnitContact.objects.filter(user=from_user).delete()
    now = timezone.now()
    to_name = to_user.display_name if to_user is not None else _("社区工作人员")
    note = _("共建单位联系人%(from)s离岗，联系人工作（进度填报、单位自评）移交给%(to)s。") % {
        "from": from_user.display_name,
        "to": to_name,
    }
    data = {"handover": {"from_user": from_user.pk, "to_user": to_user.pk if to_user else None}}
    contracts = (
        Contract.objects.filter(unit_id__in=unit_ids)
        .exclude(status=Contract.Status.CLOSED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    ContractEvent.objects.bulk_create(
        [
            ContractEvent(
                contract_id=pk, kind=ContractEvent.Kind.CONTACT_HANDED_OVER, actor=actor, at=now, note=note, data=data
            )
            for pk in contracts
        ],
        batch_size=1000,
    )
    return len(rows)


def register_contact_handover() -> None:
    register_handover(
        HandoverKind(
            name="cobuilding_contacts",
            label=gettext_lazy("共建单位联系人（进度填报、单位自评）"),
            held_by=contacts_held_by,
            hand_over=contacts_hand_over,
        )
    )
