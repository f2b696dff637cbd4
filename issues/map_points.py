"""The points of an issue list for its map (issue 14): the same scoped, filtered rows as the list, capped.

The caller passes the list's own queryset (e.g. `issue_list(viewer=..., filters=...)`), so the map and
the list cannot disagree on which issues they show. Each point is shown at the viewer's precision
(issues.access.issue_point_for: exact for the reporter and the handlers, like the resident's contact;
about 100 m for everyone else), then moved into the tiles' system for display (grids.map_display).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from grids.map_display import display_position
from grids.viewer import Viewer
from issues.access import issue_point_for

# A district's filtered list can hold tens of thousands of located issues; a map of more than this many
# dots says nothing a narrower filter would not say better (the page tells the viewer to narrow it).
MAP_POINT_CAP = 2000


@dataclass
class MapPoints:
    points: list[dict] = field(default_factory=list)
    capped: bool = False
    cap: int = MAP_POINT_CAP


def issue_map_points(*, viewer: Viewer, issues: QuerySet, cap: int = MAP_POINT_CAP) -> MapPoints:
    """The located issues of a list already scoped to the viewer (newest first), at most `cap`: one query."""
    rows = list(issues.exclude(latitude=None).exclude(longitude=None)[: cap + 1])
    now = timezone.now()
    points = []
    for issue in rows[:cap]:
        lat, lng = issue_point_for(viewer, issue)  # the one precision rule (exact for reporter and handlers)
        overdue = issue.is_overdue(now)
        points.append(
            {
                "id": issue.pk,
                "url": reverse("issues:issue_detail", args=[issue.pk]),
                "at": display_position(lat, lng),
                "status": "overdue" if overdue else issue.status,
                "status_label": issue.get_status_display(),
                "overdue": overdue,
                "category": issue.category.display_name if issue.category_id else "",
                "unit": issue.unit.name,
                "created_at": timezone.localtime(issue.created_at).strftime("%m-%d %H:%M"),
            }
        )
    return MapPoints(points=points, capped=len(rows) > cap, cap=cap)
