"""Volunteer figures for a unit's subtree and a period: teams, members, verified service, the time bank,
dual registration (双报到). Live grouped queries on the volunteers app's indexed tables.

Only verified service records count (as everywhere in the volunteers app); a record
belongs to the period in which it started and to the unit where it was done.
Teams and members are today's rosters; balances are today's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, DateField, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from grids.models import GridUnit
from volunteers.models import (
    Activity,
    Currency,
    LedgerAccount,
    MemberRegistration,
    OrganisationRegistration,
    ServiceCategory,
    ServiceRecord,
    Team,
    TeamMember,
)

from ..periods import Period
from .common import OWN, child_key, in_subtree

GROUPS = ("category", "child", "month")

PUBLIC_SELECTORS_WITHOUT_VIEWER = {
    "service_categories": "the volunteer service categories: reference data, the same for every viewer",
}
ZERO = Decimal("0")


def _registered() -> Exists:
    """True for records of a person registered (双报到, still active) with a community."""
    return Exists(MemberRegistration.objects.filter(volunteer_id=OuterRef("volunteer_id"), ended_on__isnull=True))


def verified_records(*, unit: GridUnit, period: Period | None) -> QuerySet[ServiceRecord]:
    records = in_subtree(ServiceRecord.objects.verified(), unit)
    if period is not None:
        records = records.filter(started_at__gte=period.start_at, started_at__lt=period.end_at)
    return records


RECORD_MEASURES = {
    "services": Count("pk"),
    "hours": Sum("hours"),
    "difficulties": Count("pk", filter=Q(solved_difficulty=True)),
    "registered_services": Count("pk", filter=Q(registered=True)),
}


@dataclass(frozen=True)
class ServiceFigures:
    services: int = 0
    hours: Decimal = ZERO
    difficulties: int = 0
    registered_services: int = 0  # by people registered with a community (双报到)

    def __add__(self, other: ServiceFigures) -> ServiceFigures:
        return ServiceFigures(
            services=self.services + other.services,
            hours=self.hours + other.hours,
            difficulties=self.difficulties + other.difficulties,
            registered_services=self.registered_services + other.registered_services,
        )

    @classmethod
    def of(cls, row: dict[str, Any]) -> ServiceFigures:
        return cls(
            services=row.get("services") or 0,
            hours=Decimal(row.get("hours") or 0).quantize(Decimal("0.01")),
            difficulties=row.get("difficulties") or 0,
            registered_services=row.get("registered_services") or 0,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "services": self.services,
            "hours": self.hours,
            "difficulties_solved": self.difficulties,
            "registered_member_services": self.registered_services,
        }


def _service_key(unit: GridUnit, group: str) -> Any:
    if group == "category":
        return F("category_id")
    if group == "child":
        return child_key(unit)
    if group == "month":
        return TruncMonth("started_at", tzinfo=timezone.get_current_timezone(), output_field=DateField())
    raise ValueError(group)


def service_figures(
    *, unit: GridUnit, period: Period | None, group_by: str | tuple[str, ...] | None = None
) -> dict[Any, ServiceFigures]:
    """Verified service in the subtree and period, in total (key None) or per category id, child path
    (OWN for the unit itself) or month, or per combination of them (tuple keys). One grouped query."""
    records = verified_records(unit=unit, period=period).annotate(registered=_registered())
    if group_by is None:
        return {None: ServiceFigures.of(records.aggregate(**RECORD_MEASURES))}
    groups = (group_by,) if isinstance(group_by, str) else group_by
    keys = {f"k{i}": _service_key(unit, group) for i, group in enumerate(groups)}
    rows = records.annotate(**keys).values(*keys).annotate(**RECORD_MEASURES).order_by()
    result = {}
    for row in rows:
        key = tuple(
            OWN if group == "child" and len(row[f"k{i}"]) <= len(unit.path) else row[f"k{i}"]
            for i, group in enumerate(groups)
        )
        result[key[0] if isinstance(group_by, str) else key] = ServiceFigures.of(row)
    return result


@dataclass
class VolunteerSummary:
    teams_by_kind: dict[str, int]
    members: int  # people on the active rosters of active teams
    service: ServiceFigures
    registered_members: int  # organ party members registered with a community here (双报到)
    registered_organisations: int
    time_bank_hours: Decimal  # today's personal time-bank balances of people living here
    time_bank_holders: int  # people with hours in the bank
    points: Decimal
    activities: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def teams(self) -> int:
        return sum(self.teams_by_kind.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "teams": self.teams,
            "teams_by_kind": {kind: self.teams_by_kind.get(kind, 0) for kind in Team.Kind.values},
            "members": self.members,
            **self.service.as_dict(),
            "registered_members": self.registered_members,
            "registered_organisations": self.registered_organisations,
            "time_bank_hours": self.time_bank_hours,
            "time_bank_holders": self.time_bank_holders,
            "points_balance": self.points,
            "activities": self.activities,
        }


def volunteer_summary(
    *, unit: GridUnit, period: Period | None, service: ServiceFigures | None = None
) -> VolunteerSummary:
    """Teams by kind, members, verified service in the period, registrations, balances, activities: seven
    queries (six when the caller has the verified service's total already)."""
    teams = dict(
        in_subtree(Team.objects.active(), unit)
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("kind", "n")
    )
    members = in_subtree(
        TeamMember.objects.filter(left_on__isnull=True, team__is_active=True), unit, "team__unit"
    ).aggregate(n=Count("volunteer", distinct=True))["n"]
    registered = in_subtree(MemberRegistration.objects.filter(ended_on__isnull=True), unit, "community").count()
    organisations = in_subtree(
        OrganisationRegistration.objects.filter(ended_on__isnull=True), unit, "community"
    ).count()
    balances = {
        row["currency"]: row
        for row in in_subtree(LedgerAccount.objects.filter(kind=LedgerAccount.Kind.PERSONAL), unit, "volunteer__unit")
        .values("currency")
        .annotate(total=Sum("balance"), holders=Count("pk", filter=Q(balance__gt=0)))
        .order_by()
    }
    activities = in_subtree(Activity.objects.exclude(status=Activity.Status.CANCELLED), unit)
    if period is not None:
        activities = activities.filter(starts_at__gte=period.start_at, starts_at__lt=period.end_at)
    hours = balances.get(Currency.HOURS, {})
    return VolunteerSummary(
        teams_by_kind=teams,
        members=members,
        service=service if service is not None else service_figures(unit=unit, period=period)[None],
        registered_members=registered,
        registered_organisations=organisations,
        time_bank_hours=Decimal(hours.get("total") or 0).quantize(Decimal("0.01")),
        time_bank_holders=hours.get("holders") or 0,
        points=Decimal(balances.get(Currency.POINTS, {}).get("total") or 0).quantize(Decimal("0.01")),
        activities=activities.count(),
    )


@dataclass(frozen=True)
class VolunteerChild:
    teams: int
    members: int
    registered_members: int
    service: ServiceFigures


def volunteer_children(
    *, unit: GridUnit, period: Period | None, service: dict[Any, ServiceFigures] | None = None
) -> dict[Any, VolunteerChild]:
    """Per child unit (OWN for the unit itself): teams, members, registered members, verified service.
    Four queries (three when the caller has the service per child already)."""

    def by_child(queryset: QuerySet, path_field: str, measure) -> dict[Any, int]:
        rows = queryset.annotate(k=child_key(unit, path_field)).values("k").annotate(n=measure).order_by()
        return {(OWN if len(r["k"]) <= len(unit.path) else r["k"]): r["n"] for r in rows}

    teams = by_child(in_subtree(Team.objects.active(), unit), "unit__path", Count("pk"))
    members = by_child(
        in_subtree(TeamMember.objects.filter(left_on__isnull=True, team__is_active=True), unit, "team__unit"),
        "team__unit__path",
        Count("volunteer", distinct=True),
    )
    registered = by_child(
        in_subtree(MemberRegistration.objects.filter(ended_on__isnull=True), unit, "community"),
        "community__path",
        Count("pk"),
    )
    if service is None:
        service = service_figures(unit=unit, period=period, group_by="child")
    keys = set(teams) | set(members) | set(registered) | set(service)
    return {
        key: VolunteerChild(
            teams=teams.get(key, 0),
            members=members.get(key, 0),
            registered_members=registered.get(key, 0),
            service=service.get(key, ServiceFigures()),
        )
        for key in keys
    }


def service_categories() -> dict[int, ServiceCategory]:
    """The eight service categories by id: one query."""
    return {c.pk: c for c in ServiceCategory.objects.order_by("sort_order", "pk")}
