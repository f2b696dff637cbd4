"""Who may see what: the one place that turns a viewer into a filter.

A viewer's jurisdiction is the union of the subtrees of the units they hold
posts at. Every queryset in the project that shows unit-bound rows goes
through `scope()` (or `jurisdiction_q()`), so a forgotten filter cannot leak
another grid's data. A superuser sees everything.

A "viewer" is a User, or anything with a `jurisdiction_paths()` method that
returns the tree paths it may read (an API key of a statistics client).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

_CACHE_ATTR = "_jurisdiction_paths_cache"


def minimal_prefixes(paths: list[str]) -> list[str]:
    """Drop every path that lies under another one in the list."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return kept


def jurisdiction_paths(viewer: Any) -> list[str] | None:
    """Tree paths of the subtrees the viewer may read; None means everything.

    Cached on the viewer object for the length of a request.
    """
    if viewer is None or not getattr(viewer, "is_authenticated", True):
        return []
    if getattr(viewer, "is_superuser", False):
        return None
    cached = getattr(viewer, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if hasattr(viewer, "jurisdiction_paths"):
        paths = minimal_prefixes(list(viewer.jurisdiction_paths()))
    else:
        from grids.models import Post

        paths = minimal_prefixes(list(Post.objects.filter(user_id=viewer.pk).values_list("unit__path", flat=True)))
    setattr(viewer, _CACHE_ATTR, paths)
    return paths


def forget_jurisdiction(viewer: Any) -> None:
    """Call after changing a user's posts in the same request."""
    if hasattr(viewer, _CACHE_ATTR):
        delattr(viewer, _CACHE_ATTR)


def jurisdiction_q(viewer: Any, *, unit_field: str | None = "unit") -> Q:
    """A Q that keeps rows whose unit lies in the viewer's jurisdiction.

    `unit_field` is the lookup to the GridUnit (None when filtering GridUnits).
    """
    paths = jurisdiction_paths(viewer)
    if paths is None:
        return Q()
    if not paths:
        return Q(pk__in=[])
    lookup = "path__startswith" if unit_field is None else f"{unit_field}__path__startswith"
    q = Q()
    for path in paths:
        q |= Q(**{lookup: path})
    return q


def scope(queryset: QuerySet, viewer: Any, *, unit_field: str | None = "unit") -> QuerySet:
    """The queryset limited to the viewer's jurisdiction."""
    return queryset.filter(jurisdiction_q(viewer, unit_field=unit_field))


def can_see_unit(viewer: Any, unit) -> bool:
    paths = jurisdiction_paths(viewer)
    if paths is None:
        return True
    return any(unit.path.startswith(path) for path in paths)


def get_scoped_or_404(queryset: QuerySet, viewer: Any, *, unit_field: str | None = "unit", **lookup):
    """One row inside the viewer's jurisdiction, or 404: never a hint that it exists elsewhere."""
    try:
        return scope(queryset, viewer, unit_field=unit_field).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc
