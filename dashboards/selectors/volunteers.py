"""Volunteer figures for a unit's subtree and a period: teams, members, verified service, the time bank,
dual registration (双报到).

Only verified service records count (as everywhere in the volunteers app); a record
belongs to the period in which it started and to the unit where it was done.
Teams and members are today's rosters; balances are today's (grouped counts on the
volunteers app's indexed tables). Dated figures (verified service, activities) come
from the other domains' roll-up (FigureMonthlyRollup, per street and month, kept with
the issue roll-up) where it answers, else from the records themselves; a page reads
all of them in one statement (`volunteer_figures`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import router
from django.db.models import Count, DateField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Length, TruncMonth
from django.utils import timezone

from grids.models import PATH_STEP, GridUnit
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

from ..models import FigureMonthlyRollup, RollupState
from ..numbers import summed
from ..periods import Period
from ..services.figures import registered_volunteer
from ..sql import union_all
from .common import OWN, child_key, from_rollup, in_subtree

GROUPS = ("category", "child", "month")

PUBLIC_SELECTORS_WITHOUT_VIEWER = {
    "service_categories": "the volunteer service categories: reference data, the same for every viewer",
}
ZERO = Decimal("0")


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


# The same measures from the roll-up's rows (FigureMonthlyRollup, figure "service").
ROLLUP_MEASURES = {
    "services": Sum("n"),
    "hours": Sum("hours"),
    "difficulties": Sum("difficulties"),
    "registered_services": Sum("registered"),
}


def _service_key(unit: GridUnit, group: str, *, rollup: bool = False) -> Any:
    if group == "category":
        return F("key") if rollup else F("category_id")
    if group == "child":
        return child_key(unit, "street_path") if rollup else child_key(unit)
    if group == "month":
        if rollup:
            return F("month")
        return TruncMonth("started_at", tzinfo=timezone.get_current_timezone(), output_field=DateField())
    raise ValueError(group)


def _by_district(unit: GridUnit, figure: str) -> str:
    """The roll-up figure a unit reads: the city the districts' sums (13,000 street rows of service a year at
    --scale 10 are 1,300 district rows), every other unit its streets' rows."""
    by_district = unit.level == GridUnit.Level.CITY
    return FigureMonthlyRollup.Figure[f"DISTRICT_{figure}" if by_district else figure]


def _groups(group_by: str | tuple[str, ...] | None) -> tuple[str, ...]:
    return () if group_by is None else ((group_by,) if isinstance(group_by, str) else group_by)


def _service_rows(
    *, unit: GridUnit, period: Period | None, groups: tuple[str, ...], state: RollupState | None
) -> QuerySet:
    """The values() query of verified service grouped by `groups` (k0, k1...; none: one row), its measures
    named as RECORD_MEASURES: from the roll-up wherever it answers, else from the records."""
    if from_rollup(state, unit=unit, period=period, by_child="child" in groups):
        records = FigureMonthlyRollup.objects.in_subtree(unit).filter(figure=_by_district(unit, "SERVICE"))
        if period is not None:
            records = records.filter(month__gte=period.start, month__lt=period.end)
        keys = {f"k{i}": _service_key(unit, group, rollup=True) for i, group in enumerate(groups)}
        measures = ROLLUP_MEASURES
    else:
        records = verified_records(unit=unit, period=period).annotate(registered=registered_volunteer())
        keys = {f"k{i}": _service_key(unit, group) for i, group in enumerate(groups)}
        measures = RECORD_MEASURES
    if not keys:
        keys = {"k": Value(0)}
    return records.annotate(**keys).values(*keys).annotate(**measures).order_by()


def _service_result(rows: list[tuple], *, unit: GridUnit, group_by) -> dict[Any, ServiceFigures]:
    groups = _groups(group_by)
    result: dict[Any, ServiceFigures] = {}
    names = tuple(RECORD_MEASURES)
    for row in rows:
        if not groups:
            key: Any = None
        else:
            key = tuple(
                OWN if group == "child" and len(row[i]) <= len(unit.path) else row[i] for i, group in enumerate(groups)
            )
            key = key[0] if isinstance(group_by, str) else key
        found = ServiceFigures.of(dict(zip(names, row[max(len(groups), 1) :], strict=True)))
        # Two rows of the unit's own (a unit above the street and one of its streets) meet under OWN.
        result[key] = result[key] + found if key in result else found
    if not groups:
        result.setdefault(None, ServiceFigures.of({}))
    return result


