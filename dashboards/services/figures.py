"""Keeping the other domains' roll-up (`FigureMonthlyRollup`) in step with their tables: dated figures
per street and month, and snapshots of today's rosters, registrations, balances and service points.

Volunteer service records, red-station services and activities carry no "updated at" of their
own (a record is verified or reversed in place), so each refresh recounts them all: one DELETE
and one INSERT ... SELECT ... GROUP BY per figure, in the refresh's transaction, no row through
Python. They are a small fraction of the issues (the report's 97,800 services a year against
the issues of every resident), so a full recount stays well inside the five-minute interval.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connections, router
from django.db.models import Count, DateField, Exists, F, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Length, Substr, TruncMonth
from django.utils import timezone

from contracts.models import Commitment, Contract
from grids.models import PATH_STEP, GridUnit, Post
from party.selectors import timeliness_by_due_month
from renovation.models import Project
from renovation.selectors import micro_parks_produced
from service_centers.models import JobOffer, RedStationService, ServicePoint
from volunteers.models import (
    Activity,
    LedgerAccount,
    MemberRegistration,
    OrganisationRegistration,
    ServiceRecord,
    Team,
    TeamMember,
)

from ..models import FigureMonthlyRollup, IssueFact
from ..periods import add_months, local_midnight, month_start
from ..sql import median, subquery_sql

STREET_PATH_LENGTH = PATH_STEP * GridUnit.Level.STREET
DISTRICT_PATH_LENGTH = PATH_STEP * GridUnit.Level.DISTRICT
GRID_ROLES = (Post.Role.GRID_LEADER, Post.Role.GRID_WORKER)
Figure = FigureMonthlyRollup.Figure


def _month_of(field: str) -> TruncMonth:
    return TruncMonth(field, tzinfo=timezone.get_current_timezone(), output_field=DateField())


def registered_volunteer() -> Exists:
    """True for rows of a volunteer registered (双报到, still active) with a community."""
    return Exists(MemberRegistration.objects.filter(volunteer_id=OuterRef("volunteer_id"), ended_on__isnull=True))


def service_side() -> QuerySet:
    """Verified service records per street, month started and category."""
    return (
        ServiceRecord.objects.verified()
        .annotate(
            street=Substr("unit__path", 1, STREET_PATH_LENGTH),
            m=_month_of("started_at"),
            registered_now=registered_volunteer(),
        )
        .values("street", "m", "category_id")
        .annotate(
            total=Count("pk"),
            sum_hours=Sum("hours"),
            solved=Count("pk", filter=Q(solved_difficulty=True)),
            by_registered=Count("pk", filter=Q(registered_now=True)),
        )
        .values("street", "m", "category_id", "total", "sum_hours", "solved", "by_registered")
        .order_by()
    )


def red_station_side() -> QuerySet:
    """Services at the red stations per street, month served and menu item."""
    return (
        RedStationService.objects.filter(point__kind=ServicePoint.Kind.RED_STATION)
        .annotate(street=Substr("point__unit__path", 1, STREET_PATH_LENGTH), m=_month_of("served_at"))
        .values("street", "m", "service_kind_id")
        .annotate(total=Count("pk"))
        .values("street", "m", "service_kind_id", "total")
        .order_by()
    )


def activity_side() -> QuerySet:
    """Activities not cancelled per street, month they start and their team's kind ("" without a team)."""
    return (
        Activity.objects.exclude(status=Activity.Status.CANCELLED)
        .annotate(
            street=Substr("unit__path", 1, STREET_PATH_LENGTH),
            m=_month_of("starts_at"),
            team_kind=Coalesce("team__kind", Value("")),
        )
        .values("street", "m", "team_kind")
        .annotate(total=Count("pk"))
        .values("street", "m", "team_kind", "total")
        .order_by()
    )


def _street(path_field: str) -> Substr:
    return Substr(path_field, 1, STREET_PATH_LENGTH)


def _per_node(
    figure: str, rows: QuerySet, path_field: str, measures: dict, cells: str, by: tuple[str, ...] = ()
) -> list[tuple[str, QuerySet, str]]:
    """A snapshot figure counted once per node (the city, each district, each street) over the rows of its
    subtree (and per `by`), for distinct people, who cannot be added up across streets (one serves in two)."""
    return [
        (
            figure,
            rows.annotate(node=Length(path_field))
            .filter(node__gte=level * PATH_STEP)
            .annotate(street=Substr(path_field, 1, level * PATH_STEP))
            .values("street", *by)
            .annotate(**measures)
            .order_by(),
            cells,
        )
        for level in (GridUnit.Level.CITY, GridUnit.Level.DISTRICT, GridUnit.Level.STREET)
    ]


