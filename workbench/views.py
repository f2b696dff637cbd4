"""The home page: a person's workbench, or the public landing for visitors."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """工作台: one card per role the viewer holds. Visitors get the public landing: the disclosure
    board, the service-point directory and the log-in."""
    viewer = request.viewer
    if not viewer.is_person:
        return render(request, "workbench/landing.html")
    return render(request, "workbench/home.html", {"cards": selectors.workbench(viewer=viewer)})
