"""Thin Celery entry points for the service network: take ids, call a service, safe to run twice."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from .periods import closed_months
from .services.red_stations import red_station_tally_refresh

# The dashboards show twelve closed months beside the current one.
TALLY_MONTHS = 12


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def red_station_tally_refresh_task(months: list[str] | None = None, point_ids: list[int] | None = None) -> int:
    """Rebuild red-station monthly roll-ups: the given months (ISO dates), else the last twelve closed months."""
    wanted = (
        [dt.date.fromisoformat(month) for month in months]
        if months
        else closed_months(today=timezone.localdate(), count=TALLY_MONTHS)
    )
    return red_station_tally_refresh(months=wanted, point_ids=point_ids)
