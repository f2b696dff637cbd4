"""Who may see and change which service points.

Reading follows `grids.jurisdiction`: a point is visible when its unit lies in
the viewer's jurisdiction. On top of that, a point's own staff
(`ServicePointStaff`, a red station's duty staff say) see and work on that
point, and only that point, whatever their posts.

Changing a point's records (logging services, meetings, activities, ratings)
needs one of: a staff post (community, street, district, organisation
department, city) whose subtree holds the point, or membership of the point's
staff. Grid workers read what lies in their micro-grid but do not change it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from grids.jurisdiction import jurisdiction_q, minimal_prefixes
from grids.models import GridUnit, Post

_STAFF_PATHS_ATTR = "_service_points_staff_paths"
_MEMBER_POINTS_ATTR = "_service_points_member_ids"


def staff_paths(viewer: Any) -> list[str] | None:
    """Subtrees where the viewer holds a staff post; None means everywhere (a superuser). Cached per request."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return []
    if viewer.is_superuser:
        return None
    cached = getattr(viewer, _STAFF_PATHS_ATTR, None)
    if cached is None:
        cached = minimal_prefixes(
            list(Post.objects.filter(user_id=viewer.pk, role__in=Post.STAFF_ROLES).values_list("unit__path", flat=True))
        )
        setattr(viewer, _STAFF_PATHS_ATTR, cached)
    return cached


def member_point_ids(viewer: Any) -> frozenset[int]:
    """The points whose staff the viewer belongs to. Cached per request."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return frozenset()
    cached = getattr(viewer, _MEMBER_POINTS_ATTR, None)
    if cached is None:
        from .models import ServicePointStaff

        cached = frozenset(ServicePointStaff.objects.filter(user_id=viewer.pk).values_list("point_id", flat=True))
        setattr(viewer, _MEMBER_POINTS_ATTR, cached)
    return cached


def forget_access(viewer: Any) -> None:
    for attr in (_STAFF_PATHS_ATTR, _MEMBER_POINTS_ATTR):
        if hasattr(viewer, attr):
            delattr(viewer, attr)


def visible_points_q(viewer: Any) -> Q:
    """Points the viewer may read on staff pages: jurisdiction, plus their own points."""
    members = member_point_ids(viewer)
    q = jurisdiction_q(viewer, unit_field="unit")
    return q | Q(pk__in=sorted(members)) if members else q


def can_manage_unit(viewer: Any, unit: GridUnit) -> bool:
    """A staff post over the unit (or a superuser)."""
    paths = staff_paths(viewer)
    if paths is None:
        return True
    return any(unit.path.startswith(path) for path in paths)


def can_work_on_point(viewer: Any, point) -> bool:
    """May record services, meetings, activities and ratings for this point."""
    return point.pk in member_point_ids(viewer) or can_manage_unit(viewer, point.unit)


def is_point_staff_only(viewer: Any) -> bool:
    """A person whose only standing is the staff of some points (no posts): their home is their points."""
    return bool(member_point_ids(viewer)) and not viewer.is_superuser and not Post.objects.filter(user=viewer).exists()
