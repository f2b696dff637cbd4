"""Kept for callers outside the issues app that still import from here.

Handler kinds live in `issues.handler_kinds` (the registry, `Handler`) and the
rules of who handles what in `issues.access`; use those.
"""

from __future__ import annotations

from typing import Any

from issues.access import handles_issue
from issues.handler_kinds import Handler
from issues.models import Issue

__all__ = ["Handler", "is_issue_handler"]


def is_issue_handler(viewer: Any, issue: Issue) -> bool:
    """`issues.access.handles_issue` (a Viewer or a User)."""
    return handles_issue(viewer, issue)
