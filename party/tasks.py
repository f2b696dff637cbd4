"""Thin Celery entry points for party: take dates and numbers, call services."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from .services import meeting_reminders_send


@shared_task(
    name="party.tasks.meeting_reminders_task",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def meeting_reminders_task() -> int:
    """Remind secretaries of 三会一课 meetings falling due soon (once per period: idempotent)."""
    return meeting_reminders_send(today=timezone.localdate(), days=settings.PARTY_MEETING_REMINDER_DAYS)
