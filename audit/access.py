"""Who may read the audit history, and where: pure functions of a Viewer (its posts are already read).

Staff (a community, street, district, organisation-department or city post)
and superusers, each for the subtrees of their staff posts. A grid worker's
post gives no audit access.
"""

from __future__ import annotations

from django.db.models import Q

from grids.jurisdiction import paths_q
from grids.viewer import Viewer


def can_read_audit(viewer: Viewer) -> bool:
    return viewer.is_person and (viewer.sees_everything or bool(viewer.staff_paths))


def audit_visible_q(viewer: Viewer, *, unit_field: str) -> Q:
    """Versions whose unit lies under one of the viewer's staff posts (every version for a superuser)."""
    return paths_q(viewer.staff_paths, unit_field=unit_field)
