"""Offboarding: a leaving person's standing at service points goes to a successor (grids.handover).

A point's staff (a red station's duty staff, its manager) log the point's services; when they leave,
the successor takes the same standing at the same points, or, with no successor named, the standing
ends and the staff of the point's unit run the point meanwhile. Each change is a ServicePointStaff
history version naming the staff member who did it (who stepped down, who took over, when). A person
stands at a handful of points at most.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy

from grids.handover import HandoverKind, register_handover
from grids.models import GridUnit, User

from .models import ServicePointStaff


def point_staff_held_by(users: QuerySet) -> dict[int, int]:
    """Service points each user stands at: one query."""
    rows = ServicePointStaff.objects.filter(user_id__in=users.values("pk")).values("user_id").annotate(n=Count("pk"))
    return {row["user_id"]: row["n"] for row in rows.order_by()}


def _by(row: ServicePointStaff, actor: User) -> ServicePointStaff:
    row._history_user = actor if getattr(actor, "pk", None) else None
    return row


@transaction.atomic
def point_staff_hand_over(*, from_user: User, to_user: User | None, office: GridUnit, actor: User) -> int:
    """The leaver's standing at each point ends; `to_user` takes the same role there (a manager stays a
    manager). Returns the standings handed over."""
    rows = list(ServicePointStaff.objects.select_for_update().filter(user=from_user).order_by("pk"))
    if not rows:
        return 0
    if to_user is not None:
        held = {
            row.point_id: row
            for row in ServicePointStaff.objects.select_for_update().filter(
                user=to_user, point_id__in=[r.point_id for r in rows]
            )
        }
        for row in rows:
            mine = held.get(row.point_id)
            if mine is None:
                _by(ServicePointStaff(user=to_user, point_id=row.point_id, role=row.role), actor).save()
            elif row.role == ServicePointStaff.Role.MANAGER and mine.role != row.role:
                mine.role = row.role
                _by(mine, actor).save(update_fields=["role"])
    for row in rows:
        _by(row, actor).delete()
    return len(rows)


def register_point_staff_handover() -> None:
    register_handover(
        HandoverKind(
            name="service_point_staff",
            label=gettext_lazy("服务阵地工作人员岗位"),
            held_by=point_staff_held_by,
            hand_over=point_staff_hand_over,
        )
    )
