"""Dual registration (双报到): organ party organisations and members register with a community."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import GridUnit, User
from grids.viewer import viewer_of

from .. import access
from ..models import MemberRegistration, OrganisationRegistration, OrganOrganisation, Volunteer
from ._common import deny, save_by


def _check_community(community: GridUnit) -> None:
    if community.level != GridUnit.Level.COMMUNITY:
        raise ValidationError({"community": _("只能到社区（村）一级报到。")})


@transaction.atomic
def organisation_register(
    *, organisation: OrganOrganisation, community: GridUnit, actor: User
) -> OrganisationRegistration:
    """An organ party organisation reports to a community (registered by that community's staff)."""
    if not access.can_manage_registrations(viewer_of(actor), community):
        raise deny(_("只有该社区及上级工作人员可以登记单位报到。"))
    _check_community(community)
    if OrganisationRegistration.objects.filter(
        organisation=organisation, community=community, ended_on__isnull=True
    ).exists():
        raise ValidationError({"organisation": _("该党组织已在本社区报到。")})
    registration = OrganisationRegistration(
        organisation=organisation, community=community, registered_on=timezone.localdate(), registered_by=actor
    )
    try:
        with transaction.atomic():
            save_by(registration, actor)
    except IntegrityError as exc:
        raise ValidationError({"organisation": _("该党组织已在本社区报到。")}) from exc
    return registration


@transaction.atomic
def member_register(*, volunteer: Volunteer, community: GridUnit, actor: User) -> MemberRegistration:
    """An organ party member reports to the community where they live; moving ends the old registration."""
    if not access.can_register_member(viewer_of(actor), volunteer, community):
        raise deny(_("只能由本人或社区工作人员登记党员报到。"))
    _check_community(community)
    if volunteer.organisation_id is None:
        raise ValidationError({"volunteer": _("只有机关党员需要到居住地社区报到。")})
    Volunteer.objects.select_for_update().filter(pk=volunteer.pk).first()
    today = timezone.localdate()
    current = MemberRegistration.objects.filter(volunteer=volunteer, ended_on__isnull=True).first()
    if current is not None:
        if current.community_id == community.pk:
            raise ValidationError({"community": _("已在该社区报到。")})
        current.ended_on = max(today, current.registered_on)
        save_by(current, actor)
    registration = MemberRegistration(
        volunteer=volunteer, community=community, registered_on=today, registered_by=actor
    )
    save_by(registration, actor)
    return registration


@transaction.atomic
def registration_end(*, registration: OrganisationRegistration | MemberRegistration, actor: User) -> None:
    """End a registration (the row stays as history)."""
    if not access.can_manage_registrations(viewer_of(actor), registration.community):
        raise deny()
    if registration.ended_on is not None:
        raise ValidationError({"ended_on": _("报到已经结束。")})
    registration.ended_on = max(timezone.localdate(), registration.registered_on)
    save_by(registration, actor)