def snapshot_sides() -> list[tuple[str, QuerySet, str]]:
    """Today's counts per street: (figure, values() query with street, code, n, n2, amount, the SQL of the code)."""
    members = TeamMember.objects.filter(left_on__isnull=True, team__is_active=True)
    points = ServicePoint.objects.active()
    return [
        (
            Figure.TEAM,
            Team.objects.active()
            .annotate(street=_street("unit__path"))
            .values("street", "kind")
            .annotate(total=Count("pk"))
            .order_by(),
            "s.kind, s.total, 0, 0",
        ),
        (
            Figure.REGISTERED,
            MemberRegistration.objects.filter(ended_on__isnull=True)
            .annotate(street=_street("community__path"))
            .values("street")
            .annotate(total=Count("pk"))
            .order_by(),
            "'', s.total, 0, 0",
        ),
        (
            Figure.ORGANISATIONS,
            OrganisationRegistration.objects.filter(ended_on__isnull=True)
            .annotate(street=_street("community__path"))
            .values("street")
            .annotate(total=Count("pk"))
            .order_by(),
            "'', s.total, 0, 0",
        ),
        (
            Figure.BALANCE,
            LedgerAccount.objects.filter(kind=LedgerAccount.Kind.PERSONAL)
            .annotate(street=_street("volunteer__unit__path"))
            .values("street", "currency")
            .annotate(total=Count("pk", filter=Q(balance__gt=0)), amount=Sum("balance"))
            .order_by(),
            "s.currency, s.total, 0, COALESCE(s.amount, 0)",
        ),
        (
            Figure.POINT,
            points.annotate(street=_street("unit__path"))
            .values("street", "kind", "level")
            .annotate(total=Count("pk"), with_area=Count("floor_area"), amount=Sum("floor_area"))
            .order_by(),
            "s.kind || ':' || s.level, s.total, s.with_area, COALESCE(s.amount, 0)",
        ),
        *_per_node(
            Figure.MEMBERS,
            members,
            "team__unit__path",
            {"total": Count("volunteer", distinct=True)},
            "'', s.total, 0, 0",
        ),
        (
            Figure.UNITS,
            GridUnit.objects.filter(level__gt=GridUnit.Level.STREET)
            .annotate(street=_street("path"))
            .values("street", "level")
            .annotate(total=Count("pk"), managed=Count("pk", filter=Q(is_property_managed=True)))
            .order_by(),
            "CAST(s.level AS TEXT), s.total, s.managed, 0",
        ),
        (
            Figure.JOBS,
            JobOffer.objects.filter(point__in=points.filter(kind=ServicePoint.Kind.RED_STATION).values("pk"))
            .annotate(street=_street("point__unit__path"))
            .values("street")
            .annotate(total=Sum("positions"))
            .order_by(),
            "'', s.total, 0, 0",
        ),
        (
            Figure.RENOVATION,
            Project.objects.annotate(street=_street("unit__path"))
            .values("street", "kind", "status")
            .annotate(total=Count("pk"))
            .order_by(),
            "s.kind || ':' || s.status, s.total, 0, 0",
        ),
        *_per_node(
            Figure.MICRO_PARKS,
            micro_parks_produced(),
            "unit__path",
            {"total": Count("produced_points", distinct=True)},
            "'', s.total, 0, 0",
        ),
        (
            Figure.CONTRACTS,
            Contract.objects.annotate(street=_street("community__path"), stage=F("evaluation__stage"))
            .values("street", "year", "status", "stage")
            .annotate(total=Count("pk"))
            .order_by(),
            "CAST(s.year AS TEXT) || ':' || s.status || ':' || COALESCE(s.stage, ''), s.total, 0, 0",
        ),
        (
            Figure.COMMITMENTS,
            Commitment.objects.filter(contract__in=Contract.objects.counted())
            .annotate(street=_street("contract__community__path"), year=F("contract__year"))
            .values("street", "year")
            .annotate(total=Count("pk"))
            .order_by(),
            "CAST(s.year AS TEXT), s.total, 0, 0",
        ),
        # Co-building units are distinct per node (one unit signs with communities of several streets), per
        # contract year and over all years.
        *_per_node(
            Figure.CONTRACT_UNITS,
            Contract.objects.counted(),
            "community__path",
            {"total": Count("unit", distinct=True)},
            "CAST(s.year AS TEXT), s.total, 0, 0",
            by=("year",),
        ),
        *_per_node(
            Figure.CONTRACT_UNITS,
            Contract.objects.counted(),
            "community__path",
            {"total": Count("unit", distinct=True)},
            "'', s.total, 0, 0",
        ),
        *_per_node(
            Figure.GRID_PEOPLE,
            Post.objects.all(),
            "unit__path",
            {
                "total": Count("user", filter=Q(role__in=GRID_ROLES), distinct=True),
                "instructors": Count("user", filter=Q(role=Post.Role.PARTY_INSTRUCTOR), distinct=True),
            },
            "'', s.total, s.instructors, 0",
        ),
        (
            Figure.MEMBERS_OWN,
            members.annotate(node=Length("team__unit__path"))
            .filter(node__lt=STREET_PATH_LENGTH)
            .annotate(street=F("team__unit__path"))
            .values("street")
            .annotate(total=Count("volunteer", distinct=True))
            .order_by(),
            "'', s.total, 0, 0",
        ),
    ]


