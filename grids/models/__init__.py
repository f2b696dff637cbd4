"""The grids app's models: the grid tree and its people (tree.py), importable from `grids.models`."""

from .tree import *  # noqa: F403
from .tree import (
    PATH_ALPHABET,
    PATH_STEP,
    GridUnit,
    GridUnitQuerySet,
    Post,
    PostQuerySet,
    User,
    ancestor_paths,
    path_step,
)

__all__ = [
    "PATH_ALPHABET",
    "PATH_STEP",
    "GridUnit",
    "GridUnitQuerySet",
    "Post",
    "PostQuerySet",
    "User",
    "ancestor_paths",
    "path_step",
]