def service_figures(
    *,
    unit: GridUnit,
    period: Period | None,
    group_by: str | tuple[str, ...] | None = None,
    state: RollupState | None = None,
) -> dict[Any, ServiceFigures]:
    """Verified service in the subtree and period, in total (key None) or per category id, child path
    (OWN for the unit itself) or month, or per combination of them (tuple keys). One grouped query.

    With the roll-up's `state` (`figures_current()`), read from the roll-up wherever it answers (whole
    months, the city down to a street; a street's children are below it), else from the records."""
    query = _service_rows(unit=unit, period=period, groups=_groups(group_by), state=state)
    (rows,) = union_all([query])
    return _service_result(rows, unit=unit, group_by=group_by)


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


def _by_child(unit: GridUnit, queryset: QuerySet, path_field: str, measure) -> QuerySet:
    return queryset.annotate(k=child_key(unit, path_field)).values("k").annotate(n=measure).order_by()


def _child_counts(unit: GridUnit, rows: list[tuple]) -> dict[Any, int]:
    found: dict[Any, int] = {}
    for key, n in rows:
        key = OWN if len(key) <= len(unit.path) else key
        found[key] = found.get(key, 0) + n
    return found


@dataclass(frozen=True)
class VolunteerChild:
    teams: int
    members: int
    registered_members: int
    service: ServiceFigures


@dataclass
class VolunteerFigures:
    summary: VolunteerSummary
    children: dict[Any, VolunteerChild]  # empty unless asked for
    service: dict[Any, ServiceFigures]  # verified service grouped as asked
    categories: dict[int, ServiceCategory]  # the service categories by id, in their order


