from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors
from .auth import ReadOnlyForApiKeys, StatsApiKeyAuthentication, StatsKeyThrottle

UNIT_PARAMETER = OpenApiParameter(
    "unit", OpenApiTypes.INT, description="Grid unit id; defaults to the caller's own top unit. 404 outside it."
)


class StatsView(APIView):
    """Base of every statistics endpoint: people (session, token) or API keys, read-only, throttled per key."""

    authentication_classes = [StatsApiKeyAuthentication, SessionAuthentication, TokenAuthentication]
    permission_classes = [permissions.IsAuthenticated, ReadOnlyForApiKeys]
    throttle_classes = [StatsKeyThrottle]

    def unit(self, request):
        raw = request.query_params.get("unit")
        if raw is not None and not raw.isdigit():
            raise serializers.ValidationError({"unit": ["A grid unit id (a whole number) is required."]})
        return selectors.stats_unit(viewer=request.user, unit_id=int(raw) if raw else None)


class OverviewView(StatsView):
    @extend_schema(
        summary="The report's headline figures for a unit's subtree",
        parameters=[UNIT_PARAMETER],
        responses=inline_serializer(
            "StatsOverview",
            {
                "unit": inline_serializer(
                    "StatsUnit",
                    {
                        "id": serializers.IntegerField(),
                        "name": serializers.CharField(),
                        "level": serializers.IntegerField(),
                    },
                ),
                "grids": serializers.DictField(child=serializers.IntegerField()),
            },
        ),
    )
    def get(self, request):
        unit = self.unit(request)
        return Response(
            {
                "unit": {"id": unit.pk, "name": unit.name, "level": unit.level},
                "grids": selectors.grid_overview(unit=unit),
            }
        )
