"""Reads of the grid tree and of people, always on behalf of a viewer."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import Substr

from grids.jurisdiction import can_see_unit, get_scoped_or_404, jurisdiction_paths, scope
from grids.models import PATH_STEP, GridUnit, GridUnitQuerySet, Post, User, ancestor_paths
from grids.viewer import Viewer, viewer_of


def unit_list(*, viewer: Viewer) -> GridUnitQuerySet:
    return scope(GridUnit.objects.all(), viewer, unit_field=None)


def unit_get(*, viewer: Viewer, pk: int) -> GridUnit:
    """A unit inside the viewer's jurisdiction, or 404."""
    return get_scoped_or_404(GridUnit.objects.select_related("parent"), viewer, unit_field=None, pk=pk)


@dataclass(frozen=True)
class Crumb:
    unit: GridUnit
    visible: bool  # a link only where the viewer may open it


def unit_breadcrumbs(*, viewer: Viewer, unit: GridUnit) -> list[Crumb]:
    """Ancestors from the city down, in one query."""
    ancestors = GridUnit.objects.filter(path__in=ancestor_paths(unit.path)).order_by("path")
    return [Crumb(unit=ancestor, visible=can_see_unit(viewer, ancestor)) for ancestor in ancestors]


@dataclass(frozen=True)
class UnitCounts:
    unit: GridUnit
    units_below: int
    people: int


def _subtree_counts_by_prefix(parent_path: str, child_depth: int) -> tuple[dict[str, int], dict[str, int]]:
    """Units and people per child subtree of `parent_path`, two grouped queries."""
    prefix_len = child_depth * PATH_STEP
    units = dict(
        GridUnit.objects.filter(path__startswith=parent_path, level__gt=child_depth)
        .annotate(child_path=Substr("path", 1, prefix_len))
        .values("child_path")
        .annotate(n=Count("pk"))
        .values_list("child_path", "n")
    )
    people = dict(
        Post.objects.filter(unit__path__startswith=parent_path, unit__level__gte=child_depth)
        .annotate(child_path=Substr("unit__path", 1, prefix_len))
        .values("child_path")
        .annotate(n=Count("user", distinct=True))
        .values_list("child_path", "n")
    )
    return units, people


def unit_children_with_counts(*, unit: GridUnit) -> list[UnitCounts]:
    """The unit's children, each with the units below it and the people holding posts in it.

    Three queries whatever the size of the subtree.
    """
    children = list(GridUnit.objects.filter(parent=unit).order_by("path"))
    if not children:
        return []
    units, people = _subtree_counts_by_prefix(unit.path, unit.level + 1)
    return [
        UnitCounts(unit=child, units_below=units.get(child.path, 0), people=people.get(child.path, 0))
        for child in children
    ]


def unit_posts(*, unit: GridUnit) -> list[Post]:
    """The people holding posts at this very unit."""
    return list(Post.objects.filter(unit=unit).select_related("user").order_by("role", "user__username"))


def posts_of(*, user: User) -> list[Post]:
    return list(Post.objects.filter(user=user).select_related("unit").order_by("unit__path", "role"))


def home_summary(*, viewer: Viewer) -> list[UnitCounts]:
    """For each unit the viewer holds a post at: the units below it and the people in it.

    Two aggregate queries (plus the posts), whatever the number of posts or units.
    """
    viewer = viewer_of(viewer)
    if viewer.user_id is None:
        return []
    if viewer.sees_everything and not viewer.has_posts:
        roots = list(GridUnit.objects.filter(level=GridUnit.Level.CITY))
    else:
        # A subquery, not the Viewer's posts: the page needs no standing beyond this.
        posts = Post.objects.filter(user_id=viewer.user_id).values("unit")
        roots = list(GridUnit.objects.filter(pk__in=posts).order_by("path"))
    if not roots:
        return []
    unit_aggregates = {
        f"u{i}": Count("pk", filter=Q(path__startswith=root.path) & ~Q(pk=root.pk)) for i, root in enumerate(roots)
    }
    people_aggregates = {
        f"p{i}": Count("user", filter=Q(unit__path__startswith=root.path), distinct=True)
        for i, root in enumerate(roots)
    }
    any_root = Q()
    any_post_root = Q()
    for root in roots:
        any_root |= Q(path__startswith=root.path)
        any_post_root |= Q(unit__path__startswith=root.path)
    units = GridUnit.objects.filter(any_root).aggregate(**unit_aggregates)
    people = Post.objects.filter(any_post_root).aggregate(**people_aggregates)
    return [UnitCounts(unit=root, units_below=units[f"u{i}"], people=people[f"p{i}"]) for i, root in enumerate(roots)]


def jurisdiction_unit_count(*, viewer: Viewer) -> int:
    """How many units the viewer may see: one query."""
    if jurisdiction_paths(viewer) is None:
        return GridUnit.objects.count()
    return unit_list(viewer=viewer).count()
