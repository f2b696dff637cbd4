"""The portal's own error pages in development too."""

from django.conf import settings
from django.http import Http404, HttpRequest
from django.views.defaults import page_not_found


class PortalNotFoundMiddleware:
    """With DEBUG on, Django answers a missing page with its technical 404 page (URL patterns and
    settings): people trying the portal in development should see the portal's own 404.html, as in
    production. 403 already uses 403.html whatever DEBUG says; a 500 keeps the technical page in
    development, where its traceback is the point. API answers (JSON) are left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and response.get("Content-Type", "").startswith("text/html")
            and not getattr(response, "portal_error_page", False)
        ):
            response = page_not_found(request, Http404())
            response.portal_error_page = True
        return response
