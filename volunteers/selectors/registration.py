"""The community's dual-registration page (双报到): registered organisations and members, with what they did."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum

from grids.jurisdiction import get_scoped_or_404, scope
from grids.models import GridUnit
from grids.viewer import Viewer
from issues import selectors as issue_selectors
from issues.models import Issue

from ..models import MemberRegistration, OrganisationRegistration, ServiceRecord, Volunteer


def registration_communities(*, viewer: Viewer) -> QuerySet[GridUnit]:
    """Communities in the viewer's jurisdiction, each with how many organisations and members registered there."""
    return (
        scope(GridUnit.objects.filter(level=GridUnit.Level.COMMUNITY), viewer, unit_field=None)
        .annotate(
            organisations=Count(
                "organisation_registrations",
                filter=Q(organisation_registrations__ended_on__isnull=True),
                distinct=True,
            ),
            members=Count("member_registrations", filter=Q(member_registrations__ended_on__isnull=True), distinct=True),
        )
        .select_related("parent")
        .order_by("path")
    )


@dataclass(frozen=True)
class OrganisationRow:
    registration: OrganisationRegistration
    members: int
    services: int
    hours: Decimal
    difficulties: int
    issues: int


@dataclass(frozen=True)
class CommunityRegistration:
    community: GridUnit
    organisations: list[OrganisationRow]
    members: QuerySet[Volunteer]  # paginate in the view
    member_count: int
    services: int
    hours: Decimal
    difficulties: int
    issues: int  # distinct resident issues resolved with their verified help here
    recent_issues: list[Issue]  # the latest of those the viewer may read


# A resident issue counts as resolved with their help once it is resolved (closed after feedback included);
# a dissatisfied resident reopens it and it stops counting until it is resolved again.
RESOLVED_STATUSES = (Issue.Status.RESOLVED, Issue.Status.CLOSED)
RECENT_ISSUES = 10


def _verified_here(community: GridUnit, prefix: str = "records__") -> Q:
    return Q(**{f"{prefix}status": ServiceRecord.Status.VERIFIED, f"{prefix}unit__path__startswith": community.path})


def community_registration(*, viewer: Viewer, community_id: int) -> CommunityRegistration:
    """What the community sees: its registered organisations and members, their verified services here,
    the difficulties they solved and the resident issues they helped resolve. A constant number of queries."""
    community = get_scoped_or_404(
        GridUnit.objects.filter(level=GridUnit.Level.COMMUNITY), viewer, unit_field=None, pk=community_id
    )
    registered = MemberRegistration.objects.filter(community=community, ended_on__isnull=True)
    member_ids = registered.values("volunteer_id")
    records = ServiceRecord.objects.verified().filter(
        unit__path__startswith=community.path, volunteer_id__in=member_ids
    )
    by_org = {
        row["volunteer__organisation_id"]: row
        for row in records.values("volunteer__organisation_id").annotate(
            services=Count("pk"),
            hours=Sum("hours"),
            difficulties=Count("pk", filter=Q(solved_difficulty=True)),
            issues=Count("issue", filter=Q(issue__status__in=RESOLVED_STATUSES), distinct=True),
        )
    }
    members_by_org = dict(
        registered.values("volunteer__organisation_id")
        .annotate(n=Count("pk"))
        .values_list("volunteer__organisation_id", "n")
    )
    org_rows = [
        OrganisationRow(
            registration=registration,
            members=members_by_org.get(registration.organisation_id, 0),
            services=by_org.get(registration.organisation_id, {}).get("services", 0),
            hours=by_org.get(registration.organisation_id, {}).get("hours") or Decimal("0"),
            difficulties=by_org.get(registration.organisation_id, {}).get("difficulties", 0),
            issues=by_org.get(registration.organisation_id, {}).get("issues", 0),
        )
        for registration in OrganisationRegistration.objects.filter(community=community, ended_on__isnull=True)
        .select_related("organisation")
        .order_by("organisation__name")
    ]
    totals = records.aggregate(
        services=Count("pk"),
        hours=Sum("hours"),
        difficulties=Count("pk", filter=Q(solved_difficulty=True)),
        issues=Count("issue", filter=Q(issue__status__in=RESOLVED_STATUSES), distinct=True),
    )
    here = _verified_here(community)
    members = (
        Volunteer.objects.filter(pk__in=member_ids)
        .select_related("organisation")
        .annotate(
            services=Count("records", filter=here),
            hours=Sum("records__hours", filter=here),
            difficulties=Count("records", filter=here & Q(records__solved_difficulty=True)),
            issues=Count(
                "records__issue", filter=here & Q(records__issue__status__in=RESOLVED_STATUSES), distinct=True
            ),
        )
        .order_by(F("hours").desc(nulls_last=True), "full_name", "pk")
    )
    return CommunityRegistration(
        community=community,
        organisations=org_rows,
        members=members,
        member_count=registered.count(),
        services=totals["services"],
        hours=totals["hours"] or Decimal("0"),
        difficulties=totals["difficulties"],
        issues=totals["issues"],
        recent_issues=list(
            issue_selectors.issue_list(viewer=viewer)
            .filter(status__in=RESOLVED_STATUSES, pk__in=records.filter(issue__isnull=False).values("issue_id"))
            .order_by("-resolved_at", "-pk")[:RECENT_ISSUES]
        ),
    )
