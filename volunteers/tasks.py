"""Thin Celery entry points for volunteers: they call selectors and services, nothing else, as the system.

The nightly ledger audit only reads: running it twice changes nothing.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

from grids.viewer import Viewer, acting_as

from .selectors import ledger_totals

logger = logging.getLogger("volunteers.ledger")


@shared_task(name="volunteers.tasks.ledger_audit_task", autoretry_for=(OperationalError,), max_retries=3)
def ledger_audit_task() -> dict[str, dict[str, str]]:
    """Check the ledger's invariants (each currency sums to zero, balances equal their postings, no
    negative personal balance) and log an error naming the currency if one ever fails."""
    report = {}
    system = Viewer.system()
    with acting_as(system):
        figures = ledger_totals(viewer=system)
    for totals in figures:
        sound = (
            totals.postings_sum == 0 and totals.balances_sum == 0 and totals.drift == 0 and not totals.negative_personal
        )
        report[totals.currency] = {
            "postings_sum": str(totals.postings_sum),
            "balances_sum": str(totals.balances_sum),
            "drift": str(totals.drift),
            "negative_personal": str(totals.negative_personal),
            "sound": str(sound),
        }
        if not sound:
            logger.error("ledger audit failed for %s: %s", totals.currency, report[totals.currency])
    return report
