"""Who may make and revoke screen links, and what a screen link may read: pure functions of a Viewer.

A screen (大屏) is opened on a wall display with nobody logged in, so the link itself is the reader:
`screen_viewer(link)` is a program's Viewer over the link's subtree (like a statistics key), and every
figure the screen shows is read through it or through a unit already scoped to it.
"""

from __future__ import annotations

from django.db.models import Q

from grids.jurisdiction import paths_q
from grids.models import GridUnit, Post
from grids.viewer import Viewer, ViewerKind

from .models import ScreenLink

# A command centre runs at a district or the city (a street's screen is made by its district).
SCREEN_ROLES = frozenset({Post.Role.DISTRICT_STAFF, Post.Role.ORG_DEPARTMENT, Post.Role.CITY_ADMIN})
SCREEN_LEVELS = (GridUnit.Level.CITY, GridUnit.Level.DISTRICT, GridUnit.Level.STREET)


def can_manage_screens(viewer: Viewer) -> bool:
    """District staff, the organisation department, city administrators and superusers."""
    return viewer.is_person and (viewer.sees_everything or bool(viewer.paths_for(*SCREEN_ROLES)))


def can_create_screen_link(viewer: Viewer, unit: GridUnit) -> bool:
    """A screen of a city, district or street, made by district-level staff (or above) over that unit."""
    if not viewer.is_person or unit.level not in SCREEN_LEVELS:
        return False
    return viewer.sees_everything or viewer.holds_over(SCREEN_ROLES, unit.path)


def can_revoke_screen_link(viewer: Viewer, link: ScreenLink) -> bool:
    return can_create_screen_link(viewer, link.unit)


def screen_links_q(viewer: Viewer) -> Q:
    """The links a viewer may list and revoke: those of units under their district-level posts."""
    if not viewer.is_person:
        return Q(pk__in=[])
    if viewer.sees_everything:
        return Q()
    return paths_q(viewer.paths_for(*SCREEN_ROLES), unit_field="unit")


def screen_units_q(viewer: Viewer) -> Q:
    """The units a viewer may make a screen of (a Q on GridUnit)."""
    levels = Q(level__in=SCREEN_LEVELS)
    if viewer.sees_everything:
        return levels
    if not viewer.is_person:
        return Q(pk__in=[])
    return levels & paths_q(viewer.paths_for(*SCREEN_ROLES), unit_field=None)


def screen_viewer(link: ScreenLink) -> Viewer:
    """The reader behind a screen link: the link's subtree, nobody's person, nothing else."""
    return Viewer.for_client(ViewerKind.STATS_KEY, link, [link.unit.path], label=f"screen {link.prefix}")
