"""The statistics API: /api/v1/stats/{overview,issues,volunteers,service-points,contracts}/.

Each endpoint takes `unit` (default: the caller's top unit; 404 outside its
jurisdiction), a period (`from`/`to`, or `period` with `year`/`quarter`/`month`;
the current year by default) and, where it applies, `group_by`; answers JSON or,
with `?format=csv`, CSV. The figures come from `dashboards.selectors` through
`dashboards.tables.Dashboard`, as on the dashboard pages, and the rows of a
`group_by` are the rows of the table that answers it (`tables.TABLES`): one
definition per table for the page, its exports and this API.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from django import forms
from django.utils import timezone
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from grids.api.authentication import ViewerSessionAuthentication, ViewerTokenAuthentication
from grids.models import GridUnit
from guilin_portal.db_router import reading_from_replica
from service_centers.models import ServicePoint

from .. import selectors
from ..forms import PeriodForm
from ..numbers import as_json
from ..periods import Period
from ..selectors import contracts as contract_selectors
from ..selectors import issues as issue_selectors
from ..selectors import service_points as point_selectors
from ..selectors import volunteers as volunteer_selectors
from ..selectors.overview import unit_overview
from ..tables import Dashboard, tally_row
from .auth import ReadOnlyForApiKeys, StatsApiKeyAuthentication, StatsKeyThrottle, ViewerIsAuthenticated
from .renderers import StatsCSVRenderer
from .rows import balanced
from .schema import (
    CONTRACT_ROW,
    CONTRACT_TOTALS,
    ISSUE_ROW,
    ISSUE_TOTALS,
    SERVICE_POINT_ROW,
    SERVICE_POINT_TOTALS,
    VOLUNTEER_ROW,
    VOLUNTEER_TOTALS,
)

# ---------------------------------------------------------------------------
# Documentation pieces shared by every endpoint
# ---------------------------------------------------------------------------
UNIT_PARAMETER = OpenApiParameter(
    "unit",
    OpenApiTypes.INT,
    description="Grid unit id; defaults to the caller's own top unit (an API key's unit). 404 outside it.",
)
PERIOD_PARAMETERS = [
    OpenApiParameter(
        "from",
        OpenApiTypes.DATE,
        description="First day of a custom period (YYYY-MM-DD, local time Asia/Shanghai). Needs `to`.",
    ),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day of a custom period, included. Needs `from`."),
    OpenApiParameter(
        "period",
        OpenApiTypes.STR,
        enum=["year", "quarter", "month", "custom"],
        description="Instead of from/to: a calendar year, quarter or month (with `year`, `quarter`, `month`). "
        "Default: `custom` when from/to are given, else the current year.",
    ),
    OpenApiParameter("year", OpenApiTypes.INT, description="Year of period=year|quarter|month (default: this year)."),
    OpenApiParameter("quarter", OpenApiTypes.INT, enum=[1, 2, 3, 4], description="Quarter of period=quarter."),
    OpenApiParameter("month", OpenApiTypes.INT, description="Month (1-12) of period=month."),
]
FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json", "csv"],
    description="`csv`: the rows (with group_by) or the totals as UTF-8 CSV; default JSON.",
)


def group_parameter(choices: tuple[str, ...], text: str) -> OpenApiParameter:
    return OpenApiParameter("group_by", OpenApiTypes.STR, enum=list(choices), description=text)


ERROR_400 = OpenApiResponse(
    # The project's validation error (guilin_portal/schema.py): each refused parameter with its messages.
    response={"$ref": "#/components/schemas/PortalValidationError"},
    description="A parameter is wrong: the body names it, e.g. "
    '`{"group_by": ["Unknown value \\"colour\\"; one of: category, status, child, month."]}` or '
    '`{"to": ["结束日期不能早于开始日期。"]}`.',
    examples=[
        OpenApiExample("Unknown group_by", value={"group_by": ['Unknown value "colour"; one of: category, status.']}),
        OpenApiExample("Bad date", value={"from": ["Enter a valid date."]}),
    ],
)
DETAIL = inline_serializer("StatsErrorDetail", {"detail": serializers.CharField()})
ERRORS = {
    400: ERROR_400,
    401: OpenApiResponse(DETAIL, description="No credentials, or an API key that is unknown, revoked or expired."),
    403: OpenApiResponse(DETAIL, description="A write with an API key (keys only read)."),
    404: OpenApiResponse(DETAIL, description="`unit` is outside the caller's jurisdiction (or does not exist)."),
    429: OpenApiResponse(DETAIL, description="Over the key's request rate (per key; see `Retry-After`)."),
}
CSV = OpenApiResponse(
    OpenApiTypes.STR,
    description="With `?format=csv`: UTF-8 with a byte-order mark (read it as utf-8-sig), one line per row "
    "(or the totals), an attachment named after the unit, period and date.",
)

UNIT = inline_serializer(
    "StatsUnit",
    {"id": serializers.IntegerField(), "name": serializers.CharField(), "level": serializers.IntegerField()},
)
PERIOD = inline_serializer("StatsPeriod", {"from": serializers.DateField(), "to": serializers.DateField()})
NUMBERS = serializers.DictField(child=serializers.FloatField(allow_null=True))


AS_OF = serializers.DateTimeField(
    help_text="When the figures hold: a roll-up's time, or this answer's when all are live "
    "(ISO 8601, +08:00; also the X-Stats-As-Of header)."
)


def response_schema(name: str, totals, row, totals_help: str, row_help: str) -> serializers.Serializer:
    return inline_serializer(
        name,
        {
            "unit": UNIT,
            "period": PERIOD,
            "as_of": AS_OF,
            "totals": totals,
            "group_by": serializers.CharField(allow_null=True),
            "rows": serializers.ListField(child=row, required=False, help_text=row_help),
        },
    )


# ---------------------------------------------------------------------------
# Base
# ---------------------------------------------------------------------------
class StatsView(APIView):
    """Base of every statistics endpoint: people (session, token) or API keys, read-only, throttled per key."""

    authentication_classes = [StatsApiKeyAuthentication, ViewerSessionAuthentication, ViewerTokenAuthentication]
    permission_classes = [ViewerIsAuthenticated, ReadOnlyForApiKeys]
    throttle_classes = [StatsKeyThrottle]
    renderer_classes = [JSONRenderer, StatsCSVRenderer]
    groups: tuple[str, ...] = ()
    endpoint = ""  # its name in the URL, and in tables.TABLES' `api`

    def unit(self, request) -> GridUnit:
        # Django's own field messages: translated in both languages, so an answer is in one.
        raw = request.query_params.get("unit")
        unit_id = None
        if raw:
            field = forms.IntegerField(min_value=1, max_value=2**31 - 1)
            try:
                unit_id = field.clean(raw)
            except forms.ValidationError as error:
                raise serializers.ValidationError({"unit": error.messages}) from error
        return selectors.stats_unit(viewer=request.viewer, unit_id=unit_id)

    def period(self, request) -> Period:
        form = PeriodForm(request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError({field: list(messages) for field, messages in form.errors.items()})
        return form.chosen

    def group_by(self, request) -> str | None:
        value = request.query_params.get("group_by") or None
        if value is not None and value not in self.groups:
            field = forms.ChoiceField(choices=[(group, group) for group in self.groups])
            try:
                field.clean(value)
            except forms.ValidationError as error:
                messages = [f"{message} ({', '.join(self.groups)})" for message in error.messages]
                raise serializers.ValidationError({"group_by": messages}) from error
        return value

    def head(self, unit: GridUnit, period: Period, group_by: str | None) -> dict[str, Any]:
        return {
            "unit": {"id": unit.pk, "name": unit.name, "level": unit.level},
            "period": {"from": period.start, "to": period.last},
            "as_of": None,
            "group_by": group_by,
        }

    def balanced_rows(self, dashboard: Dashboard, group_by: str, totals: dict[str, Any]) -> list[dict[str, Any]]:
        """The `group_by` rows, adding up to `totals` (a "本级" row, `in_total` on each)."""
        return balanced(self.endpoint, group_by, totals, self.rows(dashboard, group_by))

    def finalize_response(self, request, response, *args, **kwargs):
        """Unit, period and as-of time in the headers too; a CSV is an attachment named after them."""
        response = super().finalize_response(request, response, *args, **kwargs)
        rate_limit = getattr(request._request if hasattr(request, "_request") else request, "rate_limit", None)
        if rate_limit is not None:  # a key's call: X-RateLimit-Limit, -Remaining, -Reset (a 429 adds Retry-After)
            for header, value in rate_limit.headers().items():
                response[header] = value
        data = getattr(response, "data", None)
        if response.status_code != 200 or not isinstance(data, dict) or "unit" not in data:
            return response
        data["as_of"] = stamp(data.get("as_of"))
        unit, period = data["unit"], data.get("period")
        response["X-Stats-Unit"] = str(unit["id"])
        response["X-Stats-Unit-Name"] = quote(unit["name"])  # UTF-8, percent-encoded: headers are Latin-1
        response["X-Stats-As-Of"] = data["as_of"]
        parts = [unit["name"], self.endpoint or "overview"]
        if period:
            response["X-Stats-Period"] = f"{period['from']}/{period['to']}"
            parts.append(f"{period['from']}_{period['to']}")
        if data.get("group_by"):
            parts.append(data["group_by"])
        parts.append(timezone.localdate().isoformat())
        if getattr(response, "accepted_renderer", None) is not None and response.accepted_renderer.format == "csv":
            response["Content-Disposition"] = content_disposition_header(True, "_".join(parts) + ".csv")
        return response

    def dashboard(self, request, unit: GridUnit, period: Period, group_by: str | None) -> Dashboard:
        """The unit's figures as the dashboard page computes them, limited to what this call asks for."""
        return Dashboard(viewer=request.viewer, unit=unit, period=period, by_child=group_by == "child", trend=False)

    def rows(self, dashboard: Dashboard, group_by: str) -> list[dict[str, Any]]:
        """The `group_by` rows: those of the dashboard table that answers it."""
        return dashboard.api_rows(self.endpoint, group_by)


