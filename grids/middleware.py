"""The request's Viewer: built once, on first use, from the authenticated user."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .viewer import Viewer, acting_as


class ViewerMiddleware:
    """Sets `request.viewer` (lazily: a page that never asks costs no query) after authentication.

    Services reached from the view find the same Viewer through `viewer_of(user)`;
    the API's authentication classes replace it with the API caller's.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        request.viewer = SimpleLazyObject(lambda: Viewer.for_user(getattr(request, "user", None)))
        with acting_as(lambda: request.viewer):
            return self.get_response(request)
