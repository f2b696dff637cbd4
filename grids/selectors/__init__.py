"""Reads of the grids app, always on behalf of a viewer: tree.py (units, people), issues.py (issues)."""

from .issues import *  # noqa: F403
from .issues import __all__ as _issue_names
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
    *_issue_names,
]
