"""Who may see and change which renovation projects: pure predicates over a Viewer (no query).

Reading follows the grid jurisdiction: a project is visible when its village or compound lies in
the viewer's jurisdiction (a grid worker sees the compounds of their micro-grid). Recording
progress and photos needs a staff post (community, street, district, organisation department,
city) whose subtree holds the project, or a superuser.
"""

from __future__ import annotations

from django.db.models import Q

from grids.jurisdiction import jurisdiction_q
from grids.viewer import Viewer

from .models import Project

UPDATE = "update"  # status, progress and dates
ADD_PHOTO = "add_photo"  # a before/after photo
PROJECT_ACTIONS = (UPDATE, ADD_PHOTO)


def visible_projects_q(viewer: Viewer) -> Q:
    """Projects the viewer may read: those whose unit lies in their jurisdiction."""
    return jurisdiction_q(viewer, unit_field="unit")


def can_see_project(viewer: Viewer, project: Project) -> bool:
    return viewer.sees_path(project.unit.path)


def can_manage_project(viewer: Viewer, project: Project) -> bool:
    """A staff post over the project's unit (or a superuser): may record its progress and photos."""
    return viewer.is_staff_over(project.unit.path)


def allowed_actions(viewer: Viewer, project: Project) -> frozenset[str]:
    """The one answer to "what may this viewer do to this project": the page's forms, the services' checks."""
    if not can_see_project(viewer, project) or not can_manage_project(viewer, project):
        return frozenset()
    return frozenset(PROJECT_ACTIONS)
