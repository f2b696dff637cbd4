"""Routing 分配: which handler a newly logged issue goes to, decided by rules (data) after commit.

The most specific rule wins: the rule on the deepest unit of the issue's
ancestry first, then a rule naming the issue's category over one for all
categories. With no rule the issue goes to its community office, flagged
"no rule", so nothing is ever left unrouted.

Adding a handler kind is one branch in `resolve_handler()` (plus the model
field and the clauses in issues.handlers). The task that calls `issue_route`
is sent after the logging transaction commits; if the broker is unreachable
the send is logged and the sweep (`issues_resend_waiting`) sends it again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

from grids.models import PATH_STEP, GridUnit, Post, ancestor_paths
from issues.handlers import Handler, recipients_for
from issues.models import Department, HandlerKind, Issue, IssueEvent, Notification, RoutingRule
from issues.services.notifications import notify
from volunteers.selectors.routing import least_loaded_team

logger = logging.getLogger("issues.routing")

# What `.delay()` raises when Redis cannot be reached: the page must still succeed.
BROKER_ERRORS = (KombuOperationalError, RedisError, ConnectionError, OSError)


def send_route_task(issue_id: int) -> bool:
    """Send the routing task now; False (logged) when the broker is unreachable."""
    from issues.tasks import route_issue

    try:
        route_issue.delay(issue_id)
    except BROKER_ERRORS as exc:
        logger.warning(
            "routing of issue %s deferred: broker unreachable (%s); the sweep will send it again",
            issue_id,
            exc.__class__.__name__,
        )
        return False
    return True


def route_after_commit(issue_id: int) -> None:
    """Send the routing task once the current transaction has committed (never for a rolled-back row)."""
    transaction.on_commit(lambda: send_route_task(issue_id))


def unit_at_level(unit: GridUnit, level: int) -> GridUnit | None:
    """The unit's ancestor (or itself) at `level`, one query."""
    if unit.level < level:
        return None
    if unit.level == level:
        return unit
    return GridUnit.objects.filter(path=unit.path[: level * PATH_STEP]).first()


def matching_rule(*, unit: GridUnit, category_id: int) -> RoutingRule | None:
    """The most specific active rule for a category logged at a unit: one query."""
    return (
        RoutingRule.objects.filter(is_active=True, unit__path__in=[*ancestor_paths(unit.path), unit.path])
        .filter(Q(category_id=category_id) | Q(category__isnull=True))
        .select_related("department")
        .annotate(depth=Length("unit__path"))
        .order_by("-depth", F("category_id").asc(nulls_last=True), "pk")
        .first()
    )


def grid_leader_for(unit: GridUnit):
    """The grid leader of the unit's micro-grid: a leader post on the unit or its nearest enclosing unit."""
    post = (
        Post.objects.filter(
            role=Post.Role.GRID_LEADER,
            unit__path__in=[*ancestor_paths(unit.path), unit.path],
            user__is_active=True,
        )
        .select_related("user")
        .annotate(depth=Length("unit__path"))
        .order_by("-depth", "user_id")
        .first()
    )
    return post.user if post else None


def resolve_handler(rule: RoutingRule | None, issue: Issue) -> tuple[Handler, str]:
    """The handler a rule names for this issue, and a note when it had to fall back.

    One branch per handler kind. A volunteer team: the least-loaded active team of the rule's
    service category in the nearest enclosing unit (`volunteers.selectors.least_loaded_team`).
    """
    unit = issue.unit
    if rule is not None:
        if rule.handler_kind == HandlerKind.GRID_LEADER:
            leader = grid_leader_for(unit)
            if leader is not None:
                return Handler.leader(leader), ""
            fallback_note = _("本网格暂无网格长，转社区办公室。")
        elif rule.handler_kind == HandlerKind.OFFICE:
            office = unit_at_level(unit, rule.office_level)
            if office is not None:
                return Handler.office(office), ""
            fallback_note = _("找不到规则指定层级的办公室，转社区办公室。")
        elif rule.handler_kind == HandlerKind.DEPARTMENT:
            if rule.department.is_active:
                return Handler.department(rule.department), ""
            fallback_note = _("规则指定的部门已停用，转社区办公室。")
        elif rule.handler_kind == HandlerKind.VOLUNTEER_TEAM:
            team = least_loaded_team(unit=unit, category_id=rule.volunteer_category_id)
            if team is not None:
                return Handler.team(team), ""
            # No team fits: the community office, flagged as if there were no rule (see issue_route).
            fallback_note = _("附近没有该类别的在册志愿服务队，转社区办公室。")
        else:  # a kind this code does not know: never lose the issue
            fallback_note = _("未知的承办方类型，转社区办公室。")
    else:
        fallback_note = _("没有匹配的分派规则，转社区办公室。")
    community = unit_at_level(unit, GridUnit.Level.COMMUNITY)
    return Handler.office(community), fallback_note


@transaction.atomic
def issue_route(*, issue_id: int, now: datetime | None = None) -> Issue | None:
    """Route a waiting issue to its handler; does nothing if it is gone or no longer waiting."""
    now = now or timezone.now()
    issue = Issue.objects.select_for_update(of=("self",)).select_related("unit").filter(pk=issue_id).first()
    if issue is None or issue.status != Issue.Status.COLLECTED:
        return issue
    rule = matching_rule(unit=issue.unit, category_id=issue.category_id)
    handler, fallback_note = resolve_handler(rule, issue)
    changed = handler.assign_to(issue)
    issue.status = Issue.Status.ALLOCATED
    issue.routed_at = now
    issue.routing_rule = rule
    # A team rule that found no team is flagged like no rule: someone has to set up a team or a rule.
    issue.routing_no_rule = rule is None or (
        rule.handler_kind == HandlerKind.VOLUNTEER_TEAM and handler.kind != HandlerKind.VOLUNTEER_TEAM
    )
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
    label = {
        HandlerKind.GRID_LEADER: f"{_('网格长')} {handler.label}",
        HandlerKind.OFFICE: f"{handler.label}{_('办公室')}",
    }.get(handler.kind, handler.label)
    IssueEvent.objects.create(
        issue=issue,
        kind=IssueEvent.Kind.ALLOCATED,
        actor=None,
        at=now,
        from_status=Issue.Status.COLLECTED,
        to_status=Issue.Status.ALLOCATED,
        note=" ".join(filter(None, [_("分派给：%(handler)s。") % {"handler": label}, fallback_note])),
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
    """Who a decomposed issue's sub-tasks may go to: the grid leader, the offices above, the departments serving it.

    Three queries.
    """
    unit = issue.unit
    choices: list[tuple[Handler, str]] = []
    leader = grid_leader_for(unit)
    if leader is not None:
        choices.append((Handler.leader(leader), f"{_('网格长')} {leader.display_name}"))
    paths = ancestor_paths(unit.path)
    offices = GridUnit.objects.filter(
        path__in=paths, level__in=[GridUnit.Level.COMMUNITY, GridUnit.Level.STREET, GridUnit.Level.DISTRICT]
    ).order_by("-level")
    choices.extend((Handler.office(office), f"{office.name}{_('办公室')}") for office in offices)
    departments = Department.objects.filter(is_active=True, unit__path__in=paths).order_by("code")
    choices.extend((Handler.department(department), department.name) for department in departments)
    return choices
