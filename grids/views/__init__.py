"""Pages of the grids app: the units of the tree (the home page is the workbench's), and the maps' JSON."""

from .maps import locate, unit_map
from .tree import unit_detail

__all__ = ["locate", "unit_detail", "unit_map"]
