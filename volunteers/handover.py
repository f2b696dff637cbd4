"""Offboarding: a leaving person's team leadership goes to a successor (grids.handover).

Records waiting for verification are verified by a team's leader or deputy, so
handing the leadership over hands the pending verifications over with it. Each
change is a saved TeamMember version (audit history): who stepped down, who
took over, when. A person leads a handful of teams at most: rows are saved one by
one so each keeps its history version.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from grids.handover import HandoverKind, register_handover
from grids.models import GridUnit, User

from .models import TeamMember, Volunteer
from .services._common import save_by


def _led(user_ids) -> QuerySet:
    return TeamMember.objects.filter(
        volunteer__user_id__in=user_ids, role__in=TeamMember.MANAGER_ROLES, left_on__isnull=True
    )


def teams_held_by(users: QuerySet) -> dict[int, int]:
    """Teams each user leads or deputises (with the service records waiting for them): one query."""
    rows = _led(users.values("pk")).values("volunteer__user_id").annotate(n=Count("pk")).order_by()
    return {row["volunteer__user_id"]: row["n"] for row in rows}


@transaction.atomic
def teams_hand_over(*, from_user: User, to_user: User | None, office: GridUnit, actor: User) -> int:
    """The leaver steps down from every team they lead; `to_user` takes the same role (joining if needed).

    With no successor the post stays empty: the staff of the team's unit manage the team meanwhile.
    """
    today = timezone.localdate()
    moved = 0
    for membership in _led([from_user.pk]).select_for_update().select_related("team").order_by("pk"):
        role = membership.role
        membership.left_on = max(today, membership.joined_on)
        save_by(membership, actor)
        moved += 1
        if to_user is None:
            continue
        volunteer = Volunteer.objects.filter(user=to_user).first()
        if volunteer is None:
            volunteer = Volunteer(
                full_name=to_user.display_name,
                phone=to_user.phone,
                user=to_user,
                is_party_member=to_user.is_party_member,
                unit=membership.team.unit,
            )
            save_by(volunteer, actor)
        current = TeamMember.objects.filter(team=membership.team, volunteer=volunteer, left_on__isnull=True).first()
        if current is None:
            current = TeamMember(team=membership.team, volunteer=volunteer, role=role, joined_on=today)
        elif current.role == TeamMember.Role.LEADER:
            continue
        current.role = role
        save_by(current, actor)
    return moved


def register_team_handover() -> None:
    register_handover(
        HandoverKind(
            name="volunteer_teams",
            label=gettext_lazy("志愿服务队队长、副队长职务（含待审核服务记录）"),
            held_by=teams_held_by,
            hand_over=teams_hand_over,
        )
    )
