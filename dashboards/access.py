"""Who may do what on the dashboards, as pure functions of a Viewer (no query: the Viewer holds the posts).

What a viewer may *see* is their jurisdiction (`stats_unit()` and grids.jurisdiction): every figure
of a unit inside it. Only the issue list's export needs more.
"""

from __future__ import annotations

from grids.viewer import Viewer


def can_export_issues(viewer: Viewer) -> bool:
    """Staff (a community, street, district, organisation-department or city post) and superusers."""
    return viewer.is_person and (viewer.sees_everything or bool(viewer.staff_paths))
