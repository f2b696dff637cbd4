"""The public directory of service points: no log-in, no personal data."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import selectors
from ..forms import DirectoryFilterForm

PAGE_SIZE = 30


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    """Every open service point, filtered by kind, level and district; four queries whatever the filter."""
    district_list = selectors.districts()
    form = DirectoryFilterForm(request.GET or None, districts=district_list)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    points = selectors.directory_points(
        viewer=request.viewer,
        kind=filters.get("kind") or "",
        level=filters.get("level") or "",
        district=filters.get("district"),
        q=filters.get("q") or "",
    )
    page = Paginator(points, PAGE_SIZE).get_page(request.GET.get("page"))
    for point in page.object_list:
        point.district = selectors.district_of(point, district_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "service_centers/point_directory.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@require_GET
def point_public(request: HttpRequest, pk: int) -> HttpResponse:
    """One open point: what it offers, its hours and address. The contact person is never shown here."""
    detail = selectors.directory_point_get(viewer=request.viewer, pk=pk)
    return render(request, "service_centers/point_public_detail.html", {"detail": detail, "point": detail.point})
