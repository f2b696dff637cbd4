from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from grids import selectors


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit inside the viewer's jurisdiction: breadcrumbs, children with counts, people."""
    unit = selectors.unit_get(viewer=request.viewer, pk=pk)
    return render(
        request,
        "grids/unit_detail.html",
        {
            "unit": unit,
            "breadcrumbs": selectors.unit_breadcrumbs(viewer=request.viewer, unit=unit),
            "children": selectors.unit_children_with_counts(unit=unit),
            "posts": selectors.unit_posts(unit=unit),
        },
    )
