"""Pages of the grids app: the home page and the units of the tree."""

from .tree import home, unit_detail

__all__ = ["home", "unit_detail"]
