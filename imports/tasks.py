"""Thin Celery entry points of the import jobs: load by id, call the service (idempotent both)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def import_check_task(job_id: int) -> None:
    services.job_check(job_id=job_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def import_apply_task(job_id: int) -> None:
    services.job_apply_run(job_id=job_id)
