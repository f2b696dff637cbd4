"""JSON that the map pages read (session log-in, the viewer's jurisdiction; grids.geography holds the rules)."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from grids.geography import maps
from grids.jurisdiction import get_scoped_or_404
from grids.models import GridUnit


def _bad_request(error: ValidationError) -> JsonResponse:
    return JsonResponse(error.message_dict, status=400, json_dumps_params={"ensure_ascii": False})


@login_required
@require_GET
@gzip_page  # boundaries hold no secret (no BREACH risk); a district's 5,760 zones are 1.6 MB raw, 120 KB gzipped
def unit_map(request: HttpRequest, pk: int) -> HttpResponse:
    """The unit's units at a level as GeoJSON for a zoom; 404 outside the jurisdiction, 400 naming a bad parameter."""
    unit = get_scoped_or_404(GridUnit.objects.only("id", "path", "level"), request.viewer, unit_field=None, pk=pk)
    try:
        level, zoom = maps.parse_map_query(unit, request.GET.get("level"), request.GET.get("zoom"))
        viewport = maps.parse_viewport(request.GET.get("bbox"))
    except ValidationError as error:
        return _bad_request(error)
    collection = maps.boundary_features(request.viewer, unit, level=level, zoom=zoom, viewport=viewport)
    body = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    response = HttpResponse(body, content_type="application/geo+json; charset=utf-8")
    # Boundaries change by import only; a map panned back and forth need not fetch them again for a while.
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
@require_GET
def locate(request: HttpRequest) -> JsonResponse:
    """A tapped or GPS point: WGS-84 coordinates and the viewer's micro-grid covering it (or null and why)."""
    try:
        answer = maps.locate(request.viewer, request.GET.get("lat"), request.GET.get("lng"), request.GET.get("crs"))
    except ValidationError as error:
        return _bad_request(error)
    return JsonResponse(answer, json_dumps_params={"ensure_ascii": False})
