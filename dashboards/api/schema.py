"""The statistics API's answers as typed OpenAPI shapes: totals and rows field by field, so a generated
client gets attributes, not untyped dicts. Only documentation: the answers are built in views.py."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from contracts.models import Contract
from service_centers.models import ServicePoint
from volunteers.models import Team


def _int(help_text: str = "") -> serializers.IntegerField:
    return serializers.IntegerField(help_text=help_text)


def _number(help_text: str = "", *, required: bool = True) -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, required=required, help_text=help_text)


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "integer"}]})
class RowKeyField(serializers.Field):
    """A row's key: a child unit's id, a category or service code, a month (YYYY-MM), a status or `own`."""


ISSUE_COUNTS = ("logged", "settled", "rejected", "open", "resolved", "feedback", "satisfied")
ISSUE_NUMBERS = ("resolution_rate", "satisfaction_rate", "mean_hours_to_resolve", "median_hours_to_resolve")
ISSUE_TOTALS = inline_serializer(
    "StatsIssuesTotals",
    {
        **{name: _int() for name in ISSUE_COUNTS},
        **{name: _number("Per cent, or hours; null without data.") for name in ISSUE_NUMBERS},
        "overdue_now": _int("Open and past the due time, now."),
    },
)
VOLUNTEER_TOTALS = inline_serializer(
    "StatsVolunteersTotals",
    {
        "teams": _int(),
        "teams_by_kind": inline_serializer("StatsTeamsByKind", {kind: _int() for kind in Team.Kind.values}),
        "members": _int(),
        "services": _int(),
        "hours": _number(),
        "difficulties_solved": _int(),
        "registered_member_services": _int(),
        "registered_members": _int(),
        "registered_organisations": _int(),
        "time_bank_hours": _number(),
        "time_bank_holders": _int(),
        "points_balance": _number(),
        "activities": _int(),
    },
)
SERVICE_POINT_TOTALS = inline_serializer(
    "StatsServicePointsTotals",
    {
        "points": _int(),
        "points_by_kind": inline_serializer("StatsPointsByKind", {kind: _int() for kind in ServicePoint.Kind.values}),
        "party_centers": _int(),
        "community_venues": _int(),
        "community_venue_average_area": _number("m²"),
        "workstations": _int(),
        "workstations_flagged": _int(),
        "compliance_year": serializers.IntegerField(allow_null=True),
        "red_station_services": _int(),
        "jobs_offered": _int(),
    },
)
TALLY_COUNTS = ("contracts", "due", "met", "partially_met", "not_met", "pending")
LATEST_QUARTER = inline_serializer(
    "StatsLatestQuarter",
    {
        "quarter": serializers.CharField(help_text="e.g. 2025Q4"),
        **{name: serializers.IntegerField(allow_null=True) for name in TALLY_COUNTS},
        "completion_rate": _number("Per cent."),
    },
    allow_null=True,
)
CONTRACT_TOTALS = inline_serializer(
    "StatsContractsTotals",
    {
        "contracts": _int("Signed or later (drafts are not counted)."),
        "contracts_by_status": inline_serializer(
            "StatsContractsByStatus", {status: _int() for status in Contract.Status.values}
        ),
        "cobuilding_units": _int(),
        "commitments": _int(),
        "latest_quarter": LATEST_QUARTER,
    },
)


def row_serializer(name: str, numbers: tuple[str, ...]) -> serializers.Serializer:
    """A row of a `group_by`: its key and label, whether a total counts it, and its figures (those of the
    grouping asked for; the others are absent)."""
    return inline_serializer(
        name,
        {
            "key": RowKeyField(),
            "label": serializers.CharField(help_text="本级 for the unit's own items (rows per child)."),
            "in_total": serializers.BooleanField(help_text="False for rows no total counts (draft contracts)."),
            "kind": serializers.CharField(required=False, allow_null=True),
            "level": serializers.CharField(required=False, allow_null=True),
            **{field: _number(required=False) for field in numbers},
        },
    )


def _optional(fields: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(fields))


ISSUE_ROW = row_serializer("StatsIssuesRow", _optional((*ISSUE_COUNTS, *ISSUE_NUMBERS, "overdue_now")))
VOLUNTEER_ROW = row_serializer(
    "StatsVolunteersRow",
    (
        "services",
        "hours",
        "difficulties_solved",
        "registered_member_services",
        "teams",
        "members",
        "registered_members",
    ),
)
SERVICE_POINT_ROW = row_serializer(
    "StatsServicePointsRow", ("points", "total_area", "average_area", "services", *ServicePoint.Kind.values)
)
CONTRACT_ROW = row_serializer("StatsContractsRow", (*TALLY_COUNTS, "completion_rate"))
