"""Offboarding: the open issues and sub-tasks a leaving person holds go to a successor (grids.handover).

Set-based: one UPDATE per kind of reference and one bulk insert of timeline
events, whatever the number of issues; each issue's timeline says who handed it
from whom to whom. Bulk updates write no audit version (see audit/registry.py):
the timeline event is the record.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grids.handover import HandoverKind, register_handover
from grids.models import GridUnit, User

from .models import HandlerKind, Issue, IssueEvent, IssueTask


def _open_issues_of(user_ids) -> QuerySet:
    return Issue.objects.open().filter(Q(handler_user_id__in=user_ids) | Q(assignee_id__in=user_ids))


def issues_held_by(users: QuerySet) -> dict[int, int]:
    """Open issues (as named handler or assignee) and open sub-tasks per user: two queries."""
    user_ids = users.values("pk")
    counts: dict[int, int] = {}
    for field in ("handler_user_id", "assignee_id"):
        rows = Issue.objects.open().filter(**{f"{field}__in": user_ids}).values(field).annotate(n=Count("pk"))
        for row in rows.order_by():
            counts[row[field]] = counts.get(row[field], 0) + row["n"]
    tasks = IssueTask.objects.filter(status=IssueTask.Status.OPEN, handler_user_id__in=user_ids)
    for row in tasks.values("handler_user_id").annotate(n=Count("pk")).order_by():
        counts[row["handler_user_id"]] = counts.get(row["handler_user_id"], 0) + row["n"]
    return counts


@transaction.atomic
def issues_hand_over(*, from_user: User, to_user: User | None, office: GridUnit, actor: User) -> int:
    """Every open issue and sub-task of `from_user` goes to `to_user`, or (None) to the office of `office`.

    A grid leader's issue names its new handler; an office's issue its new assignee (or none: the office
    assigns again). Each issue gets an `assigned` event naming both people. Returns the items moved.
    """
    now = timezone.now()
    to_name = to_user.display_name if to_user is not None else _("%(unit)s办公室") % {"unit": office.name}
    issue_ids = list(_open_issues_of([from_user.pk]).select_for_update().order_by("pk").values_list("pk", flat=True))
    task_rows = list(
        IssueTask.objects.filter(status=IssueTask.Status.OPEN, handler_user=from_user)
        .select_for_update()
        .order_by("pk")
        .values_list("pk", "issue_id")
    )
    if not issue_ids and not task_rows:
        return 0
    bump = {"version": F("version") + 1, "updated_at": now}
    led = Issue.objects.filter(pk__in=issue_ids, handler_user=from_user)
    if to_user is not None:
        led.update(handler_user=to_user, **bump)
        Issue.objects.filter(pk__in=issue_ids, assignee=from_user).update(assignee=to_user, **bump)
        IssueTask.objects.filter(pk__in=[pk for pk, _issue in task_rows]).update(handler_user=to_user)
    else:
        # No successor named: the office of the person's unit takes the issue and assigns it again.
        led.update(handler_kind=HandlerKind.OFFICE, handler_user=None, handler_unit=office, assignee=None, **bump)
        Issue.objects.filter(pk__in=issue_ids, assignee=from_user).update(assignee=None, **bump)
        IssueTask.objects.filter(pk__in=[pk for pk, _issue in task_rows]).update(
            handler_kind=HandlerKind.OFFICE, handler_user=None, handler_unit=office
        )
    note = _("%(from)s离岗，工作移交给%(to)s。") % {"from": from_user.display_name, "to": to_name}
    data = {"handover": {"from_user": from_user.pk, "to_user": to_user.pk if to_user else None, "office": office.pk}}
    events = [
        IssueEvent(issue_id=pk, kind=IssueEvent.Kind.ASSIGNED, actor=actor, at=now, note=note, data=data)
        for pk in sorted(set(issue_ids) | {issue_id for _pk, issue_id in task_rows})
    ]
    IssueEvent.objects.bulk_create(events, batch_size=1000)
    return len(issue_ids) + len(task_rows)


def register_issue_handover() -> None:
    register_handover(
        HandoverKind(
            name="issues",
            label=gettext_lazy("未办结问题和子任务"),
            held_by=issues_held_by,
            hand_over=issues_hand_over,
        )
    )
