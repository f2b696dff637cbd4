"""The import kinds, by name (the URL slug): each has its columns, plan, apply and export."""

from __future__ import annotations

from django.http import Http404

from .base import ImportKind
from .people import KIND as PEOPLE
from .places import COBUILDING_UNITS, SERVICE_POINTS
from .tree import KIND as GRID_TREE
from .volunteers import VOLUNTEER_MEMBERS, VOLUNTEER_TEAMS

KINDS: dict[str, ImportKind] = {
    kind.name: kind
    for kind in (GRID_TREE, PEOPLE, SERVICE_POINTS, COBUILDING_UNITS, VOLUNTEER_TEAMS, VOLUNTEER_MEMBERS)
}


def kind_get(name: str) -> ImportKind:
    try:
        return KINDS[name]
    except KeyError as exc:
        raise Http404 from exc
