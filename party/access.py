"""Who may read and act on party organisations, meetings, brands and pioneer posts: predicates over a Viewer.

Reading: rows whose unit lies in the viewer's jurisdiction (like every other row), plus the
organisations a person is the secretary of and, for the level above, the organisations under those
(a branch secretary's groups). Everything else is a 404.

Acting: staff over the unit (community staff and above, or a superuser) keep an organisation (its
name, secretary, roll, records) and its brands, posts and teams; an organisation's secretary keeps
its roll, records its meetings and keeps its brands, posts and teams. The predicates read the Viewer
and the rows handed in (with `unit` and `organisation` loaded): no query.
"""

from __future__ import annotations

from django.db.models import Q

from grids.jurisdiction import jurisdiction_q
from grids.viewer import Viewer

from .models import PartyOrganisation

EDIT = "edit"
EDIT_ROLL = "edit_roll"
RECORD_MEETING = "record_meeting"
ADD_BRAND = "add_brand"


def organisation_q(viewer: Viewer, *, prefix: str = "") -> Q:
    """Organisations the viewer reads (`prefix`: the lookup to the organisation, e.g. "organisation__")."""
    if not viewer.is_authenticated:
        return Q(pk__in=[])
    unit_field = f"{prefix}unit"
    q = jurisdiction_q(viewer, unit_field=unit_field)
    mine = viewer.party_organisations
    if mine and viewer.jurisdiction is not None:
        q |= Q(**{f"{prefix}pk__in": sorted(mine)}) | Q(**{f"{prefix}parent_id__in": sorted(mine)})
    return q


def owned_q(viewer: Viewer) -> Q:
    """Brands, posts and teams the viewer reads: their unit in the jurisdiction, or their organisation's."""
    if not viewer.is_authenticated:
        return Q(pk__in=[])
    if viewer.jurisdiction is None:
        return Q()
    return jurisdiction_q(viewer, unit_field="unit") | organisation_q(viewer, prefix="organisation__")


def is_secretary(viewer: Viewer, organisation: PartyOrganisation) -> bool:
    return organisation.pk in viewer.party_organisations


def can_manage_organisation(viewer: Viewer, organisation: PartyOrganisation) -> bool:
    """Staff over the organisation's unit: name, kind, secretary, records, deactivation."""
    return viewer.is_person and viewer.is_staff_over(organisation.unit.path)


def can_edit_roll(viewer: Viewer, organisation: PartyOrganisation) -> bool:
    return can_manage_organisation(viewer, organisation) or is_secretary(viewer, organisation)


def can_record_meeting(viewer: Viewer, organisation: PartyOrganisation) -> bool:
    return organisation.is_active and (
        can_manage_organisation(viewer, organisation) or is_secretary(viewer, organisation)
    )


def can_manage_owned(viewer: Viewer, row) -> bool:
    """A brand, post or team: staff over where it serves, or its organisation's keepers."""
    if not viewer.is_person:
        return False
    return viewer.is_staff_over(row.unit.path) or can_edit_roll(viewer, row.organisation)


def organisation_allowed_actions(viewer: Viewer, organisation: PartyOrganisation) -> frozenset[str]:
    actions = set()
    if can_manage_organisation(viewer, organisation):
        actions.add(EDIT)
    if can_edit_roll(viewer, organisation):
        actions |= {EDIT_ROLL, ADD_BRAND}
    if can_record_meeting(viewer, organisation):
        actions.add(RECORD_MEETING)
    return frozenset(actions)


def keeps_any_organisation(viewer: Viewer) -> bool:
    """Whether the pages that create rows may offer anything: staff somewhere, or a person at all
    (a secretary holds no post; the form's choice of organisation is scoped by `keepable_q`)."""
    return viewer.is_person


def keepable_q(viewer: Viewer) -> Q:
    """Organisations whose roll, meetings, brands and posts the viewer keeps."""
    if not viewer.is_person:
        return Q(pk__in=[])
    if viewer.staff_paths is None:
        return Q()
    q = Q(pk__in=sorted(viewer.party_organisations))
    for path in viewer.staff_paths:
        q |= Q(unit__path__startswith=path)
    return q
