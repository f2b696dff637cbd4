"""Pages of the grids app: the units of the tree (the home page is the workbench's)."""

from .tree import unit_detail

__all__ = ["unit_detail"]
