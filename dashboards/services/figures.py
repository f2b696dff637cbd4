"""Keeping the other domains' roll-up (`FigureMonthlyRollup`) in step with their tables: dated figures
per street and month, and snapshots of today's rosters, registrations, balances and service points.

Volunteer service records, red-station services and activities carry no "updated at" of their
own (a record is verified or reversed in place), so each refresh recounts them all: one DELETE
and one INSERT ... SELECT ... GROUP BY per figure, in the refresh's transaction, no row through
Python. They are a small fraction of the issues (the report's 97,800 services a year against
the issues of every resident), so a full recount stays well inside the five-minute interval.
"""

from __future__ import annotations

from django.db import connections, router
from django.db.models import Count, DateField, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Length, Substr, TruncMonth
from django.utils import timezone

from grids.models import PATH_STEP, GridUnit
from service_centers.models import RedStationService, ServicePoint
from volunteers.models import (
    Activity,
    LedgerAccount,
    MemberRegistration,
    OrganisationRegistration,
    ServiceRecord,
    Team,
    TeamMember,
)

from ..models import FigureMonthlyRollup
from ..sql import subquery_sql

STREET_PATH_LENGTH = PATH_STEP * GridUnit.Level.STREET
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
    """Activities not cancelled per street and month they start."""
    return (
        Activity.objects.exclude(status=Activity.Status.CANCELLED)
        .annotate(street=Substr("unit__path", 1, STREET_PATH_LENGTH), m=_month_of("starts_at"))
        .values("street", "m")
        .annotate(total=Count("pk"))
        .values("street", "m", "total")
        .order_by()
    )


def _street(path_field: str) -> Substr:
    return Substr(path_field, 1, STREET_PATH_LENGTH)


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
        *[
            (
                Figure.MEMBERS,
                members.annotate(node=Length("team__unit__path"))
                .filter(node__gte=level * PATH_STEP)
                .annotate(street=Substr("team__unit__path", 1, level * PATH_STEP))
                .values("street")
                .annotate(total=Count("volunteer", distinct=True))
                .order_by(),
                "'', s.total, 0, 0",
            )
            for level in (GridUnit.Level.CITY, GridUnit.Level.DISTRICT, GridUnit.Level.STREET)
        ],
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
    FigureMonthlyRollup.objects.all().delete()
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
            f"INSERT INTO {table} ({columns}) SELECT %s, s.street, s.m, 0, '', s.total, 0, 0, 0, 0, 0 FROM ({sql}) s",
            (Figure.ACTIVITY, *params),
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
    return rows
