"""Co-building units and the people who act for them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from grids.models import GridUnit, User

from ..models import CoBuildingUnit, CoBuildingUnitContact


def _check_district(district: GridUnit) -> None:
    if district.level != GridUnit.Level.DISTRICT:
        raise ValidationError({"district": _("所在城区必须是城区/县一级的单元。")})


@transaction.atomic
def cobuilding_unit_create(
    *, name: str, kind: str, party_organisation: str, district: GridUnit, address: str = ""
) -> CoBuildingUnit:
    """Register a resident unit, sector body or new-economy organisation with its party organisation."""
    _check_district(district)
    unit = CoBuildingUnit(
        name=name.strip(),
        kind=kind,
        party_organisation=party_organisation.strip(),
        district=district,
        address=address.strip(),
    )
    unit.full_clean()
    unit.save()
    return unit


@transaction.atomic
def cobuilding_unit_update(
    *,
    unit: CoBuildingUnit,
    name: str,
    kind: str,
    party_organisation: str,
    district: GridUnit,
    address: str = "",
    is_active: bool = True,
) -> CoBuildingUnit:
    """Change a unit's particulars; its contracts keep pointing at it."""
    _check_district(district)
    unit.name, unit.kind, unit.party_organisation = name.strip(), kind, party_organisation.strip()
    unit.district, unit.address, unit.is_active = district, address.strip(), is_active
    unit.full_clean()
    unit.save()
    return unit


@transaction.atomic
def unit_contact_add(*, unit: CoBuildingUnit, user: User, title: str = "") -> CoBuildingUnitContact:
    """Let a person act for a unit: they see that unit's contracts and report its progress."""
    contact, _created = CoBuildingUnitContact.objects.get_or_create(unit=unit, user=user, defaults={"title": title})
    return contact


@transaction.atomic
def unit_contact_update(*, contact: CoBuildingUnitContact, title: str = "") -> CoBuildingUnitContact:
    """Change the title under which the person acts for the unit."""
    contact.title = (title or "").strip()
    contact.full_clean()
    contact.save(update_fields=["title"])
    return contact


@transaction.atomic
def unit_contact_remove(*, contact: CoBuildingUnitContact) -> None:
    """The person no longer acts for the unit and loses sight of its contracts (from their next request on)."""
    contact.delete()