def figure_rollup_rebuild() -> int:
    """Recount every figure of the roll-up (call inside the refresh's transaction); returns rows written."""
    table = FigureMonthlyRollup._meta.db_table
    columns = "figure, street_path, month, key, code, n, n2, amount, hours, difficulties, registered"
    FigureMonthlyRollup.objects.exclude(figure=Figure.MEDIAN).delete()
    statements = []
    sql, params, _alias = subquery_sql(service_side())
    statements.append(
        (
            f"INSERT INTO {table} ({columns}) SELECT %s, s.street, s.m, s.category_id, '', s.total, 0, 0, "
            f"COALESCE(s.sum_hours, 0), s.solved, s.by_registered FROM ({sql}) s",
            (Figure.SERVICE, *params),
        )
    )
    sql, params, _alias = subquery_sql(red_station_side())
    statements.append(
        (
            f"INSERT INTO {table} ({columns}) SELECT %s, s.street, s.m, s.service_kind_id, '', s.total, 0, 0, 0, 0, 0 "
            f"FROM ({sql}) s",
            (Figure.RED_STATION, *params),
        )
    )
    sql, params, _alias = subquery_sql(activity_side())
    statements.append(
        (
            f"INSERT INTO {table} ({columns}) SELECT %s, s.street, s.m, 0, s.team_kind, s.total, 0, 0, 0, 0, 0 "
            f"FROM ({sql}) s",
            (Figure.ACTIVITY, *params),
        )
    )
    # The city's figures per district, added up from the street rows just written.
    for figure, by_district in ((Figure.SERVICE, Figure.DISTRICT_SERVICE), (Figure.ACTIVITY, Figure.DISTRICT_ACTIVITY)):
        sql, params, _alias = subquery_sql(
            FigureMonthlyRollup.objects.filter(figure=figure)
            .annotate(district=Substr("street_path", 1, DISTRICT_PATH_LENGTH))
            .values("district", "month", "key", "code")
            .annotate(
                total=Sum("n"), sum_hours=Sum("hours"), solved=Sum("difficulties"), by_registered=Sum("registered")
            )
            .order_by()
        )
        statements.append(
            (
                f"INSERT INTO {table} ({columns}) SELECT %s, s.district, s.month, s.key, s.code, s.total, 0, 0, "
                f"s.sum_hours, s.solved, s.by_registered FROM ({sql}) s",
                (by_district, *params),
            )
        )
    for figure, query, cells in snapshot_sides():
        sql, params, _alias = subquery_sql(query)
        statements.append(
            (
                f"INSERT INTO {table} (figure, street_path, month, key, code, n, n2, amount, hours, difficulties, "
                f"registered) SELECT %s, s.street, NULL, 0, {cells}, 0, 0, 0 FROM ({sql}) s",
                (figure, *params),
            )
        )
    rows = 0
    with connections[router.db_for_write(FigureMonthlyRollup)].cursor() as cursor:
        for statement, args in statements:
            cursor.execute(statement, args)
            rows += max(cursor.rowcount, 0)
    return rows + _timeliness_rows()


