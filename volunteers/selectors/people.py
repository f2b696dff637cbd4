"""People and the "my hours and balances" summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from grids.viewer import Viewer

from .. import access
from ..models import ServiceRecord, TeamMember, Volunteer
from ._common import get_visible_or_404
from .leaderboards import Period, period_bounds
from .ledger import balances_of


def volunteer_list(*, viewer: Viewer, search: str = "", team_id: int | None = None) -> QuerySet[Volunteer]:
    qs = Volunteer.objects.filter(access.volunteer_visible_q(viewer))
    if search:
        qs = qs.filter(full_name__icontains=search)
    if team_id:
        qs = qs.filter(memberships__team_id=team_id, memberships__left_on__isnull=True)
    return qs.select_related("organisation", "unit").order_by("full_name", "pk")


def volunteer_get(*, viewer: Viewer, pk: int) -> Volunteer:
    return get_visible_or_404(
        Volunteer.objects.select_related("organisation", "unit"), access.volunteer_visible_q(viewer), pk=pk
    )


def volunteer_own(*, viewer: Viewer) -> Volunteer | None:
    """The viewer's own volunteer record, if they have one."""
    if viewer.volunteer_id is None:
        return None
    return Volunteer.objects.select_related("unit").filter(pk=viewer.volunteer_id).first()


def volunteer_find(*, viewer: Viewer, full_name: str, phone: str) -> Volunteer | None:
    """The one person with exactly this name and phone number, wherever they live: a transfer names its
    receiver so, a team leader names a newcomer so. Knowing both is knowing the person; a viewer who is
    not a person finds nobody."""
    if not viewer.is_person:
        return None
    matches = list(Volunteer.objects.filter(full_name=full_name.strip(), phone=phone.strip())[:2])
    return matches[0] if len(matches) == 1 else None


@dataclass
class MySummary:
    volunteer: Volunteer | None
    balances: dict[str, Decimal] = field(default_factory=dict)
    hours_total: Decimal = Decimal("0")
    hours_this_year: Decimal = Decimal("0")
    services_total: int = 0
    pending_count: int = 0
    pending_hours: Decimal = Decimal("0")
    memberships: list[TeamMember] = field(default_factory=list)


def my_summary(*, viewer: Viewer) -> MySummary:
    """The viewer's own figures: verified hours (pending ones apart: they count nowhere) and balances."""
    volunteer = volunteer_own(viewer=viewer)
    if volunteer is None:
        return MySummary(volunteer=None)
    year_start, year_end = period_bounds(Period.YEAR)
    verified = Q(status=ServiceRecord.Status.VERIFIED)
    figures = ServiceRecord.objects.filter(volunteer=volunteer).aggregate(
        hours_total=Sum("hours", filter=verified),
        services_total=Count("pk", filter=verified),
        hours_this_year=Sum("hours", filter=verified & Q(started_at__gte=year_start, started_at__lt=year_end)),
        pending_count=Count("pk", filter=Q(status=ServiceRecord.Status.PENDING)),
        pending_hours=Sum("hours", filter=Q(status=ServiceRecord.Status.PENDING)),
    )
    return MySummary(
        volunteer=volunteer,
        balances=balances_of(volunteer=volunteer),
        hours_total=figures["hours_total"] or Decimal("0"),
        hours_this_year=figures["hours_this_year"] or Decimal("0"),
        services_total=figures["services_total"],
        pending_count=figures["pending_count"],
        pending_hours=figures["pending_hours"] or Decimal("0"),
        memberships=list(
            TeamMember.objects.filter(volunteer=volunteer, left_on__isnull=True).select_related("team", "team__unit")
        ),
    )