def volunteer_figures(
    *,
    unit: GridUnit,
    period: Period | None,
    state: RollupState | None = None,
    by_child: bool = False,
    service_by: str | tuple[str, ...] | None = None,
) -> VolunteerFigures:
    """Every volunteer figure of a page in one statement (`union_all`): teams by kind, members,
    registrations, balances, activities and verified service in the period (grouped by `service_by`),
    and with `by_child` the same per child unit. Dated figures come from the roll-up with its `state`
    wherever it answers; today's rosters and balances are counted from their indexed tables."""
    groups = _groups(service_by)
    if by_child and "child" not in groups:
        raise ValueError("by_child needs the service grouped by child")
    teams = in_subtree(Team.objects.active(), unit)
    members = in_subtree(TeamMember.objects.filter(left_on__isnull=True, team__is_active=True), unit, "team__unit")
    registered = in_subtree(MemberRegistration.objects.filter(ended_on__isnull=True), unit, "community")
    organisations = in_subtree(OrganisationRegistration.objects.filter(ended_on__isnull=True), unit, "community")
    balances = (
        in_subtree(LedgerAccount.objects.filter(kind=LedgerAccount.Kind.PERSONAL), unit, "volunteer__unit")
        .values("currency")
        .annotate(total=Sum("balance"), holders=Count("pk", filter=Q(balance__gt=0)))
        .order_by()
    )
    if from_rollup(state, unit=unit, period=period):
        activities = FigureMonthlyRollup.objects.in_subtree(unit).filter(figure=_by_district(unit, "ACTIVITY"))
        if period is not None:
            activities = activities.filter(month__gte=period.start, month__lt=period.end)
        activity_count: Any = Sum("n")
    else:
        activities = in_subtree(Activity.objects.exclude(status=Activity.Status.CANCELLED), unit)
        if period is not None:
            activities = activities.filter(starts_at__gte=period.start_at, starts_at__lt=period.end_at)
        activity_count = Count("pk")
    one = {"k": Value(0)}
    if from_rollup(state, unit=unit, period=None, by_child=by_child):
        # Today's rosters, registrations and balances as of the refresh (snapshot rows of the roll-up).
        snapshot = FigureMonthlyRollup.objects.filter(month__isnull=True)
        below = snapshot.in_subtree(unit)
        Figure = FigureMonthlyRollup.Figure
        queries = [
            below.filter(figure=Figure.TEAM)
            .annotate(k=child_key(unit, "street_path"))
            .values("k", "code")
            .annotate(n=Sum("n"))
            .order_by(),
            snapshot.filter(figure=Figure.MEMBERS, street_path=unit.path).values_list("n"),
            below.filter(figure=Figure.REGISTERED).annotate(**one).values("k").annotate(n=Sum("n")).values_list("n"),
            below.filter(figure=Figure.ORGANISATIONS).annotate(**one).values("k").annotate(n=Sum("n")).values_list("n"),
            below.filter(figure=Figure.BALANCE)
            .values("code")
            .annotate(total=Sum("amount"), holders=Sum("n"))
            .values_list("code", "total", "holders"),
        ]
        children_queries = [
            # One row per child (its subtree's people), and the people of the unit's own teams.
            snapshot.annotate(length=Length("street_path"))
            .filter(
                Q(figure=Figure.MEMBERS, street_path__startswith=unit.path, length=len(unit.path) + PATH_STEP)
                | Q(figure=Figure.MEMBERS_OWN, street_path=unit.path)
            )
            .values_list("street_path", "n"),
            _by_child(unit, below.filter(figure=Figure.REGISTERED), "street_path", Sum("n")).values_list("k", "n"),
        ]
    else:
        queries = [
            teams.annotate(k=child_key(unit, "unit__path")).values("k", "kind").annotate(n=Count("pk")).order_by(),
            members.annotate(**one).values("k").annotate(n=Count("volunteer", distinct=True)).values_list("n"),
            registered.annotate(**one).values("k").annotate(n=Count("pk")).values_list("n"),
            organisations.annotate(**one).values("k").annotate(n=Count("pk")).values_list("n"),
            balances.values_list("currency", "total", "holders"),
        ]
        children_queries = [
            _by_child(unit, members, "team__unit__path", Count("volunteer", distinct=True)).values_list("k", "n"),
            _by_child(unit, registered, "community__path", Count("pk")).values_list("k", "n"),
        ]
    queries += [
        activities.annotate(**one).values("k").annotate(n=activity_count).values_list("n"),
        _service_rows(unit=unit, period=period, groups=groups, state=state),
        ServiceCategory.objects.values_list(*CATEGORY_FIELDS),
    ]
    if by_child:
        queries += children_queries
    found = union_all(queries)
    (team_rows, member_rows, registered_rows, organisation_rows, balance_rows, activity_rows, service_rows) = found[:7]
    alias = router.db_for_read(ServiceCategory)
    category_list = [ServiceCategory.from_db(alias, CATEGORY_FIELDS, row) for row in found[7]]
    categories = {c.pk: c for c in sorted(category_list, key=lambda c: (c.sort_order, c.pk))}
    teams_by_kind: dict[str, int] = {}
    teams_by_child: dict[Any, int] = {}
    for key, kind, n in team_rows:
        teams_by_kind[kind] = teams_by_kind.get(kind, 0) + n
        key = OWN if len(key) <= len(unit.path) else key
        teams_by_child[key] = teams_by_child.get(key, 0) + n
    service = _service_result(service_rows, unit=unit, group_by=service_by)
    by_currency = {currency: (total, holders) for currency, total, holders in balance_rows}
    hours, holders = by_currency.get(Currency.HOURS, (None, 0))
    summary = VolunteerSummary(
        teams_by_kind=teams_by_kind,
        members=member_rows[0][0] if member_rows else 0,
        service=summed(service, None).get(None) or ServiceFigures.of({}),
        registered_members=registered_rows[0][0] if registered_rows else 0,
        registered_organisations=organisation_rows[0][0] if organisation_rows else 0,
        time_bank_hours=Decimal(hours or 0).quantize(Decimal("0.01")),
        time_bank_holders=holders or 0,
        points=Decimal(by_currency.get(Currency.POINTS, (None, 0))[0] or 0).quantize(Decimal("0.01")),
        activities=(activity_rows[0][0] or 0) if activity_rows else 0,
    )
    children: dict[Any, VolunteerChild] = {}
    if by_child:
        members_by_child = _child_counts(unit, found[8])
        registered_by_child = _child_counts(unit, found[9])
        per_child = summed(service, groups.index("child")) if len(groups) > 1 else service
        keys = set(teams_by_child) | set(members_by_child) | set(registered_by_child) | set(per_child)
        children = {
            key: VolunteerChild(
                teams=teams_by_child.get(key, 0),
                members=members_by_child.get(key, 0),
                registered_members=registered_by_child.get(key, 0),
                service=per_child.get(key, ServiceFigures()),
            )
            for key in keys
        }
    return VolunteerFigures(summary=summary, children=children, service=service, categories=categories)


def volunteer_summary(
    *,
    unit: GridUnit,
    period: Period | None,
    service: ServiceFigures | None = None,
    state: RollupState | None = None,
) -> VolunteerSummary:
    """Teams by kind, members, verified service in the period, registrations, balances, activities: one
    statement (`volunteer_figures`). `service`: the verified service's total when the caller has it."""
    summary = volunteer_figures(unit=unit, period=period, state=state).summary
    if service is not None:
        summary.service = service
    return summary


def volunteer_children(
    *, unit: GridUnit, period: Period | None, state: RollupState | None = None
) -> dict[Any, VolunteerChild]:
    """Per child unit (OWN for the unit itself): teams, members, registered members, verified service.
    One statement (`volunteer_figures`)."""
    return volunteer_figures(unit=unit, period=period, state=state, by_child=True, service_by="child").children


CATEGORY_FIELDS = tuple(f.attname for f in ServiceCategory._meta.concrete_fields)


def service_categories() -> dict[int, ServiceCategory]:
    """The eight service categories by id: one query."""
    return {c.pk: c for c in ServiceCategory.objects.order_by("sort_order", "pk")}