# ---------------------------------------------------------------------------
# Overview
# ---------------------------------------------------------------------------
class OverviewView(StatsView):
    @extend_schema(
        tags=["stats"],
        summary="The report's headline figures for a unit's subtree (all time)",
        description="Micro-grids, grid workers, problems solved, teams, centers, studios, workstations, red "
        "stations and their services, contracts, co-building units, commitments, registered organ members and "
        "their services, difficulties solved, party meeting timeliness, brands and pioneer posts, renovated villages and "
        "compounds...: the same figures as the city overview page "
        "(/dashboards/city/), computed from the data.",
        parameters=[UNIT_PARAMETER, FORMAT_PARAMETER],
        responses={
            (200, "application/json"): inline_serializer(
                "StatsOverview",
                {
                    "unit": UNIT,
                    "as_of": AS_OF,
                    "grids": serializers.DictField(child=serializers.IntegerField()),
                    "issues": NUMBERS,
                    "volunteers": NUMBERS,
                    "service_points": NUMBERS,
                    "contracts": serializers.DictField(
                        child=serializers.IntegerField(), required=False, help_text="Absent below a community."
                    ),
                    "party": NUMBERS,
                    "renovation": serializers.DictField(child=serializers.IntegerField()),
                },
            ),
            (200, "text/csv"): CSV,
            **{code: ERRORS[code] for code in (400, 401, 404, 429)},
        },
    )
    def get(self, request):
        unit = self.unit(request)
        with reading_from_replica():
            overview = unit_overview(unit=unit)
        body: dict[str, Any] = {
            "unit": {"id": unit.pk, "name": unit.name, "level": unit.level},
            "as_of": overview.as_of,
        }
        for section, values in overview.sections.items():
            body[section] = {key: as_json(value) for key, value in values.items()}
        return Response(body)


