"""In-app notifications: written in bulk by the issue services, read from the header and the list page.

The other apps' hand-offs (an evaluation at the next stage, a contract's evaluation sent back, a
service record or a volunteer demand to verify) come through `notify_handoff`: they import issues
(the layer allows it: issues is the hub the domain apps plug into; issues imports none of them), name
the kind, a one-line subject and the path of their own page; this app knows none of their pages.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from grids.models import User
from grids.viewer import Viewer, viewer_of
from issues.models import Notification


def notify(
    *,
    recipient_ids: Iterable[int],
    kind: str,
    issue_id: int | None,
    now: datetime | None = None,
    skip: int | None = None,
) -> int:
    """One notification per recipient (the actor who caused it is skipped); one INSERT."""
    now = now or timezone.now()
    rows = [
        Notification(recipient_id=user_id, kind=kind, issue_id=issue_id, created_at=now)
        for user_id in sorted(set(recipient_ids))
        if user_id and user_id != skip
    ]
    Notification.objects.bulk_create(rows)
    return len(rows)


def notify_many(*, rows: Iterable[tuple[int, str, int | None]], now: datetime | None = None) -> int:
    """Many notifications at once: (recipient id, kind, issue id) triples."""
    now = now or timezone.now()
    objects = [
        Notification(recipient_id=user_id, kind=kind, issue_id=issue_id, created_at=now)
        for user_id, kind, issue_id in rows
        if user_id
    ]
    Notification.objects.bulk_create(objects, batch_size=1000)
    return len(objects)


def notify_handoff(
    *,
    recipient_ids: Iterable[int],
    kind: str,
    subject: str,
    link: str,
    now: datetime | None = None,
    skip: int | None = None,
) -> int:
    """A hand-off of another app to the people now expected to act: one INSERT, the actor skipped.

    `link` is the path of the sender's page (a relative URL such as "/contracts/12/"); anything else
    is dropped, so a notification never leads off the portal.
    """
    if kind not in Notification.Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    now = now or timezone.now()
    link = link if link.startswith("/") and not link.startswith("//") else ""
    rows = [
        Notification(recipient_id=user_id, kind=kind, subject=subject[:200], link=link[:200], created_at=now)
        for user_id in sorted(set(recipient_ids))
        if user_id and user_id != skip
    ]
    Notification.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def notification_mark_read(*, viewer: Viewer | User, notification_id: int) -> Notification | None:
    """Mark one of the viewer's own notifications read (someone else's is simply not found)."""
    notification = Notification.objects.filter(recipient_id=viewer_of(viewer).user_id, pk=notification_id).first()
    if notification is not None and notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, viewer: Viewer | User) -> int:
    recipient_id = viewer_of(viewer).user_id
    return Notification.objects.filter(recipient_id=recipient_id, read_at__isnull=True).update(read_at=timezone.now())
