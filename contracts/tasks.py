"""Thin Celery entry points for contracts (queue "tallies"): take ids and numbers, call services.

The tally is idempotent (one row per scope and quarter, rewritten only when a
figure changed), so a redelivered or repeated task changes nothing.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from grids.models import User

from .models import TallyRun
from .periods import previous_quarter
from .services import tally_quarter


@shared_task(
    name="contracts.tasks.tally_quarter_task",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def tally_quarter_task(
    year: int, quarter: int, trigger: str = TallyRun.Trigger.SCHEDULE, user_id: int | None = None
) -> int:
    """Compute one quarter's tallies for the whole city; returns the number of rows written or changed."""
    requested_by = User.objects.filter(pk=user_id).first() if user_id else None
    run = tally_quarter(year=year, quarter=quarter, trigger=trigger, requested_by=requested_by)
    return run.rows


@shared_task(
    name="contracts.tasks.tally_previous_quarter_task",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def tally_previous_quarter_task() -> int:
    """The beat job: tally the quarter that has just ended (run on the day after it ends)."""
    year, quarter = previous_quarter(timezone.localdate())
    return tally_quarter(year=year, quarter=quarter, trigger=TallyRun.Trigger.SCHEDULE).rows
