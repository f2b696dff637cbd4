"""Issues in bulk for dashboard tests: real rows with a realistic mix of outcomes (closed, resolved, open
and overdue, rejected), written set-wise like the demo does, so a test can add 300 of them in one go."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from django.utils import timezone

from grids.models import GridUnit, User
from issues.models import HandlerKind, Issue, IssueCategory

_seq = itertools.count(1)


def micro_grids(unit: GridUnit) -> list[GridUnit]:
    return list(GridUnit.objects.filter(path__startswith=unit.path, level__gte=GridUnit.Level.AREA).order_by("path"))


def bulk_issues(
    n: int,
    *,
    within: GridUnit,
    reporter: User,
    start: datetime,
    span: timedelta = timedelta(days=300),
    office: GridUnit | None = None,
) -> list[Issue]:
    """n issues logged between `start` and `start + span` in the micro-grids of `within`:
    of every five, two closed (one satisfied, one basically), one resolved awaiting feedback,
    one open and overdue (routed to `office`), one rejected."""
    units = micro_grids(within)
    categories = list(IssueCategory.objects.order_by("pk"))
    office = office or within
    now = timezone.now()
    rows = []
    for i in range(n):
        created = start + span * (i / max(n, 1))
        category = categories[i % len(categories)]
        due, remind = Issue.deadlines(created, category.time_limit_hours)
        issue = Issue(
            unit=units[i % len(units)],
            category=category,
            kind=category.kind,
            description=f"测试问题 {next(_seq)}",
            resident_name="张三",
            resident_phone="13812345678",
            reporter=reporter,
            created_at=created,
            updated_at=now,  # written now, whatever the time they say they were logged
            due_at=due,
            remind_at=remind,
            routed_at=created,
            handler_kind=HandlerKind.OFFICE,
            handler_unit=office,
        )
        outcome = i % 5
        if outcome in (0, 1, 2):
            issue.resolved_at = min(created + timedelta(hours=5 + i % 40), now)
            issue.status = Issue.Status.RESOLVED
            if outcome in (0, 1):
                issue.status = Issue.Status.CLOSED
                issue.satisfaction = Issue.Satisfaction.SATISFIED if outcome == 0 else Issue.Satisfaction.BASIC
                issue.closed_at = issue.resolved_at
        elif outcome == 3:
            issue.status = Issue.Status.IN_PROGRESS
            issue.due_at = max(created + timedelta(hours=1), min(due, now - timedelta(hours=1)))
            issue.remind_at = created
        else:
            issue.status = Issue.Status.REJECTED
            issue.reject_reason = Issue.RejectReason.OUT_OF_SCOPE
        rows.append(issue)
    return Issue.objects.bulk_create(rows)
