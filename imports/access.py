"""Who may import, export and read import jobs: staff, inside their jurisdiction (people.access)."""

from __future__ import annotations

from django.db.models import Q

from grids.viewer import Viewer
from people.access import can_open_people


def can_import(viewer: Viewer) -> bool:
    """Staff (community staff and above); each row is then checked against their subtree and level."""
    return can_open_people(viewer)


def jobs_q(viewer: Viewer) -> Q:
    """The jobs a viewer reads: their own (a superuser: every one)."""
    if viewer.sees_everything:
        return Q()
    if not viewer.is_person:
        return Q(pk__in=[])
    return Q(created_by_id=viewer.user_id)
