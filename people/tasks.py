"""Nightly check: nothing stays assigned to an inactive account (issue 20)."""

from __future__ import annotations

import logging

from celery import shared_task

from grids.handover import held_items
from grids.models import User

log = logging.getLogger(__name__)


def inactive_assignments() -> dict[str, dict[int, int]]:
    """Per hand-over kind, the inactive accounts that still hold open items: {kind: {user id: items}}."""
    return held_items(User.objects.filter(is_active=False))


@shared_task
def inactive_assignments_check_task() -> dict[str, dict[int, int]]:
    """Lists (logs as errors) what inactive accounts still hold; read-only, so idempotent."""
    found = inactive_assignments()
    for kind, counts in found.items():
        for user_id, items in sorted(counts.items()):
            log.error(
                "inactive account still holds work",
                extra={"event": "inactive_assignment", "kind": kind, "user_id": user_id, "items": items},
            )
    return {kind: {str(k): v for k, v in counts.items()} for kind, counts in found.items()}
