"""Who may see which units: the one place that turns a Viewer into a filter.

A viewer's jurisdiction is the union of the subtrees of the units they hold
posts at (`Viewer.jurisdiction`, computed once when the Viewer is built).
Every queryset in the project that shows unit-bound rows goes through
`scope()` (or `jurisdiction_q()`), so a forgotten filter cannot leak another
grid's data. A superuser and the system see everything; a statistics key or
an Open311 client sees the subtree it names.

Each function takes a Viewer; a User is accepted too and turned into the
Viewer of the request in hand (`grids.viewer.viewer_of`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from .models import GridUnit
from .viewer import Viewer, minimal_prefixes, viewer_of

__all__ = [
    "can_see_unit",
    "get_scoped_or_404",
    "jurisdiction_paths",
    "jurisdiction_q",
    "minimal_prefixes",
    "paths_q",
    "probed_per_row",
    "scope",
    "unit_in_jurisdiction",
]


def jurisdiction_paths(viewer: Viewer | Any) -> list[str] | None:
    """Tree paths of the subtrees the viewer may read; None means everything."""
    paths = viewer_of(viewer).jurisdiction
    return None if paths is None else list(paths)


def paths_q(paths, *, unit_field: str | None = "unit") -> Q:
    """Rows whose unit lies under one of `paths` (None: every row; empty: none)."""
    if paths is None:
        return Q()
    if not paths:
        return Q(pk__in=[])
    lookup = "path__startswith" if unit_field is None else f"{unit_field}__path__startswith"
    q = Q()
    for path in paths:
        q |= Q(**{lookup: path})
    return q


def jurisdiction_q(viewer: Viewer | Any, *, unit_field: str | None = "unit") -> Q:
    """A Q that keeps rows whose unit lies in the viewer's jurisdiction.

    `unit_field` is the lookup to the GridUnit (None when filtering GridUnits).
    """
    return paths_q(viewer_of(viewer).jurisdiction, unit_field=unit_field)


_PER_ROW = ContextVar("jurisdiction_probed_per_row", default=False)


class _UnitIn(Exists):
    """EXISTS(the row's unit is in the jurisdiction), planned as the database chooses (on PostgreSQL, beside
    other OR'd conditions, a hashed set of the jurisdiction's units or a lookup per row) except inside
    `probed_per_row()`, where OFFSET 0 keeps it a lookup per row."""

    def as_sql(self, compiler, connection, template=None, **extra_context):
        if _PER_ROW.get():
            template = "EXISTS(%(subquery)s OFFSET 0)"
        return super().as_sql(compiler, connection, template, **extra_context)


def unit_in_jurisdiction(viewer: Viewer | Any, *, unit_field: str = "unit_id") -> Exists:
    """True for rows whose unit (`unit_field`, the key of a GridUnit) lies in the viewer's jurisdiction."""
    return _UnitIn(GridUnit.objects.filter(jurisdiction_q(viewer, unit_field=None), pk=OuterRef(unit_field)))


@contextmanager
def probed_per_row() -> Iterator[None]:
    """Queries compiled inside check `unit_in_jurisdiction` row by row, never by hashing the jurisdiction's
    units first: for a first page, which stops after 50 matches, where hashing a district's 73,000 units
    at --scale 10 cost 15 ms a statement (a count or an aggregate, which reads every row, is better hashed)."""
    token = _PER_ROW.set(True)
    try:
        yield
    finally:
        _PER_ROW.reset(token)


def scope(queryset: QuerySet, viewer: Viewer | Any, *, unit_field: str | None = "unit") -> QuerySet:
    """The queryset limited to the viewer's jurisdiction."""
    return queryset.filter(jurisdiction_q(viewer, unit_field=unit_field))


def can_see_unit(viewer: Viewer | Any, unit) -> bool:
    return viewer_of(viewer).sees_path(unit.path)


def get_scoped_or_404(queryset: QuerySet, viewer: Viewer | Any, *, unit_field: str | None = "unit", **lookup):
    """One row inside the viewer's jurisdiction, or 404: never a hint that it exists elsewhere."""
    try:
        return scope(queryset, viewer, unit_field=unit_field).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc
