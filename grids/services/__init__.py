"""Writes of the grids app: the grid tree and posts (tree.py), re-exported here."""

from .tree import (
    post_assign,
    post_remove,
    unit_create,
    unit_move,
    unit_update,
    validate_post,
    validate_unit_parent,
)

__all__ = [
    "post_assign",
    "post_remove",
    "unit_create",
    "unit_move",
    "unit_update",
    "validate_post",
    "validate_unit_parent",
]
