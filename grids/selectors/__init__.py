"""Reads of the grids app (the tree and its people), always on behalf of a viewer."""

from .tree import (
    Crumb,
    UnitCounts,
    home_summary,
    jurisdiction_unit_count,
    posts_of,
    unit_breadcrumbs,
    unit_children_with_counts,
    unit_get,
    unit_list,
    unit_posts,
)

__all__ = [
    "Crumb",
    "UnitCounts",
    "home_summary",
    "jurisdiction_unit_count",
    "posts_of",
    "unit_breadcrumbs",
    "unit_children_with_counts",
    "unit_get",
    "unit_list",
    "unit_posts",
]
