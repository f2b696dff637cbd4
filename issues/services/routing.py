"""Routing 分配: which handler a newly logged issue goes to, decided by rules (data) after commit.

The most specific rule wins: the rule on the deepest unit of the issue's
ancestry first, then a rule naming the issue's category over one for all
categories. With no rule the issue goes to its community office, flagged
"no rule", so nothing is ever left unrouted.

What a rule of each kind resolves to is the kind's own (`issues.handler_kinds`:
the grid's kinds there, the volunteer team in volunteers). The task that calls `issue_route`
is sent after the logging transaction commits; if the broker is unreachable
the send is logged and the sweep (`issues_resend_waiting`) sends it again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

from grids.models import GridUnit, ancestor_paths
from guilin_portal import after_response
from guilin_portal.celery import app as celery_app
from issues import handler_kinds
from issues.handler_kinds import Handler, grid_leader_for, recipients_for, unit_at_level
from issues.models import Issue, IssueEvent, Notification, RoutingRule
from issues.services.notifications import notify

__all__ = [
    "BROKER_ERRORS",
    "grid_leader_for",
    "issue_route",
    "issues_relay_waiting",
    "issues_resend_waiting",
    "matching_rule",
    "most_specific_rule",
    "oldest_unsent_at",
    "relay_sends",
    "resolve_handler",
    "route_after_commit",
    "send_route_batch",
    "send_route_task",
    "task_handler_choices",
    "unit_at_level",
]

logger = logging.getLogger("issues.routing")

R = TypeVar("R")

# What `.delay()` raises when Redis cannot be reached: the page must still succeed.
BROKER_ERRORS = (KombuOperationalError, RedisError, ConnectionError, OSError)


def _published(send: Callable[[], object], what: str) -> bool:
    """Publish a routing task; False (logged) when the broker is unreachable: the sweep sends it again."""
    try:
        send()
    except BROKER_ERRORS as exc:
        logger.warning(
            "routing of %s deferred: broker unreachable (%s); the sweep will send it again",
            what,
            exc.__class__.__name__,
        )
        return False
    return True


def send_route_task(issue_id: int) -> bool:
    """Send the routing task now; False (logged) when the broker is unreachable."""
    from issues.tasks import route_issue

    return _published(lambda: route_issue.delay(issue_id), f"issue {issue_id}")


def route_after_commit(issue_id: int) -> None:
    """Have the issue routed once the current transaction has committed (never for a rolled-back row).

    With the relay (`ISSUE_ROUTING_RELAY`, production) the committed row is itself the outbox: the
    relay, woken by the commit's NOTIFY, sends it with the other issues logged meanwhile
    (`issues_relay_waiting`), and the logging process never talks to the broker. Without it, inside a
    request with a broker, the task is sent once the response has been sent. Never lost either way:
    an issue nobody sent (relay or broker down, process killed) stays waiting, and the sweep
    (`issues_resend_waiting`) sends it. With no broker the task runs at once in-process, so the
    response already shows where the issue went."""
    if relay_sends():
        return
    transaction.on_commit(lambda: _publish(issue_id))


def relay_sends() -> bool:
    """Whether the relay sends logged issues for routing: configured (`ISSUE_ROUTING_RELAY`) and tasks go
    to a broker (with none, routing runs in-process at commit)."""
    return settings.ISSUE_ROUTING_RELAY and not celery_app.conf.task_always_eager


def _publish(issue_id: int) -> None:
    if celery_app.conf.task_always_eager:
        send_route_task(issue_id)
    else:
        after_response.defer(lambda: send_route_task(issue_id))


def send_route_batch(issue_ids: list[int]) -> bool:
    """Send one routing task for these issues; False (logged) when the broker is unreachable."""
    from issues.tasks import route_issues

    return _published(lambda: route_issues.delay(issue_ids), f"{len(issue_ids)} issues")


def issues_relay_waiting(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """The relay: send routing for the issues that wait and were never sent, as one task for them all.

    The rows are claimed (`routing_sent_at`, `SKIP LOCKED`: two relays never send one issue twice)
    and committed before the send; a send that fails leaves them to the sweep, which sends again
    whatever is still waiting ISSUE_ROUTING_RETRY_SECONDS after it was sent."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            Issue.objects.waiting_for_routing()
            .filter(routing_sent_at__isnull=True)
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        Issue.objects.filter(pk__in=ids).update(routing_sent_at=now)
    return ids if send_route_batch(ids) else []


def oldest_unsent_at() -> datetime | None:
    """When the oldest issue still waiting for routing that nobody sent was logged (None: there is none).
    With the relay running it is a fraction of a second old; the relay's readiness check reads it."""
    return (
        Issue.objects.waiting_for_routing()
        .filter(routing_sent_at__isnull=True)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )


