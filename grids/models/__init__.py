"""The grids app's models: the grid tree and its people (tree.py), resident issues (issues.py).

Everything public in both modules is importable from `grids.models`.
"""

from .issues import *  # noqa: F403
from .issues import (
    DeadlineExtension,
    Department,
    HandlerKind,
    Issue,
    IssueCategory,
    IssueEvent,
    IssueKind,
    IssuePhoto,
    IssueTask,
    Notification,
    RoutingRule,
    mask_phone,
)
from .tree import *  # noqa: F403
from .tree import PATH_ALPHABET, PATH_STEP, GridUnit, GridUnitQuerySet, Post, User, ancestor_paths, path_step

__all__ = [
    "PATH_ALPHABET",
    "PATH_STEP",
    "DeadlineExtension",
    "Department",
    "GridUnit",
    "GridUnitQuerySet",
    "HandlerKind",
    "Issue",
    "IssueCategory",
    "IssueEvent",
    "IssueKind",
    "IssuePhoto",
    "IssueTask",
    "Notification",
    "Post",
    "RoutingRule",
    "User",
    "ancestor_paths",
    "mask_phone",
    "path_step",
]
