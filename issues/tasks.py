"""Thin Celery entry points of the issues app: they take ids and call services (queue "routing").

Every task is idempotent: routing does nothing for an issue no longer waiting,
the sweeps only pick rows whose time has come and mark them as they go. Each
runs its service as the system (`Viewer.system()`), whoever sent it.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from grids.viewer import Viewer, acting_as
from issues import services


@shared_task(
    name="issues.tasks.route_issue",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def route_issue(issue_id: int) -> str | None:
    """Route one issue after its logging committed; a no-op if it is no longer waiting."""
    with acting_as(Viewer.system()):
        issue = services.issue_route(issue_id=issue_id)
    return issue.status if issue is not None else None


@shared_task(
    name="issues.tasks.route_issues",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def route_issues(issue_ids: list[int]) -> int:
    """Route the issues the relay sent together, each in its own transaction; those no longer waiting
    are skipped (a retry after a lost connection routes only what is left)."""
    with acting_as(Viewer.system()):
        return sum(1 for issue_id in issue_ids if services.issue_route(issue_id=issue_id) is not None)


@shared_task(name="issues.tasks.resend_waiting_issues", autoretry_for=(OperationalError,), max_retries=3)
def resend_waiting_issues() -> int:
    """The sweep: send routing again for issues still waiting after ISSUE_ROUTING_RETRY_SECONDS."""
    with acting_as(Viewer.system()):
        return len(services.issues_resend_waiting())


@shared_task(name="issues.tasks.deadlines_sweep", autoretry_for=(OperationalError,), max_retries=3)
def deadlines_sweep() -> dict[str, int]:
    """Reminders at 80% of the time limit, escalation of overdue issues one level up."""
    with acting_as(Viewer.system()):
        result = services.deadlines_sweep()
    return {"reminded": len(result.reminded), "escalated": len(result.escalated)}
