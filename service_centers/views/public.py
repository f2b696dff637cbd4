"""The public directory of service points: no log-in, no personal data."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from grids.map_display import display_position

from .. import selectors
from ..forms import DirectoryFilterForm
from ..navigation import distance_m, navigation_links

NAV_LABELS = {"amap": gettext_lazy("高德地图导航"), "baidu": gettext_lazy("百度地图导航")}

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
        near=filters.get("near"),
    )
    page = Paginator(points, PAGE_SIZE).get_page(request.GET.get("page"))
    near = filters.get("near")
    markers = []
    for point in page.object_list:
        point.district = selectors.district_of(point, district_list)
        point.nav_links = navigation_links(name=point.name, lat=point.latitude, lng=point.longitude)
        point.distance_m = None
        if near is not None and point.latitude is not None:
            point.distance_m = distance_m(*near, float(point.latitude), float(point.longitude))
        point.distance_text = _distance_text(point.distance_m)
        position = display_position(point.latitude, point.longitude)
        if position is not None:
            markers.append(_marker(point, position))
    query = request.GET.copy()
    query.pop("page", None)
    without_near = request.GET.copy()
    for key in ("page", "near"):
        without_near.pop(key, None)
    return render(
        request,
        "service_centers/point_directory.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "near": near,
            "without_near": without_near.urlencode(),
            "markers": markers,
        },
    )


def _marker(point, position: list[float]) -> dict:
    """What the map's popup of a point shows (public fields only) and where it is drawn."""
    return {
        "id": point.pk,
        "at": position,
        "name": point.name,
        "kind": point.get_kind_display(),
        "hours": point.opening_hours,
        "address": point.address,
        "url": reverse("service_centers:point_public", args=[point.pk]),
        "distance": point.distance_text,
        "nav": [{"app": link.app, "label": NAV_LABELS[link.app], "url": link.url} for link in point.nav_links],
    }


def _distance_text(metres: float | None) -> str:
    if metres is None:
        return ""
    if metres < 1000:
        return _("%(m)s 米") % {"m": int(round(metres, -1))}
    return _("%(km)s 公里") % {"km": f"{metres / 1000:.1f}"}


@require_GET
def point_public(request: HttpRequest, pk: int) -> HttpResponse:
    """One open point: what it offers, its hours and address. The contact person is never shown here."""
    detail = selectors.directory_point_get(viewer=request.viewer, pk=pk)
    point = detail.point
    position = display_position(point.latitude, point.longitude)
    point.nav_links = navigation_links(name=point.name, lat=point.latitude, lng=point.longitude)
    point.distance_text = ""
    return render(
        request,
        "service_centers/point_public_detail.html",
        {"detail": detail, "point": point, "markers": [_marker(point, position)] if position else []},
    )
