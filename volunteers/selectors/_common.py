"""What the volunteer selectors share (a private module: no selector of its own)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404


def get_visible_or_404(queryset: QuerySet, q: Q, **lookup):
    """One row the viewer may see (`q`, from `volunteers.access`), or 404: never a hint that it exists elsewhere."""
    try:
        return queryset.filter(q).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc
