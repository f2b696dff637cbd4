"""Offboarding: a leaving secretary's party organisations go to a successor (grids.handover).

The secretary keeps the organisation's 三会一课 records and gets its reminders; when they leave, the
successor becomes secretary of the same organisations, or, with no successor named, the post stays
empty and the staff of the organisation's unit keep it meanwhile (they manage it already). Each change
is a history version of the organisation naming the staff member who made it. The roll is left as it
is: leaving a grid post does not take anyone off a party roll.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy

from grids.handover import HandoverKind, register_handover
from grids.models import GridUnit, User

from .models import PartyOrganisation


def secretaryships_held_by(users: QuerySet) -> dict[int, int]:
    """Active organisations each user is secretary of: one query."""
    rows = (
        PartyOrganisation.objects.filter(secretary_id__in=users.values("pk"), is_active=True)
        .values("secretary_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["secretary_id"]: row["n"] for row in rows}


@transaction.atomic
def secretaryships_hand_over(*, from_user: User, to_user: User | None, office: GridUnit, actor: User) -> int:
    """`to_user` (or nobody) becomes secretary of each active organisation `from_user` was secretary of.
    Returns the organisations handed over."""
    organisations = list(
        PartyOrganisation.objects.select_for_update().filter(secretary=from_user, is_active=True).order_by("pk")
    )
    for organisation in organisations:
        organisation.secretary = to_user
        organisation._history_user = actor if getattr(actor, "pk", None) else None
        organisation.save(update_fields=["secretary"])
    return len(organisations)


def register_secretary_handover() -> None:
    register_handover(
        HandoverKind(
            name="party_secretary",
            label=gettext_lazy("党组织书记"),
            held_by=secretaryships_held_by,
            hand_over=secretaryships_hand_over,
        )
    )
