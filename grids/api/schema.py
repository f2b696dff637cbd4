"""Schema generation: the mock requests drf-spectacular builds carry a Viewer like real ones."""

from __future__ import annotations

from drf_spectacular import plumbing

from ..viewer import Viewer


def build_mock_request(method, path, view, original_request, **kwargs):
    """drf-spectacular's mock request, with the Viewer of the request for the schema (or nobody)."""
    request = plumbing.build_mock_request(method, path, view, original_request, **kwargs)
    viewer = getattr(original_request, "viewer", None) if original_request is not None else None
    request._request.viewer = viewer if viewer is not None else Viewer.anonymous()
    return request
