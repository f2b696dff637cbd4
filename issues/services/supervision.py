"""Time limits and supervision 督办: reminders at 80%, overdue issues climbing one level, extensions.

The level above a handler: a grid leader's issue is supervised by its
community, an office's by the unit above it, a department's by the district
(or city) it serves. Past the deadline an issue is flagged and escalated to
that level; if it is still open one more time limit later it climbs again,
up to the city. Each climb is one event (`next_escalation_at` says when the
next climb is due, so a sweep run twice escalates once). Reminders are sent
once per time limit (`reminded_at`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import PATH_STEP, GridUnit, User
from grids.viewer import viewer_of
from issues import access, handler_kinds
from issues.handler_kinds import Handler, recipients_for, staff_at
from issues.models import DeadlineExtension, Issue, IssueEvent, Notification
from issues.services.lifecycle import _authorise, _event, _save, lock_issue
from issues.services.notifications import notify, notify_many

BATCH = 500


def supervisor_path_for(issue: Issue) -> str | None:
    """The tree path of the unit one level above the issue's handler (None above the city): the
    handler's kind decides (`issues.handler_kinds`); a kind without its own rule has the community."""
    return handler_kinds.supervisor_paths([issue])[issue.pk]


def next_supervisor_path(path: str) -> str | None:
    """Where an issue supervised at `path` climbs next: the unit above (None above the city). Pure."""
    return path[:-PATH_STEP] or None


def supervisor_unit_for(issue: Issue) -> GridUnit | None:
    path = supervisor_path_for(issue)
    return GridUnit.objects.filter(path=path).first() if path else None


@dataclass(frozen=True)
class SweepResult:
    reminded: list[int]
    escalated: list[int]


def deadlines_sweep(*, now: datetime | None = None) -> SweepResult:
    """Remind handlers at 80% of the time limit; escalate overdue issues one level. Idempotent."""
    now = now or timezone.now()
    reminded: list[int] = []
    escalated: list[int] = []
    while True:
        batch = _remind_batch(now)
        reminded.extend(batch)
        if len(batch) < BATCH:
            break
    while True:
        batch = _escalate_batch(now)
        escalated.extend(batch)
        if len(batch) < BATCH:
            break
    return SweepResult(reminded=reminded, escalated=escalated)


def _locked_batch(queryset):
    """Rows to work on, locked in id order; rows another sweep holds are skipped, not waited for."""
    return list(
        queryset.select_for_update(skip_locked=True, of=("self",)).select_related("unit").order_by("pk")[:BATCH]
    )


@transaction.atomic
def _remind_batch(now: datetime) -> list[int]:
    issues = _locked_batch(Issue.objects.running().filter(reminded_at__isnull=True, remind_at__lte=now, due_at__gt=now))
    if not issues:
        return []
    ids = [issue.pk for issue in issues]
    Issue.objects.filter(pk__in=ids).update(reminded_at=now)
    recipients = recipients_for(issues)
    IssueEvent.objects.bulk_create(
        IssueEvent(
            issue_id=issue.pk,
            kind=IssueEvent.Kind.REMINDED,
            at=now,
            note=_("办理时限已过 80%%，请在 %(due)s 前办结。")
            % {"due": timezone.localtime(issue.due_at).strftime("%Y-%m-%d %H:%M")},
        )
        for issue in issues
    )
    notify_many(
        rows=((user_id, Notification.Kind.REMINDER, issue.pk) for issue in issues for user_id in recipients[issue.pk]),
        now=now,
    )
    return ids


@transaction.atomic
def _escalate_batch(now: datetime) -> list[int]:
    issues = _locked_batch(
        Issue.objects.running().filter(next_escalation_at__lte=now).select_related("category", "supervision_unit")
    )
    if not issues:
        return []
    # Where each issue climbs to: first the level above its handler (its kind decides, one query per
    # kind), then one level at a time.
    targets = handler_kinds.supervisor_paths(issue for issue in issues if issue.supervision_unit_id is None)
    for issue in issues:
        if issue.supervision_unit_id is not None:
            targets[issue.pk] = next_supervisor_path(issue.supervision_unit.path)
    units = {u.path: u for u in GridUnit.objects.filter(path__in={p for p in targets.values() if p})}
    events, updated, notes = [], [], []
    for issue in issues:
        target = units.get(targets[issue.pk])
        limit = timedelta(hours=issue.category.time_limit_hours)
        if target is None:
            # Already supervised by the city: nothing higher to climb to.
            issue.next_escalation_at = None
            updated.append(issue)
            continue
        issue.supervision_unit = target
        issue.escalation_level += 1
        issue.escalated_at = now
        issue.next_escalation_at = now + limit if target.level > GridUnit.Level.CITY else None
        issue.version += 1
        issue.updated_at = now
        updated.append(issue)
        events.append(
            IssueEvent(
                issue_id=issue.pk,
                kind=IssueEvent.Kind.SUPERVISED,
                at=now,
                note=_("逾期未办结，第 %(n)s 次督办：提请%(unit)s督办。")
                % {"n": issue.escalation_level, "unit": target.name},
                data={"level": issue.escalation_level, "supervision_unit": target.pk},
            )
        )
        notes.append(issue)
    Issue.objects.bulk_update(
        updated,
        ["supervision_unit", "escalation_level", "escalated_at", "next_escalation_at", "version", "updated_at"],
    )
    IssueEvent.objects.bulk_create(events)
    handlers = recipients_for(notes)
    supervisors = staff_at({issue.supervision_unit_id for issue in notes})
    notify_many(
        rows=(
            (user_id, Notification.Kind.OVERDUE, issue.pk)
            for issue in notes
            for user_id in handlers[issue.pk] | supervisors.get(issue.supervision_unit_id, set())
        ),
        now=now,
    )
    return [issue.pk for issue in notes]


