"""The unit issue list's map (issue 14): the points of the same filtered list as JSON.

Beside `views.unit_issues` because it must read the very same filters (`views._issue_filters`: period,
status, category, overdue) and the same selector (`issues.selectors.issue_list`); the points themselves,
their cap and their precision per viewer are `issues.map_points`'. A unit outside the viewer's
jurisdiction is a 404; a bad filter a 400 naming the field.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from grids.map_display import map_config
from guilin_portal.db_router import reading_from_replica
from issues.map_points import issue_map_points
from issues.selectors import issue_list

from .views import _issue_filters, _unit


@login_required
@require_GET
def unit_issue_points(request: HttpRequest, pk: int) -> JsonResponse:
    """The located issues of the unit's filtered list (newest first, capped), at the viewer's precision."""
    unit = _unit(request, pk)
    period_form, filter_form, filters = _issue_filters(request, unit)
    if filters is None:
        errors = {
            name: [str(m) for m in messages] for name, messages in {**period_form.errors, **filter_form.errors}.items()
        }
        return JsonResponse(errors, status=400, json_dumps_params={"ensure_ascii": False})
    with reading_from_replica():
        result = issue_map_points(viewer=request.viewer, issues=issue_list(viewer=request.viewer, filters=filters))
    return JsonResponse(
        {"crs": map_config().crs, "cap": result.cap, "capped": result.capped, "points": result.points},
        json_dumps_params={"ensure_ascii": False},
    )
