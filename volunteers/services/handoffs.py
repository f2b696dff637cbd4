"""Who is told that a service record waits for verification: the people who may verify it.

A record of a team goes to the team's leaders and deputies; one of no team to the staff of the
community it counts for (`volunteers.access.can_verify_record` names both). Records of an activity
are verified by its managers at once from the activity's page and notify nobody one by one; a
self-report, a leader's registration and a demand's service (群众诉求) each notify. The message is in
the portal's one inbox (`issues.services.notify_handoff`) and links to the record.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from grids.models import PATH_STEP, GridUnit, Post
from issues.models import Notification
from issues.services import notify_handoff

from ..models import ServiceRecord, TeamMember


def record_verifiers(record: ServiceRecord) -> set[int]:
    """User ids who may verify the record (never the volunteer themself). One query."""
    if record.team_id is not None:
        people = set(
            TeamMember.objects.filter(
                team_id=record.team_id,
                role__in=TeamMember.MANAGER_ROLES,
                left_on__isnull=True,
                volunteer__user__isnull=False,
            ).values_list("volunteer__user_id", flat=True)
        )
    else:
        community = record.unit.path[: PATH_STEP * GridUnit.Level.COMMUNITY]
        people = set(
            Post.objects.filter(role=Post.Role.COMMUNITY_STAFF, unit__path=community).values_list("user_id", flat=True)
        )
    people.discard(record.volunteer.user_id)
    return people


def record_waits(record: ServiceRecord, *, actor_id: int) -> int:
    """A pending record was written: tell its verifiers (not for an activity's records, see above)."""
    if record.source == ServiceRecord.Source.ACTIVITY:
        return 0
    demand = record.source == ServiceRecord.Source.ISSUE
    return notify_handoff(
        recipient_ids=record_verifiers(record),
        kind=Notification.Kind.DEMAND_TO_VERIFY if demand else Notification.Kind.RECORD_TO_VERIFY,
        subject=_("%(name)s 的服务记录 %(hours)s 小时待审核")
        % {"name": record.volunteer.full_name, "hours": record.hours},
        link=reverse("volunteers:record_detail", args=[record.pk]),
        now=record.created_at,
        skip=actor_id,
    )
