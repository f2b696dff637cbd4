from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from grids.viewer import Viewer

from .navigation import navigation_for


def navigation(request: HttpRequest) -> dict:
    """The header's links for the request's viewer, computed only when a template shows them."""

    def build():
        viewer = getattr(request, "viewer", None) or Viewer.for_user(getattr(request, "user", None))
        return navigation_for(viewer)

    return {"nav": SimpleLazyObject(build)}
