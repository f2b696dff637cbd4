"""Forms of the grids app: units and posts."""

from .tree import GridUnitForm, PostForm, add_validation_error

__all__ = ["GridUnitForm", "PostForm", "add_validation_error"]