# ---------------------------------------------------------------------------
# Issues
# ---------------------------------------------------------------------------
class IssuesView(StatsView):
    groups = issue_selectors.GROUPS
    endpoint = "issues"

    @extend_schema(
        tags=["stats"],
        summary="Resident issues of a unit's subtree in a period",
        description="Totals: `logged` (issues logged in the period) and, of those, `settled` (now resolved or "
        "closed), `rejected`, `open`, `feedback`, `satisfied`; `resolved` (issues resolved in the period) with "
        "their `mean_hours_to_resolve` and `median_hours_to_resolve`; `resolution_rate` = settled / (logged - "
        "rejected) and `satisfaction_rate` = satisfied / feedback, in per cent; `overdue_now` (live). "
        "With `group_by`, one row per category (`key`: its code), current status, child unit (`key`: its id; "
        "rows also carry its median hours and overdue issues) or month (`key`: YYYY-MM).",
        parameters=[
            UNIT_PARAMETER,
            *PERIOD_PARAMETERS,
            group_parameter(issue_selectors.GROUPS, "Rows per category, status, child unit or month."),
            FORMAT_PARAMETER,
        ],
        responses={
            (200, "application/json"): response_schema(
                "StatsIssues",
                ISSUE_TOTALS,
                ISSUE_ROW,
                "Figures of the whole subtree and period.",
                "One row per group, same figures; they add up to the totals.",
            ),
            (200, "text/csv"): CSV,
            **{code: ERRORS[code] for code in (400, 401, 404, 429)},
        },
    )
    def get(self, request):
        unit, period, group_by = self.unit(request), self.period(request), self.group_by(request)
        with reading_from_replica():
            dashboard = self.dashboard(request, unit, period, group_by)
            summary = dashboard.issue_summary
            body = self.head(unit, period, group_by) | {"as_of": summary.as_of, "totals": summary.as_dict()}
            if group_by:
                body["rows"] = self.balanced_rows(dashboard, group_by, body["totals"])
        return Response(body)


