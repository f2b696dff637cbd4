"""Who may see and change which service points: pure predicates over a Viewer.

Reading follows the grid jurisdiction: a point is visible when its unit lies
in the viewer's jurisdiction. On top of that, a point's own staff
(`ServicePointStaff`, a red station's duty staff say; the Viewer's
`service_points`) see and work on that point, and only that point, whatever
their posts.

Changing a point's records (logging services, meetings, activities, members)
needs one of: a staff post (community, street, district, organisation
department, city) whose subtree holds the point, or membership of the point's
staff. Changing the point itself, its staff and its star rating needs the
staff post. Grid workers read what lies in their micro-grid but do not change
it. A superuser (or the system) may do everything.

Every function here reads the Viewer and the object's own fields: no query.
`allowed_actions()` is the one answer to "what may this viewer do to this
point": the staff pages show exactly those buttons, the API accepts exactly
those writes, and the services check the same predicates.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from grids.jurisdiction import jurisdiction_q
from grids.models import GridUnit
from grids.viewer import Viewer

from .models import ServicePoint

# The actions on one point (the API's and the staff pages' names).
LOG_SERVICE = "log_service"  # a red station's one-tap service log
RECORD_MEETING = "record_meeting"  # a workstation's deliberation meeting
RECORD_ACTIVITY = "record_activity"  # a workstation's monthly activity
ADD_MEMBER = "add_member"  # a workstation's vanguard member
RATE = "rate"  # the yearly star rating
EDIT = "edit"  # the point's own details

POINT_ACTIONS = (LOG_SERVICE, RECORD_MEETING, RECORD_ACTIVITY, ADD_MEMBER, RATE, EDIT)
# The ones the point's staff page offers as buttons; adding members and editing the point are API (and admin) only.
PAGE_ACTIONS = (LOG_SERVICE, RECORD_MEETING, RECORD_ACTIVITY, RATE)

# Which kind of point each record belongs to; the other actions fit every kind.
_ACTION_KIND = {
    LOG_SERVICE: ServicePoint.Kind.RED_STATION,
    RECORD_MEETING: ServicePoint.Kind.WORKSTATION,
    RECORD_ACTIVITY: ServicePoint.Kind.WORKSTATION,
    ADD_MEMBER: ServicePoint.Kind.WORKSTATION,
}


def visible_points_q(viewer: Viewer) -> Q:
    """Points the viewer may read on staff pages: their jurisdiction, plus their own points."""
    if viewer.jurisdiction is None:
        return Q()  # every point (an empty Q OR-ed with another would narrow it to the other)
    q = jurisdiction_q(viewer, unit_field="unit")
    return q | Q(pk__in=sorted(viewer.service_points)) if viewer.service_points else q


def can_manage_unit(viewer: Viewer, unit: GridUnit) -> bool:
    """A staff post over the unit (or a superuser): may add and change points there, rate them, staff them."""
    return viewer.is_staff_over(unit.path)


def can_work_on_point(viewer: Viewer, point: ServicePoint) -> bool:
    """May record services, meetings, activities and members for this point (its staff, or a staff post over it)."""
    return can_manage_unit(viewer, point.unit) or point.pk in viewer.service_points


def is_point_staff_only(viewer: Viewer) -> bool:
    """A person whose only standing is the staff of some points (no posts): their home is their points."""
    return bool(viewer.service_points) and not viewer.sees_everything and not viewer.has_posts


def allowed_actions(viewer: Viewer, point: ServicePoint) -> frozenset[str]:
    """What the viewer may do to this point now (names in POINT_ACTIONS); `point.unit` must be loaded."""
    actions: set[str] = set()
    if can_work_on_point(viewer, point):
        actions |= {action for action, kind in _ACTION_KIND.items() if point.kind == kind}
    if can_manage_unit(viewer, point.unit):
        actions |= {RATE, EDIT}
    return frozenset(actions)


# -- refusals, for the services (PermissionDenied: 403) ----------------------------------


def require_manage_unit(viewer: Viewer, unit: GridUnit) -> None:
    if not can_manage_unit(viewer, unit):
        raise PermissionDenied(_("“%(unit)s”不在您的管辖范围内。") % {"unit": unit.name})


def undo_window() -> dt.timedelta:
    """How long a red-station tap may be undone (setting RED_STATION_UNDO_SECONDS)."""
    return dt.timedelta(seconds=getattr(settings, "RED_STATION_UNDO_SECONDS", 120))


def can_undo_service(viewer: Viewer, entry, now: dt.datetime) -> bool:
    """Whoever logged a red-station tap may take it back within the undo window (a mistaken tap);
    after it, the entry stands (it counts in the tallies and the disclosure figures)."""
    return viewer.is_person and entry.logged_by_id == viewer.user_id and entry.logged_at >= now - undo_window()


def require_work_on_point(viewer: Viewer, point: ServicePoint) -> None:
    if not can_work_on_point(viewer, point):
        raise PermissionDenied(_("您可以查看该阵地，但不负责它的登记工作。"))


def require_manage_point(viewer: Viewer, point: ServicePoint, message: str = "") -> None:
    if not can_manage_unit(viewer, point.unit):
        raise PermissionDenied(message or _("只有管辖该阵地的工作人员可以修改它。"))
