"""Reads of the Open311 app: services (issue categories) and service requests (issues), for a client.

Requests are read for the client's Viewer (`open311.auth.client_viewer`):
through `grids.jurisdiction`, a client sees only its unit's subtree, and a
request elsewhere is a 404 like one that does not exist.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Min, QuerySet
from django.http import Http404

from grids.jurisdiction import scope
from grids.models import GridUnit
from grids.viewer import Viewer
from issues.models import Issue, IssueCategory, IssuePhoto

from .spec import MAX_REQUESTS, MAX_SPAN, SPEC_STATUSES, RequestQuery, date_range

__all__ = [
    "MAX_REQUESTS",
    "MAX_SPAN",
    "REQUEST_COLUMNS",
    "RequestQuery",
    "first_photos",
    "request_get",
    "request_photo_get",
    "requests_list",
]

# Reads the same for every caller: what may be reported.
PUBLIC_SELECTORS_WITHOUT_VIEWER = {
    "services_list": "the active issue categories: public reference data, no unit-bound rows",
    "service_get": "one active issue category by code: public reference data, no unit-bound rows",
    "first_photos": "photo ids of issues a scoped selector above already returned to this viewer",
}

# Only what the GeoReport fields need, as plain rows (no model instances: a 1,000-row answer
# is dominated by building objects otherwise). Never the reporter or the resolution text; the
# resident's name and phone are read only to redact them from the free text, never output.
REQUEST_COLUMNS = (
    "pk",
    "status",
    "reject_reason",
    "description",
    "location_text",
    "latitude",
    "longitude",
    "created_at",
    "updated_at",
    "due_at",
    "resident_name",
    "resident_phone",
    "handler_kind",
    "category__code",
    "category__name",
    "category__name_en",
    "category__time_limit_hours",
    "unit__name",
    "handler_unit__name",
    "handler_department__name",
    "handler_department__name_en",
    "handler_team__name",
)


def services_list() -> QuerySet:
    """Every active issue category, as GeoReport services, in the portal's order."""
    return IssueCategory.objects.filter(is_active=True).order_by("sort_order", "code")


def service_get(*, code: str) -> IssueCategory:
    """An active category by its code, or 404."""
    category = services_list().filter(code=code).first()
    if category is None:
        raise Http404
    return category


def _base(viewer: Viewer) -> QuerySet:
    # The subtree's units first, then their issues: PostgreSQL then reads issue(unit_id, …) per unit
    # instead of walking the whole date index and joining (15 ms against 100 ms at 1,000,000 issues).
    units = scope(GridUnit.objects.all(), viewer, unit_field=None).values("pk")
    return Issue.objects.filter(unit_id__in=units)


def requests_list(*, viewer: Viewer, query: RequestQuery, now: datetime | None = None) -> list[dict]:
    """At most 1,000 requests in the viewer's subtree, newest first, as rows of REQUEST_COLUMNS: one query."""
    queryset = _base(viewer)
    if query.ids:
        queryset = queryset.filter(pk__in=query.ids)
    else:
        start, end = date_range(query.start, query.end, now=now)
        queryset = queryset.filter(created_at__gte=start, created_at__lte=end)
        if query.service_codes:
            queryset = queryset.filter(category__code__in=query.service_codes)
        if query.statuses:
            statuses: list[str] = []
            for status in set(query.statuses):
                statuses.extend(SPEC_STATUSES[status])
            queryset = queryset.filter(status__in=statuses)
    return list(queryset.order_by("-created_at", "-pk").values(*REQUEST_COLUMNS)[:MAX_REQUESTS])


def request_get(*, viewer: Viewer, pk: int) -> dict:
    """One request in the viewer's subtree (a row of REQUEST_COLUMNS), or 404, the same as for one that does not exist."""
    row = _base(viewer).filter(pk=pk).values(*REQUEST_COLUMNS).first()
    if row is None:
        raise Http404
    return row


def first_photos(issue_ids: list[int]) -> dict[int, int]:
    """The first photo of each of these issues (their `media_url`), as {issue id: photo id}: one query.

    Only called with ids a selector above has already scoped to the viewer.
    """
    if not issue_ids:
        return {}
    rows = IssuePhoto.objects.filter(issue_id__in=issue_ids).values("issue_id").annotate(first=Min("pk"))
    return {row["issue_id"]: row["first"] for row in rows}


def request_photo_get(*, viewer: Viewer, pk: int, photo_pk: int) -> IssuePhoto:
    """A photo of a request in the viewer's subtree, or 404 (the same as one that does not exist)."""
    photo = IssuePhoto.objects.filter(pk=photo_pk, issue__in=_base(viewer).filter(pk=pk)).first()
    if photo is None:
        raise Http404
    return photo