# ---------------------------------------------------------------------------
# Volunteers
# ---------------------------------------------------------------------------
class VolunteersView(StatsView):
    groups = volunteer_selectors.GROUPS
    endpoint = "volunteers"

    @extend_schema(
        tags=["stats"],
        summary="Volunteer teams, members and verified service of a unit's subtree in a period",
        description="Totals: today's active `teams` (and `teams_by_kind`), `members` on their rosters, "
        "`registered_members` and `registered_organisations` (双报到, active), time-bank `time_bank_hours` "
        "(today's balances of people living here) and `time_bank_holders`, `points_balance`; in the period: "
        "verified `services`, `hours`, `difficulties_solved`, `registered_member_services` (services by "
        "registered members), `activities`. With `group_by`: verified service per category (`key`: its code), "
        "child unit (`key`: its id; rows also carry teams, members, registered members) or month.",
        parameters=[
            UNIT_PARAMETER,
            *PERIOD_PARAMETERS,
            group_parameter(volunteer_selectors.GROUPS, "Rows per service category, child unit or month."),
            FORMAT_PARAMETER,
        ],
        responses={
            (200, "application/json"): response_schema(
                "StatsVolunteers",
                VOLUNTEER_TOTALS,
                VOLUNTEER_ROW,
                "Figures of the whole subtree.",
                "Verified service per group; they add up to the totals.",
            ),
            (200, "text/csv"): CSV,
            **{code: ERRORS[code] for code in (400, 401, 404, 429)},
        },
    )
    def get(self, request):
        unit, period, group_by = self.unit(request), self.period(request), self.group_by(request)
        with reading_from_replica():
            dashboard = self.dashboard(request, unit, period, group_by)
            body = self.head(unit, period, group_by) | {"totals": dashboard.volunteer_summary.as_dict()}
            if group_by:
                body["rows"] = self.balanced_rows(dashboard, group_by, body["totals"])
        return Response(body)


# ---------------------------------------------------------------------------
# Service points
# ---------------------------------------------------------------------------
class ServicePointsView(StatsView):
    groups = (*point_selectors.GROUPS, "service")
    endpoint = "service-points"

    @extend_schema(
        tags=["stats"],
        summary="The service network of a unit's subtree, and its red stations' services in a period",
        description="Totals: today's active `points` and `points_by_kind`, `party_centers`, "
        "`community_venues` and their `community_venue_average_area` (m²), `workstations` and "
        "`workstations_flagged` (last year's duties: six meetings, an activity every month), "
        "`red_station_services` in the period, `jobs_offered`. With `group_by`: points per kind and level "
        "(`kind`, with total and average floor area), per child unit (`child`, points per kind), red-station "
        "services per month (`month`) or per menu item (`service`).",
        parameters=[
            UNIT_PARAMETER,
            *PERIOD_PARAMETERS,
            group_parameter((*point_selectors.GROUPS, "service"), "Rows per kind/level, child, month or service."),
            FORMAT_PARAMETER,
        ],
        responses={
            (200, "application/json"): response_schema(
                "StatsServicePoints",
                SERVICE_POINT_TOTALS,
                SERVICE_POINT_ROW,
                "Figures of the whole subtree.",
                "One row per group; they add up to the totals.",
            ),
            (200, "text/csv"): CSV,
            **{code: ERRORS[code] for code in (400, 401, 404, 429)},
        },
    )
    def get(self, request):
        unit, period, group_by = self.unit(request), self.period(request), self.group_by(request)
        with reading_from_replica():
            dashboard = self.dashboard(request, unit, period, group_by)
            network = dashboard.network
            venues = network.community_venues
            totals = {
                "points": network.total_points,
                "points_by_kind": {kind: network.kind_totals.get(kind, 0) for kind in ServicePoint.Kind.values},
                "party_centers": network.party_centers,
                "community_venues": venues.count if venues else 0,
                "community_venue_average_area": venues.average_area if venues else None,
                "workstations": network.workstations,
                "workstations_flagged": network.workstations_flagged,
                "compliance_year": network.compliance_year,
                "red_station_services": dashboard.red_station_services,
                "jobs_offered": network.jobs_offered,
            }
            body = self.head(unit, period, group_by) | {"totals": totals}
            if group_by:
                body["rows"] = self.balanced_rows(dashboard, group_by, body["totals"])
        return Response(body)


