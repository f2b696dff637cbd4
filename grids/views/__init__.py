"""Pages of the grids app: tree.py (home, units), issues.py (resident issues), notifications.py."""

from .tree import home, unit_detail

__all__ = ["home", "unit_detail"]
