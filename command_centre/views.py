"""Command-centre pages: the staff's screen links (make, list, revoke) and the screen itself.

The screen and its data are opened by a link's token, with nobody logged in: an unknown, revoked or
expired token is a 404, on the page and on every refresh of its data.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .access import can_manage_screens
from .forms import ScreenLinkForm
from .models import ScreenLink
from .selectors import refresh_seconds, screen_links, screen_payload
from .services import screen_link_create, screen_link_open, screen_link_revoke


@login_required
@require_http_methods(["GET", "POST"])
def link_list(request: HttpRequest) -> HttpResponse:
    """The screen links of the viewer's districts; a form makes a new one, whose address is shown once."""
    viewer = request.viewer
    if not can_manage_screens(viewer):
        raise PermissionDenied
    form = ScreenLinkForm(request.POST or None, viewer=viewer)
    new_url = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            link, token = screen_link_create(
                viewer=viewer, unit=form.cleaned_data["unit"], name=form.cleaned_data["name"]
            )
            new_url = request.build_absolute_uri(reverse("command_centre:screen", args=[token]))
            form = ScreenLinkForm(viewer=viewer)
            status = 200
        else:
            status = 400
    context = {"form": form, "links": screen_links(viewer=viewer), "new_url": new_url}
    return render(request, "command_centre/link_list.html", context, status=status)


@login_required
@require_POST
def link_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        link = screen_links(viewer=request.viewer).get(pk=pk)
    except ScreenLink.DoesNotExist as error:
        raise Http404 from error
    screen_link_revoke(viewer=request.viewer, link=link)
    messages.success(request, _("大屏链接“%(name)s”已吊销。") % {"name": link.name})
    return redirect("command_centre:link_list")


def _link(token: str) -> ScreenLink:
    link = screen_link_open(token)
    if link is None:
        raise Http404
    return link


@require_GET
@never_cache
def screen(request: HttpRequest, token: str) -> HttpResponse:
    """The 1920×1080 wall screen of the link's unit; its script polls `screen_data`."""
    link = _link(token)
    context = {
        "unit": link.unit,
        "data_url": reverse("command_centre:screen_data", args=[token]),
        "refresh_seconds": refresh_seconds(),
    }
    response = render(request, "command_centre/screen.html", context)
    response["Referrer-Policy"] = "no-referrer"  # the address is the key: never pass it on
    return response


@require_GET
def screen_data(request: HttpRequest, token: str) -> HttpResponse:
    """The screen's figures as JSON, with an ETag: a display whose figures have not changed gets a 304."""
    link = _link(token)
    body, etag = screen_payload(link=link)
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache, private"
    response["Referrer-Policy"] = "no-referrer"
    return response
