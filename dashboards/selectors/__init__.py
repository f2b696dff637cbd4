"""The figures of the report, computed from the data for a unit's subtree and a period.

Pages, the statistics API and exports all call these, so their numbers cannot
drift apart. One module per domain: issues, volunteers, service_points,
contracts; `overview` puts the headline figures of all of them together.
Every selector takes a unit already scoped to the viewer (`stats_unit()`,
`grids.jurisdiction`) or the viewer itself.
"""

from .common import OWN, Crumb, breadcrumbs, child_key, children_of, grid_overview, in_subtree, own_label, stats_unit

__all__ = [
    "OWN",
    "Crumb",
    "breadcrumbs",
    "child_key",
    "children_of",
    "grid_overview",
    "in_subtree",
    "own_label",
    "stats_unit",
]