def most_specific_rule(rules: Mapping[tuple[str, int | None], R], *, path: str, category_id: int) -> R | None:
    """The rule that decides for a category logged at `path`, from rules keyed by (unit path, category
    id or None for all categories): the deepest unit of the ancestry first, then the rule naming the
    category over one for all categories. Pure (no query): the service and the demo seed share it."""
    for candidate in (path, *reversed(ancestor_paths(path))):
        for key in ((candidate, category_id), (candidate, None)):
            if key in rules:
                return rules[key]
    return None


def matching_rule(*, unit: GridUnit, category_id: int) -> RoutingRule | None:
    """The most specific active rule for a category logged at a unit (`most_specific_rule`; the oldest
    of several on one unit and category): one query."""
    candidates = (
        RoutingRule.objects.filter(is_active=True, unit__path__in=[*ancestor_paths(unit.path), unit.path])
        .filter(Q(category_id=category_id) | Q(category__isnull=True))
        .select_related("department")
        .annotate(unit_path=F("unit__path"))
        .order_by("pk")
    )
    rules: dict[tuple[str, int | None], RoutingRule] = {}
    for rule in candidates:
        rules.setdefault((rule.unit_path, rule.category_id), rule)
    return most_specific_rule(rules, path=unit.path, category_id=category_id)


def resolve_handler(rule: RoutingRule | None, issue: Issue) -> tuple[Handler, str]:
    """The handler a rule names for this issue, and a note when it had to fall back to the community office."""
    handler, note, _no_rule = handler_kinds.resolve(rule, issue)
    return handler, note


@transaction.atomic
def issue_route(*, issue_id: int, now: datetime | None = None) -> Issue | None:
    """Route a waiting issue to its handler; does nothing if it is gone or no longer waiting."""
    now = now or timezone.now()
    issue = Issue.objects.select_for_update(of=("self",)).select_related("unit").filter(pk=issue_id).first()
    if issue is None or issue.status != Issue.Status.COLLECTED:
        return issue
    rule = matching_rule(unit=issue.unit, category_id=issue.category_id)
    handler, fallback_note, no_rule = handler_kinds.resolve(rule, issue)
    changed = handler.assign_to(issue)
    issue.status = Issue.Status.ALLOCATED
    issue.routed_at = now
    issue.routing_rule = rule
    # No rule, or a fallback its kind flags like no rule (a team rule that found no team):
    # someone has to set up a rule or a team.
    issue.routing_no_rule = no_rule
    issue.version += 1
    issue.updated_at = now
    issue.save(
        update_fields=[
            *changed,
            "status",
            "routed_at",
            "routing_rule",
            "routing_no_rule",
            "version",
            "updated_at",
        ]
    )
    IssueEvent.objects.create(
        issue=issue,
        kind=IssueEvent.Kind.ALLOCATED,
        actor=None,
        at=now,
        from_status=Issue.Status.COLLECTED,
        to_status=Issue.Status.ALLOCATED,
        note=" ".join(filter(None, [_("分派给：%(handler)s。") % {"handler": handler.display}, fallback_note])),
        data={
            "handler_kind": handler.kind,
            **handler.refs,
            "rule": rule.pk if rule else None,
            "no_rule": issue.routing_no_rule,
        },
    )
    notify(recipient_ids=recipients_for([issue])[issue.pk], kind=Notification.Kind.ROUTED, issue_id=issue.pk, now=now)
    return issue


def issues_resend_waiting(*, now: datetime | None = None, limit: int = 5000) -> list[int]:
    """Send routing again for issues still waiting after ISSUE_ROUTING_RETRY_SECONDS (broker or worker was down)."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.ISSUE_ROUTING_RETRY_SECONDS)
    ids = list(
        Issue.objects.waiting_for_routing()
        .filter(created_at__lte=cutoff)
        .filter(Q(routing_sent_at__isnull=True) | Q(routing_sent_at__lte=cutoff))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return []
    Issue.objects.filter(pk__in=ids).update(routing_sent_at=now)
    sent = []
    for issue_id in ids:
        if not send_route_task(issue_id):
            # The broker is down again: the rest waits for the next sweep.
            Issue.objects.filter(pk__in=[i for i in ids if i not in sent]).update(routing_sent_at=None)
            break
        sent.append(issue_id)
    return sent


def task_handler_choices(issue: Issue) -> list[tuple[Handler, str]]:
    """Who a decomposed issue's sub-tasks may go to, with labels: each kind's offer (the grid leader,
    the offices above, the departments serving it). One query per kind that offers any."""
    return handler_kinds.task_choices(issue)