# ---------------------------------------------------------------------------
# Deadline extensions: asked by the handler, decided by the level above
# ---------------------------------------------------------------------------
@transaction.atomic
def extension_request(
    *, actor: User, issue: Issue, hours: int, reason: str, expected_version: int | None = None
) -> DeadlineExtension:
    """The handler asks the level above for more time; one pending request per issue."""
    issue = lock_issue(issue, expected_version=expected_version)
    _authorise(actor, issue, "request_extension")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请写明延期理由。")})
    if not hours or hours < 1 or hours > 24 * 30:
        raise ValidationError({"hours": _("延长时间应在 1 小时到 30 天之间。")})
    if issue.extensions.filter(status=DeadlineExtension.Status.PENDING).exists():
        raise ValidationError({"hours": _("已有一份延期申请在等待审批。")})
    approver = supervisor_unit_for(issue)
    if approver is None:
        raise ValidationError({"hours": _("找不到上一级审批单位。")})
    now = timezone.now()
    extension = DeadlineExtension.objects.create(
        issue=issue, hours=hours, reason=reason, approver_unit=approver, requested_by=actor, requested_at=now
    )
    issue.updated_at = now
    issue.save(update_fields=["updated_at"])
    _event(
        issue,
        IssueEvent.Kind.EXTENSION_REQUESTED,
        actor=actor,
        now=now,
        note=_("申请延长 %(hours)s 小时：%(reason)s") % {"hours": hours, "reason": reason},
        extension=extension.pk,
        approver_unit=approver.pk,
    )
    notify(
        recipient_ids=staff_at([approver.pk]).get(approver.pk, set()),
        kind=Notification.Kind.EXTENSION_REQUESTED,
        issue_id=issue.pk,
        now=now,
        skip=actor.pk,
    )
    return extension


@transaction.atomic
def extension_decide(*, actor: User, extension: DeadlineExtension, approve: bool, note: str = "") -> DeadlineExtension:
    """The level above approves (the deadline moves on) or refuses a pending request."""
    issue = lock_issue(extension.issue_id)  # issue first, then the request: the same lock order everywhere
    extension = (
        DeadlineExtension.objects.select_for_update(of=("self",)).select_related("approver_unit").get(pk=extension.pk)
    )
    access.require_extension_decision(viewer_of(actor), extension)
    if not approve and not (note or "").strip():
        raise ValidationError({"decision_note": _("不同意延期时，请写明意见。")})
    now = timezone.now()
    extension.status = DeadlineExtension.Status.APPROVED if approve else DeadlineExtension.Status.REFUSED
    extension.decided_by = actor
    extension.decided_at = now
    extension.decision_note = (note or "").strip()
    extension.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if approve:
        delta = timedelta(hours=extension.hours)
        issue.due_at += delta
        issue.remind_at = issue.due_at - timedelta(hours=issue.category.time_limit_hours) * 0.2
        if issue.remind_at > now:
            issue.reminded_at = None
        if issue.next_escalation_at is not None:
            issue.next_escalation_at = max(issue.next_escalation_at, issue.due_at)
        elif issue.is_open and issue.escalation_level == 0:
            issue.next_escalation_at = issue.due_at
        _save(issue, now, "due_at", "remind_at", "reminded_at", "next_escalation_at")
    _event(
        issue,
        IssueEvent.Kind.EXTENSION_APPROVED if approve else IssueEvent.Kind.EXTENSION_REFUSED,
        actor=actor,
        now=now,
        note=extension.decision_note,
        extension=extension.pk,
        hours=extension.hours,
    )
    notify(
        recipient_ids=[extension.requested_by_id],
        kind=Notification.Kind.EXTENSION_DECIDED,
        issue_id=issue.pk,
        now=now,
        skip=actor.pk,
    )
    return extension


