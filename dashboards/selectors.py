"""The figures of the report, computed from the data for a unit's subtree.

Pages, the statistics API and exports all call these, so their numbers
cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from grids.jurisdiction import get_scoped_or_404, jurisdiction_paths
from grids.models import GridUnit, Post


def stats_unit(*, viewer: Any, unit_id: int | None) -> GridUnit:
    """The unit a statistics request is about: the one asked for (404 outside the
    viewer's jurisdiction), else the viewer's own top unit."""
    if unit_id is not None:
        return get_scoped_or_404(GridUnit.objects.all(), viewer, unit_field=None, pk=unit_id)
    paths = jurisdiction_paths(viewer)
    if paths is None:
        return GridUnit.objects.get(level=GridUnit.Level.CITY)
    if not paths:
        raise GridUnit.DoesNotExist
    return GridUnit.objects.get(path=paths[0])


def grid_overview(*, unit: GridUnit) -> dict[str, int]:
    """Micro-grids, zones, compounds and the people who serve them, in two queries."""
    units = GridUnit.objects.filter(path__startswith=unit.path).aggregate(
        micro_grids=Count("pk", filter=Q(level=GridUnit.Level.AREA)),
        compounds=Count("pk", filter=Q(level=GridUnit.Level.COMPOUND)),
        property_managed_compounds=Count("pk", filter=Q(level=GridUnit.Level.COMPOUND, is_property_managed=True)),
        responsibility_zones=Count("pk", filter=Q(level=GridUnit.Level.ZONE)),
        communities=Count("pk", filter=Q(level=GridUnit.Level.COMMUNITY)),
    )
    people = Post.objects.filter(unit__path__startswith=unit.path).aggregate(
        grid_leaders_and_workers=Count(
            "user", filter=Q(role__in=[Post.Role.GRID_LEADER, Post.Role.GRID_WORKER]), distinct=True
        ),
        party_instructors=Count("user", filter=Q(role=Post.Role.PARTY_INSTRUCTOR), distinct=True),
    )
    return units | people
