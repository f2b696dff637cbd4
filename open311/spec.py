"""GeoReport v2's own rules, as this endpoint applies them: its two statuses, the default range, the limits.

Pure functions and constants: no reads (those are in `selectors`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from issues.models import Issue

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


def spec_status(status: str) -> str:
    """Our status as GeoReport's `open` or `closed`."""
    return OPEN if status in SPEC_STATUSES[OPEN] else CLOSED


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
