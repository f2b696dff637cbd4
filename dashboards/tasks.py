"""Thin Celery entry points for the dashboards: refresh the issue roll-up (idempotent, safe to run twice).

They act as the system (every unit), as guilin_portal.celery binds around every task; said here too,
so that calling one directly (a shell, a test) means the same.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from grids.viewer import Viewer, acting_as

from .services.rollups import issue_rollup_rebuild, issue_rollup_refresh


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def issue_rollup_refresh_task() -> int:
    """Recount the months of the issue roll-up that may have changed since the last refresh; returns rows written."""
    with acting_as(Viewer.system()):
        return issue_rollup_refresh().rows


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def issue_rollup_rebuild_task() -> int:
    """Recount the whole issue roll-up; returns rows written."""
    with acting_as(Viewer.system()):
        return issue_rollup_rebuild().rows
