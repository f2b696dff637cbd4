"""Issue page addresses for many rows at once: reverse() once per list, each row's id put into the pattern."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

_MARKER = 987_654_321  # an id reverse() accepts, replaced by each row's


def issue_detail_urls() -> Callable[[int], str]:
    """A function from an issue's id to its page's address (as reverse() gives it, with the script prefix).

    Call it once per list: reverse() resolves the pattern on every call, a list's rows each need only
    their id in it."""
    pattern = reverse("issues:issue_detail", args=[_MARKER]).replace(str(_MARKER), "{}")
    return pattern.format