# ---------------------------------------------------------------------------
# 督办 on one issue: urge 催办, reassign 改派, lift one level 提级 (staff above it, `access.can_supervise_issue`)
# ---------------------------------------------------------------------------
def urge_interval() -> timedelta:
    """At most one urge per issue within this time (setting ISSUE_URGE_INTERVAL_HOURS)."""
    return timedelta(hours=getattr(settings, "ISSUE_URGE_INTERVAL_HOURS", 24))


def urge_allowed_now(issue: Issue, now: datetime | None = None) -> bool:
    """No urge within the interval (the transition's `ready`, so the button is not offered meanwhile).

    Reads the `last_urged_at` annotation of the issue selectors, no query; an issue read without it
    counts as ready and the service's own check (one query) refuses a second urge.
    """
    last = getattr(issue, "last_urged_at", None)
    return last is None or last <= (now or timezone.now()) - urge_interval()


@transaction.atomic
def issue_urge(*, actor: User, issue: Issue, note: str = "", now: datetime | None = None) -> IssueEvent:
    """催办: staff above an open issue press its handler: a timeline event and a notification, at most
    once per interval (a second urge inside it is refused naming `status`). Changes no state."""
    issue = lock_issue(issue.pk)  # the lock serialises two urges pressed at once
    _authorise(actor, issue, "urge")
    now = now or timezone.now()
    last = IssueEvent.objects.filter(issue_id=issue.pk, kind=IssueEvent.Kind.URGED).aggregate(at=Max("at"))["at"]
    if last is not None and last > now - urge_interval():
        raise ValidationError(
            {
                "status": _("这个问题已于 %(at)s 催办过，%(hours)s 小时内只能催办一次。")
                % {
                    "at": timezone.localtime(last).strftime("%m-%d %H:%M"),
                    "hours": int(urge_interval() / timedelta(hours=1)),
                }
            },
            code="urged_recently",
        )
    note = (note or "").strip() or _("请抓紧办理，尽快办结。")
    Issue.objects.filter(pk=issue.pk).update(updated_at=now)
    event = _event(issue, IssueEvent.Kind.URGED, actor=actor, now=now, note=note)
    notify(
        recipient_ids=recipients_for([issue])[issue.pk],
        kind=Notification.Kind.URGED,
        issue_id=issue.pk,
        now=now,
        skip=actor.pk,
    )
    return event


def _hand_over(*, actor: User, issue: Issue, handler: Handler, note: str, now: datetime, **data) -> Issue:
    """The issue (locked) goes to another handler, who starts afresh (allocated, no assignee); its
    deadline and supervision record stand: the resident has waited that long already."""
    before_label = issue.handler_label
    before = issue.status
    handler.assign_to(issue)
    issue.status = S_ALLOCATED
    issue.assignee = None
    issue.accepted_at = None
    _save(issue, now, "handler_kind", *Issue.HANDLER_FIELDS, "status", "assignee", "accepted_at")
    _event(
        issue,
        IssueEvent.Kind.REASSIGNED,
        actor=actor,
        now=now,
        from_status=before,
        note=_("由%(before)s改派至%(after)s：%(note)s")
        % {"before": before_label, "after": handler.display, "note": note},
        handler=handler.token,
        **data,
    )
    notify(
        recipient_ids=recipients_for([issue])[issue.pk],
        kind=Notification.Kind.REASSIGNED,
        issue_id=issue.pk,
        now=now,
        skip=actor.pk,
    )
    return issue


S_ALLOCATED = Issue.Status.ALLOCATED


@transaction.atomic
def issue_reassign(
    *, actor: User, issue: Issue, handler: Handler, note: str, expected_version: int | None = None
) -> Issue:
    """改派: staff above an open issue hand it to another handler of its choices (the grid leader,
    an office, a department, a team); the new handler is notified and it goes on the timeline."""
    issue = lock_issue(issue, expected_version=expected_version)
    _authorise(actor, issue, "reassign")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请写明改派原因。")})
    current = {name: getattr(issue, f"{name}_id") for name in Issue.HANDLER_FIELDS if getattr(issue, f"{name}_id")}
    if handler.kind == issue.handler_kind and handler.refs == current:
        raise ValidationError(
            {"handler": _("问题已由%(handler)s办理，请选择其他承办方。") % {"handler": handler.display}}
        )
    return _hand_over(actor=actor, issue=issue, handler=handler, note=note, now=timezone.now())


@transaction.atomic
def issue_lift(*, actor: User, issue: Issue, note: str, expected_version: int | None = None) -> Issue:
    """提级: staff above an open issue hand it to the office one level above its handler (up to the district)."""
    issue = lock_issue(issue, expected_version=expected_version)
    _authorise(actor, issue, "lift")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请写明提级原因。")})
    target = supervisor_unit_for(issue)
    if target is None or target.level < GridUnit.Level.DISTRICT:
        raise ValidationError({"status": _("已是城区一级承办，不能再提级。")})
    return _hand_over(
        actor=actor, issue=issue, handler=Handler.office(target), note=note, now=timezone.now(), lifted=True
    )