# ---------------------------------------------------------------------------
# Contracts
# ---------------------------------------------------------------------------
def latest_quarter(completion) -> dict[str, Any] | None:
    """The newest tallied quarter of the period and the unit's own completion in it."""
    if completion is None:
        return None
    return {"quarter": f"{completion.year}Q{completion.quarter}", **tally_row(completion.own)}


class ContractsView(StatsView):
    groups = contract_selectors.GROUPS
    endpoint = "contracts"

    @extend_schema(
        tags=["stats"],
        summary="Co-building contracts of a unit's subtree: the period's contract years and the latest quarter",
        description="Totals (contract years the period touches): `contracts` (signed or later), "
        "`contracts_by_status`, `cobuilding_units`, `commitments`; `latest_quarter`: the newest tallied "
        "quarter that ended in the period (`quarter`, e.g. 2025Q4) with the unit's tally in it (`contracts`, "
        "`due`, `met`, `partially_met`, `not_met`, `pending` and the weighted `completion_rate`, per cent: met "
        "weight plus half the partially met weight over the weight due), null before any tally. With `group_by`: that quarter's completion "
        "per child unit (`child`; per contract for a community), contracts per `status`, per evaluation "
        "`stage` (`not_started`, self, community, street, district, done) or the unit's completion per "
        "`quarter` of the period. Contracts are signed by communities: below one, every figure is zero.",
        parameters=[
            UNIT_PARAMETER,
            *PERIOD_PARAMETERS,
            group_parameter(contract_selectors.GROUPS, "Rows per child unit, status, evaluation stage or quarter."),
            FORMAT_PARAMETER,
        ],
        responses={
            (200, "application/json"): response_schema(
                "StatsContracts",
                CONTRACT_TOTALS,
                CONTRACT_ROW,
                "Figures of the whole subtree.",
                "One row per group; rows with in_total false (drafts) are outside the totals.",
            ),
            (200, "text/csv"): CSV,
            **{code: ERRORS[code] for code in (400, 401, 404, 429)},
        },
    )
    def get(self, request):
        unit, period, group_by = self.unit(request), self.period(request), self.group_by(request)
        with reading_from_replica():
            body = self.head(unit, period, group_by)
            if not contract_selectors.has_contracts(unit):
                summary = contract_selectors.ContractSummary(by_status={}, units=0, commitments=0)
                body["totals"] = summary.as_dict() | {"latest_quarter": None}
                if group_by:
                    body["rows"] = []
                return Response(body)
            dashboard = self.dashboard(request, unit, period, group_by)
            summary = dashboard.contract_summary
            body["totals"] = summary.as_dict() | {"latest_quarter": latest_quarter(dashboard.contract_completion)}
            if group_by:
                body["rows"] = self.balanced_rows(dashboard, group_by, body["totals"])
        return Response(body)


def stamp(value: datetime | str | None) -> str:
    """The one timestamp format of the API: ISO 8601 to the second with Guilin's offset (…T08:00:00+08:00).

    None (every figure counted live) is this answer's own time.
    """
    if isinstance(value, str):
        return value
    return timezone.localtime(value or timezone.now()).isoformat(timespec="seconds")
