"""Who may manage which people and posts: pure predicates of the Viewer.

Staff (community staff and above) manage the people holding posts in their staff
subtree, and only posts at or below their own level: a street's staff manage
the street's own staff posts and everything under the street, never a district
post, and never a post in another street. The organisation department's post is
granted only by the organisation department or the city; the city's only by the city.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from grids.jurisdiction import paths_q
from grids.models import PATH_STEP, Post
from grids.viewer import PostHeld, Viewer

# Roles only their own kind (or the city) may grant, though they sit at a level others hold too.
_RESERVED = {
    Post.Role.ORG_DEPARTMENT: {Post.Role.ORG_DEPARTMENT, Post.Role.CITY_ADMIN},
    Post.Role.CITY_ADMIN: {Post.Role.CITY_ADMIN},
}


def role_level(role: str) -> int:
    """The highest level (smallest number) a role is held at."""
    return Post.ROLE_LEVELS[Post.Role(role)][0]


def _staff_posts(viewer: Viewer) -> tuple[PostHeld, ...]:
    return tuple(p for p in viewer.posts if p.role in Post.STAFF_ROLES)


def can_open_people(viewer: Viewer) -> bool:
    """The people pages are for staff: community staff and above."""
    return viewer.is_person and (viewer.sees_everything or bool(_staff_posts(viewer)))


def people_q(viewer: Viewer, *, prefix: str = "") -> Q:
    """Posts (or rows with a `<prefix>unit`) inside the viewer's staff subtrees."""
    return paths_q(viewer.staff_paths, unit_field=f"{prefix}unit")


def _grants(held: PostHeld, role: str, path: str) -> bool:
    if not path.startswith(held.path):
        return False
    held_level = len(held.path) // PATH_STEP
    if role_level(role) < held_level:
        return False
    reserved = _RESERVED.get(Post.Role(role))
    return reserved is None or held.role in reserved


def can_manage_post(viewer: Viewer, role: str, unit_path: str) -> bool:
    """May grant, move to, or retire a post of `role` at the unit with `unit_path`."""
    if not viewer.is_person:
        return False
    if viewer.sees_everything:
        return True
    return any(_grants(held, role, unit_path) for held in _staff_posts(viewer))


def grant_refusal(viewer: Viewer, role: str, unit_path: str) -> str | None:
    """Why the viewer may not grant this post: "outside" their subtrees, "above" their level, or None."""
    if can_manage_post(viewer, role, unit_path):
        return None
    staff = _staff_posts(viewer)
    if any(unit_path.startswith(held.path) for held in staff):
        return "above"
    highest = min((len(held.path) // PATH_STEP for held in staff), default=None)
    if highest is not None and role_level(role) < highest:
        return "above"
    return "outside"


def grantable_roles(viewer: Viewer, unit_path: str) -> list[str]:
    return [role for role in Post.Role.values if can_manage_post(viewer, role, unit_path)]


def can_see_person(viewer: Viewer, post_paths: Iterable[str]) -> bool:
    """A person is visible when one of their posts (current or past) lies in the viewer's staff subtree."""
    if not can_open_people(viewer):
        return False
    return any(viewer.is_staff_over(path) for path in post_paths)


def can_manage_person(viewer: Viewer, person, posts: Iterable[tuple[str, str]]) -> bool:
    """Send a link to, lock, or offboard a person: every post they hold (role, unit path) is the viewer's
    to manage (a street's staff cannot lock a district officer who also serves in their street),
    and never oneself."""
    posts = list(posts)
    if not posts or person.pk == viewer.user_id or person.is_superuser:
        return False
    return all(can_manage_post(viewer, role, path) for role, path in posts)


def allowed_actions(
    viewer: Viewer, person, current: Iterable[tuple[str, str]], past: Iterable[tuple[str, str]]
) -> set[str]:
    """What the person page offers: the buttons, the views' checks and the services' checks agree."""
    current = list(current)
    actions: set[str] = set()
    if can_manage_person(viewer, person, current or list(past)):
        actions |= {"send_link", "add_post"}
        if person.is_active and current:
            actions.add("lock")
    elif current and can_open_people(viewer):
        # Someone else's officer may still be given a post of ours (a district officer who also serves here).
        actions.add("add_post")
    return actions
