"""Reads of the Open311 app: services (issue categories) and service requests (issues), for a client.

Requests are read on behalf of an `Open311Client` as the viewer: through
`grids.jurisdiction`, a client sees only its unit's subtree, and a request
elsewhere is a 404 like one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from grids.jurisdiction import scope
from grids.models import GridUnit
from issues.models import Issue, IssueCategory

from .models import Open311Client

# GeoReport v2: "When not specified, the range defaults to most recent 90 days",
# a range "may not span more than 90 days", and at most 1,000 requests are returned.
DEFAULT_DAYS = 90
MAX_SPAN = timedelta(days=DEFAULT_DAYS)
MAX_REQUESTS = 1000

# Our statuses as GeoReport's two. A resolved issue is closed for the spec (the handler is done);
# a dissatisfied resident reopens it, and it is open again.
OPEN = "open"
CLOSED = "closed"
SPEC_STATUSES: dict[str, tuple[str, ...]] = {
    OPEN: tuple(Issue.OPEN_STATUSES),
    CLOSED: (Issue.Status.RESOLVED, Issue.Status.CLOSED, Issue.Status.REJECTED),
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


def spec_status(status: str) -> str:
    return OPEN if status in SPEC_STATUSES[OPEN] else CLOSED


def services_list() -> QuerySet:
    """Every active issue category, as GeoReport services, in the portal's order."""
    return IssueCategory.objects.filter(is_active=True).order_by("sort_order", "code")


def service_get(*, code: str) -> IssueCategory:
    """An active category by its code, or 404."""
    category = services_list().filter(code=code).first()
    if category is None:
        raise Http404
    return category


@dataclass(frozen=True)
class RequestQuery:
    """GET requests' arguments, already parsed. `ids` overrides everything else (GeoReport v2)."""

    ids: tuple[int, ...] = ()
    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None


def date_range(
    start: datetime | None, end: datetime | None, *, now: datetime | None = None
) -> tuple[datetime, datetime]:
    """The requested range with the spec's defaults: the last 90 days, or 90 days from the one end given."""
    if start is None and end is None:
        end = now or timezone.now()
    if start is None:
        start = end - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN
    return start, end


def _base(viewer: Open311Client) -> QuerySet:
    # The subtree's units first, then their issues: PostgreSQL then reads issue(unit_id, …) per unit
    # instead of walking the whole date index and joining (15 ms against 100 ms at 1,000,000 issues).
    units = scope(GridUnit.objects.all(), viewer, unit_field=None).values("pk")
    return Issue.objects.filter(unit_id__in=units)


def requests_list(*, viewer: Open311Client, query: RequestQuery, now: datetime | None = None) -> list[dict]:
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


def request_get(*, viewer: Open311Client, pk: int) -> dict:
    """One request in the viewer's subtree (a row of REQUEST_COLUMNS), or 404, the same as for one that does not exist."""
    row = _base(viewer).filter(pk=pk).values(*REQUEST_COLUMNS).first()
    if row is None:
        raise Http404
    return row
