"""Teams and rosters as a viewer may see them."""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import Http404

from grids.viewer import Viewer

from .. import access
from ..models import Team, TeamMember
from ._common import get_visible_or_404


def _leader_name():
    return Subquery(
        TeamMember.objects.filter(team=OuterRef("pk"), role=TeamMember.Role.LEADER, left_on__isnull=True).values(
            "volunteer__full_name"
        )[:1]
    )


def team_list(
    *,
    viewer: Viewer,
    category: int | None = None,
    kind: str | None = None,
    unit_path: str | None = None,
    search: str = "",
    active_only: bool = True,
) -> QuerySet[Team]:
    """Teams the viewer may see, each with its leader's name and member count (one query a page)."""
    qs = Team.objects.filter(access.team_visible_q(viewer))
    if active_only:
        qs = qs.filter(is_active=True)
    if category:
        qs = qs.filter(category_id=category)
    if kind:
        qs = qs.filter(kind=kind)
    if unit_path:
        qs = qs.filter(unit__path__startswith=unit_path)
    if search:
        qs = qs.filter(name__icontains=search)
    return (
        qs.select_related("category", "unit")
        .annotate(
            leader_name=_leader_name(),
            member_count=Count("memberships", filter=Q(memberships__left_on__isnull=True)),
        )
        .order_by("unit__path", "name", "pk")
    )


def team_get(*, viewer: Viewer, pk: int) -> Team:
    """A team the viewer may see, or 404."""
    return get_visible_or_404(
        Team.objects.select_related("category", "unit").annotate(
            leader_name=_leader_name(),
            member_count=Count("memberships", filter=Q(memberships__left_on__isnull=True)),
        ),
        access.team_visible_q(viewer),
        pk=pk,
    )


def team_roster(*, team: Team) -> QuerySet[TeamMember]:
    """Current members of a team the caller has checked, leaders first (one query)."""
    order = {TeamMember.Role.LEADER: 0, TeamMember.Role.DEPUTY: 1, TeamMember.Role.MEMBER: 2}
    return (
        TeamMember.objects.filter(team=team, left_on__isnull=True)
        .select_related("volunteer", "volunteer__organisation")
        .annotate(
            role_order=Case(*[When(role=r, then=Value(o)) for r, o in order.items()], output_field=IntegerField())
        )
        .order_by("role_order", "volunteer__full_name", "pk")
    )


def team_membership(*, team: Team, pk: int) -> TeamMember:
    """A current or past membership of a team the caller has checked, or 404."""
    try:
        return TeamMember.objects.select_related("team__unit").get(pk=pk, team=team)
    except TeamMember.DoesNotExist as exc:
        raise Http404 from exc
