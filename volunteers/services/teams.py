"""Teams, their rosters, and the people who serve."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import GridUnit, User
from grids.viewer import Viewer, viewer_of

from .. import access
from ..models import OrganOrganisation, ServiceCategory, Team, TeamMember, Volunteer
from ._common import deny, save_by


@transaction.atomic
def team_create(
    *,
    actor: User,
    name: str,
    category: ServiceCategory,
    kind: str,
    unit: GridUnit,
    description: str = "",
) -> Team:
    """Found a team at a unit: staff over that unit may."""
    if not access.can_found_team(viewer_of(actor), unit):
        raise deny(_("只有辖区工作人员可以组建服务队。"))
    if Team.objects.filter(unit=unit, name=name).exists():
        raise ValidationError({"name": _("本单元已有同名服务队。")})
    team = Team(name=name, category=category, kind=kind, unit=unit, description=description)
    save_by(team, actor)
    return team


@transaction.atomic
def team_update(
    *, team: Team, actor: User, name: str, category: ServiceCategory, kind: str, description: str, is_active: bool
) -> Team:
    """Rename, re-categorise or stand down a team (its leaders or staff over it)."""
    if not access.can_manage_team(viewer_of(actor), team):
        raise deny()
    team.name, team.category, team.kind, team.description, team.is_active = name, category, kind, description, is_active
    save_by(team, actor)
    return team


@transaction.atomic
def volunteer_create(
    *,
    actor: User,
    full_name: str,
    unit: GridUnit,
    phone: str = "",
    is_party_member: bool = False,
    organisation: OrganOrganisation | None = None,
    user: User | None = None,
) -> Volunteer:
    """Register a person who serves; staff may add people who live in their subtree, leaders anyone for their team."""
    if not access.can_register_volunteer(viewer_of(actor), unit):
        raise deny(_("只有辖区工作人员或服务队队长可以登记志愿者。"))
    volunteer = Volunteer(
        full_name=full_name.strip(),
        unit=unit,
        phone=phone.strip(),
        is_party_member=is_party_member or organisation is not None,
        organisation=organisation,
        user=user,
    )
    save_by(volunteer, actor)
    return volunteer


@transaction.atomic
def volunteer_update(
    *,
    volunteer: Volunteer,
    actor: User,
    full_name: str,
    unit: GridUnit,
    phone: str = "",
    is_party_member: bool = False,
    organisation: OrganOrganisation | None = None,
    user: User | None = None,
) -> Volunteer:
    """Correct a person's details or record a move: staff over where they live and where they move to."""
    current = Volunteer.objects.select_for_update(of=("self",)).select_related("unit").get(pk=volunteer.pk)
    if not access.can_edit_volunteer(viewer_of(actor), current, unit=unit):
        raise deny(_("只有志愿者居住地的社区（及上级）工作人员可以办理。"))
    current.full_name = full_name.strip()
    current.unit = unit
    current.phone = phone.strip()
    current.is_party_member = is_party_member or organisation is not None
    current.organisation = organisation
    current.user = user
    save_by(current, actor)
    return current


def _check_roster_manager(viewer: Viewer, team: Team, role: str = TeamMember.Role.MEMBER) -> None:
    if not access.can_manage_team(viewer, team):
        raise deny(_("只有本队队长、副队长或辖区工作人员可以管理队员。"))
    if not access.can_add_member(viewer, team, role):
        raise deny(_("队长由辖区工作人员任命。"))


@transaction.atomic
def team_member_add(
    *, team: Team, volunteer: Volunteer, actor: User, role: str = TeamMember.Role.MEMBER, joined_on: date | None = None
) -> TeamMember:
    """Put a person on the roster; a team has one leader at a time."""
    _check_roster_manager(viewer_of(actor), team, role)
    if not team.is_active:
        raise ValidationError({"team": _("服务队已撤销，不能添加队员。")})
    # Serialise roster changes of one team (the one-leader rule below is also a DB constraint).
    Team.objects.select_for_update().filter(pk=team.pk).first()
    if TeamMember.objects.filter(team=team, volunteer=volunteer, left_on__isnull=True).exists():
        raise ValidationError({"volunteer": _("%(name)s 已经是本队队员。") % {"name": volunteer.full_name}})
    if (
        role == TeamMember.Role.LEADER
        and TeamMember.objects.filter(team=team, role=TeamMember.Role.LEADER, left_on__isnull=True).exists()
    ):
        raise ValidationError({"role": _("本队已有队长，请先更换原队长的职务。")})
    membership = TeamMember(team=team, volunteer=volunteer, role=role, joined_on=joined_on or timezone.localdate())
    try:
        with transaction.atomic():
            save_by(membership, actor)
    except IntegrityError as exc:
        raise ValidationError({"volunteer": _("队员名单刚被其他人修改，请刷新后重试。")}) from exc
    return membership


@transaction.atomic
def team_member_set_role(*, membership: TeamMember, role: str, actor: User) -> TeamMember:
    """Change a member's role; making someone leader steps the old leader down to member."""
    team = membership.team
    viewer = viewer_of(actor)
    _check_roster_manager(viewer, team, role)
    Team.objects.select_for_update().filter(pk=team.pk).first()
    membership = TeamMember.objects.get(pk=membership.pk)
    if membership.left_on is not None:
        raise ValidationError({"role": _("该队员已离队。")})
    if not access.can_set_member_role(viewer, membership, team, role):
        raise deny(_("队长由辖区工作人员任命。"))
    if role == TeamMember.Role.LEADER:
        for old in TeamMember.objects.filter(team=team, role=TeamMember.Role.LEADER, left_on__isnull=True).exclude(
            pk=membership.pk
        ):
            old.role = TeamMember.Role.MEMBER
            save_by(old, actor)
    membership.role = role
    save_by(membership, actor)
    return membership


@transaction.atomic
def team_member_remove(*, membership: TeamMember, actor: User) -> TeamMember:
    """Take a person off the roster (the row stays, with the day they left)."""
    team = membership.team
    viewer = viewer_of(actor)
    _check_roster_manager(viewer, team)
    membership = TeamMember.objects.select_for_update().get(pk=membership.pk)
    if membership.left_on is not None:
        raise ValidationError({"volunteer": _("该队员已离队。")})
    if not access.can_remove_member(viewer, membership, team):
        raise deny(_("队长不能被移出，请先由辖区工作人员更换队长。"))
    membership.left_on = max(timezone.localdate(), membership.joined_on)
    save_by(membership, actor)
    return membership