def _timeliness_rows() -> int:
    """三会一课 per street, sector and month of the due date, as of today: the meeting rules' periods are
    worked out in Python (party.selectors), so the rows are written from its result (a few per street)."""
    city = GridUnit.objects.filter(level=GridUnit.Level.CITY).first()
    if city is None:
        return 0
    rows = [
        FigureMonthlyRollup(figure=Figure.TIMELINESS, street_path=street, month=month, code=sector, n=due, n2=met)
        for (street, sector, month), (due, met) in timeliness_by_due_month(unit=city).items()
    ]
    FigureMonthlyRollup.objects.bulk_create(rows)
    return len(rows)


# ---------------------------------------------------------------------------
# Medians of the calendar periods
# ---------------------------------------------------------------------------
PERIOD_KINDS = ("month", "quarter", "year")


def period_windows(months: list[dt.date]) -> set[tuple[str, dt.date]]:
    """The calendar month, quarter and year of each month: (kind, first day)."""
    windows = set()
    for month in months:
        windows.add(("month", month))
        windows.add(("quarter", month.replace(month=3 * ((month.month - 1) // 3) + 1)))
        windows.add(("year", month.replace(month=1)))
    return windows


def window_end(kind: str, first: dt.date) -> dt.date:
    return add_months(first, {"month": 1, "quarter": 3, "year": 12}[kind])


def median_rollup_refresh(months: list[dt.date] | None) -> int:
    """Recount the medians of the months, quarters and years these months fall in (every period with a
    resolution when None), for the city, each district and each street, from `IssueFact` (kept in the
    same refresh): per period two statements (`dashboards.sql.median`), whatever the number of units.
    Returns rows written."""
    facts = IssueFact.objects.filter(resolved_at__isnull=False, hours__isnull=False)
    if months is None:
        FigureMonthlyRollup.objects.filter(figure=Figure.MEDIAN).delete()
        found = facts.annotate(m=_month_of("resolved_at")).values_list("m", flat=True).order_by().distinct()
        months = sorted({month_start(m) for m in found})
    windows = sorted(period_windows(months))
    rows: list[FigureMonthlyRollup] = []
    for kind, first in windows:
        FigureMonthlyRollup.objects.filter(figure=Figure.MEDIAN, code__in=[kind, f"{kind}-own"], month=first).delete()
        inside = facts.filter(
            resolved_at__gte=local_midnight(first), resolved_at__lt=local_midnight(window_end(kind, first))
        )
        counts = dict(
            inside.annotate(g=Substr("street_path", 1, PATH_STEP * GridUnit.Level.DISTRICT))
            .values("g")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("g", "n")
        )
        street_counts = inside.values("street_path").annotate(n=Count("pk")).order_by().values_list("street_path", "n")
        # A street's own row; an issue above a street (its "street" is the district's path) is in its district's.
        street_counts = dict(street_counts)
        counts |= {path: n for path, n in street_counts.items() if len(path) == STREET_PATH_LENGTH}
        if not counts:
            continue
        by_district = median(
            inside.annotate(g=Substr("street_path", 1, PATH_STEP * GridUnit.Level.DISTRICT)).values("g", "hours"),
            "hours",
            group="g",
            with_total=True,
        )
        by_street = median(inside.annotate(g=F("street_path")).values("g", "hours"), "hours", group="g")
        city = GridUnit.objects.filter(level=GridUnit.Level.CITY).values_list("path", flat=True).first()
        total = sum(n for g, n in counts.items() if len(g) <= PATH_STEP * GridUnit.Level.DISTRICT)
        found_medians = {g: v for g, v in by_street.items() if g is not None and len(g) == STREET_PATH_LENGTH}
        found_medians |= {g: v for g, v in by_district.items() if g is not None}
        if city is not None and by_district.get(None) is not None:
            found_medians[city] = by_district[None]
            counts[city] = total
        # The issues at the city or a district unit itself (their "street" is that unit's path): "<kind>-own".
        own = {g: v for g, v in by_street.items() if g is not None and len(g) < STREET_PATH_LENGTH}
        for code, medians, numbers in ((kind, found_medians, counts), (f"{kind}-own", own, street_counts)):
            for path, value in medians.items():
                if value is None:
                    continue
                rows.append(
                    FigureMonthlyRollup(
                        figure=Figure.MEDIAN,
                        street_path=path,
                        month=first,
                        code=code,
                        n=numbers.get(path, 0),
                        amount=Decimal(str(round(value, 2))),
                    )
                )
    FigureMonthlyRollup.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
