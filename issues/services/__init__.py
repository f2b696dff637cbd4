"""Writes of resident issues, one function per business action.

lifecycle.py: the issue life cycle; routing.py: rules and the routing task's
work; supervision.py: time limits, escalation and extensions; notifications.py:
in-app messages. Everything is re-exported here, so callers write
`from issues import services; services.issue_log(...)`.

Who may take each transition, and from which statuses, is `issues.transitions`
(each service checks it through `issues.access`); `allowed_actions(issue)` here
is only what the status allows, whoever asks.

Driving an issue from another app (volunteers, service centers...): the same
calls the pages and the API make, each checking the status and the actor and
leaving one timeline event:

    issue, created = services.issue_log(reporter=..., unit=..., category=..., description=...)
    services.issue_route(issue_id=issue.pk)          # 分配 (normally the Celery task, after commit)
    services.issue_accept(actor=..., issue=issue)    # 开展
    tasks = services.issue_decompose(actor=..., issue=issue, tasks=[services.TaskSpec(title, handler)])  # 分解
    services.issue_task_complete(actor=..., task=task, result="...")   # the last one resolves the issue
    services.issue_resolve(actor=..., issue=issue, resolution="...")
    services.issue_feedback(actor=..., issue=issue, satisfaction="satisfied")  # 反馈

Pass the issue as the caller last read it (or `expected_version=`): a stale one
raises guilin_portal.errors.ConflictError instead of overwriting.
"""

from .lifecycle import (
    TaskSpec,
    allowed_actions,
    issue_accept,
    issue_assign,
    issue_decompose,
    issue_escalate,
    issue_feedback,
    issue_log,
    issue_photo_add,
    issue_progress,
    issue_reject,
    issue_resolve,
    issue_resume,
    issue_suspend,
    issue_task_complete,
    issues_bulk_assign,
    lock_issue,
)
from .notifications import notification_mark_read, notifications_mark_all_read, notify, notify_handoff
from .photos import parse_tokens, photos_stage, staged_discard, staged_files
from .routing import (
    issue_route,
    issues_relay_waiting,
    issues_resend_waiting,
    matching_rule,
    oldest_unsent_at,
    relay_sends,
    resolve_handler,
    route_after_commit,
    send_route_batch,
    send_route_task,
    task_handler_choices,
)
from .supervision import (
    SweepResult,
    deadlines_sweep,
    extension_decide,
    extension_request,
    issue_lift,
    issue_reassign,
    issue_urge,
    supervisor_unit_for,
    urge_allowed_now,
    urge_interval,
)

__all__ = [
    "SweepResult",
    "TaskSpec",
    "allowed_actions",
    "deadlines_sweep",
    "extension_decide",
    "extension_request",
    "issue_accept",
    "issue_assign",
    "issue_decompose",
    "issue_escalate",
    "issue_feedback",
    "issue_lift",
    "issue_log",
    "issue_photo_add",
    "issue_progress",
    "issue_reassign",
    "issue_reject",
    "issue_resolve",
    "issue_resume",
    "issue_route",
    "issue_suspend",
    "issue_task_complete",
    "issue_urge",
    "issues_bulk_assign",
    "issues_relay_waiting",
    "oldest_unsent_at",
    "relay_sends",
    "issues_resend_waiting",
    "lock_issue",
    "matching_rule",
    "notification_mark_read",
    "notifications_mark_all_read",
    "notify",
    "notify_handoff",
    "parse_tokens",
    "photos_stage",
    "staged_discard",
    "staged_files",
    "resolve_handler",
    "route_after_commit",
    "send_route_batch",
    "send_route_task",
    "supervisor_unit_for",
    "task_handler_choices",
    "urge_allowed_now",
    "urge_interval",
]
