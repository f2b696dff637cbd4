"""GET /api/v1/stats/party/: 三会一课 timeliness of a unit's subtree, as on the party timeliness page.

The figures come from `party.selectors.timeliness`, the one function behind the page
(/party/timeliness/), its CSV export and this endpoint, so the three cannot differ. The period
(`from`/`to`, or `period` with `year`/`quarter`/`month`; this year by default) bounds the due dates
counted; periods whose due date is still to come are not due yet.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from guilin_portal.db_router import reading_from_replica
from party import selectors as party_selectors
from party.models import Sector

from .views import CSV, ERRORS, FORMAT_PARAMETER, PERIOD_PARAMETERS, UNIT_PARAMETER, StatsView, group_parameter

TIMELINESS_ROW = inline_serializer(
    "StatsPartyRow",
    {
        "key": serializers.CharField(help_text="Organisation id, sector code or district path."),
        "label": serializers.CharField(),
        "due": serializers.IntegerField(help_text="Meetings due (a rule's count for each period due)."),
        "on_time": serializers.IntegerField(help_text="Of those, held on or before the period's due date."),
        "missed": serializers.IntegerField(help_text="due - on_time: held late or not held."),
        "rate": serializers.FloatField(allow_null=True, help_text="on_time / due, per cent, one decimal."),
    },
)


class PartyView(StatsView):
    groups = party_selectors.GROUPS
    endpoint = "party"

    @extend_schema(
        tags=["stats"],
        summary="三会一课 timeliness of the party organisations of a unit's subtree in a period",
        description="Totals: `due` (meetings due: for each tracked organisation and active schedule rule, the "
        "rule's count for each period whose due date has passed and lies in the period asked), `on_time` (met "
        "by meetings held on or before the due date; a meeting held a day late counts for nothing), `missed` and "
        "`rate` (per cent). `sector` limits it to one sector (organ: 机关). With `group_by`: rows per "
        "organisation, sector or district that add up to the totals.",
        parameters=[
            UNIT_PARAMETER,
            *PERIOD_PARAMETERS,
            OpenApiParameter("sector", OpenApiTypes.STR, enum=list(Sector.values), description="Only this sector."),
            group_parameter(party_selectors.GROUPS, "Rows per organisation, sector or district."),
            FORMAT_PARAMETER,
        ],
        responses={
            (200, "application/json"): inline_serializer(
                "StatsParty",
                {
                    "unit": serializers.DictField(),
                    "period": serializers.DictField(),
                    "as_of": serializers.DateTimeField(),
                    "sector": serializers.CharField(allow_null=True),
                    "totals": TIMELINESS_ROW,
                    "group_by": serializers.CharField(allow_null=True),
                    "rows": serializers.ListField(child=TIMELINESS_ROW, required=False),
                },
            ),
            (200, "text/csv"): CSV,
            **{code: ERRORS[code] for code in (400, 401, 404, 429)},
        },
    )
    def get(self, request):
        unit, period, group_by = self.unit(request), self.period(request), self.group_by(request)
        sector = request.query_params.get("sector") or None
        if sector is not None and sector not in Sector.values:
            raise serializers.ValidationError(
                {"sector": [f'Unknown value "{sector}"; one of: {", ".join(Sector.values)}.']}
            )
        with reading_from_replica():
            figure = party_selectors.timeliness(
                unit=unit, start=period.start, end=period.last, sector=sector, group_by=group_by
            )
        body = self.head(unit, period, group_by) | {"sector": sector, "totals": figure.totals.as_dict()}
        if group_by:
            body["rows"] = [row.as_dict() for row in figure.rows]
        return Response(body)
