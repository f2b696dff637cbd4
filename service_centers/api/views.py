"""REST API under /api/v1/service-points/.

Reading the directory is public (no log-in, no personal data, anonymous rate
limit). Everything else needs a log-in and follows the same rules as the pages:
a point outside what the caller may read is 404; a write the caller may not
make is 403 (PermissionDenied from the service, the same `access` predicates
that give the pages their buttons); the services decide what is valid (400
naming the field). Reading a point's records needs the same standing as
writing them.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from grids.jurisdiction import scope
from grids.models import GridUnit
from grids.viewer import Viewer
from guilin_portal.params import parse_id
from guilin_portal.throttles import AnonRateThrottle  # keyed on the proxy-aware client address

from .. import access, selectors, services
from ..models import ServiceKind, ServicePoint, StarRating
from .serializers import (
    ActivitySerializer,
    ComplianceSerializer,
    MeetingSerializer,
    MemberSerializer,
    NetworkOverviewSerializer,
    PointWriteSerializer,
    PublicPointDetailSerializer,
    PublicPointSerializer,
    RatingSerializer,
    ServiceKindSerializer,
    ServiceLogSerializer,
    StaffPointSerializer,
)


class DirectoryFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ServicePoint.Kind.choices)
    level = django_filters.ChoiceFilter(choices=ServicePoint.Level.choices)
    district = django_filters.NumberFilter(method="filter_district", label="id of a district (城区/县) unit")
    q = django_filters.CharFilter(method="filter_q", label="name or address contains")

    class Meta:
        model = ServicePoint
        fields = ["kind", "level"]

    def filter_district(self, queryset, name, value):
        district = GridUnit.objects.filter(pk=value, level=GridUnit.Level.DISTRICT).only("path").first()
        if district is None:
            return queryset.none()
        return queryset.filter(unit__path__startswith=district.path)

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value)) if value else queryset


def _caller(view) -> Viewer:
    """The caller's Viewer for a list's queryset; the schema generator's mock request has none and is nobody."""
    return getattr(view.request, "viewer", None) or Viewer.anonymous()


def _work_point(request, pk, kind: str, action: str) -> ServicePoint:
    """A point the caller reads, of the kind these records belong to (else 404).

    Reading its records needs the action's standing (403); a write is left to the service, which checks it.
    """
    point = selectors.point_get(viewer=request.viewer, pk=parse_id(pk))
    if point.kind != kind:
        raise Http404
    if request.method == "GET" and action not in access.allowed_actions(request.viewer, point):
        raise PermissionDenied(_("您可以查看该阵地，但不负责它的登记工作。"))
    return point


class ServicePointViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Service points: the public directory (read, no log-in) and scoped writes for staff."""

    lookup_value_regex = r"\d+"
    filterset_class = DirectoryFilter

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_throttles(self):
        if self.action in ("list", "retrieve"):
            return [AnonRateThrottle()]
        return super().get_throttles()

    def get_queryset(self):
        return selectors.directory_points(viewer=_caller(self))

    def get_serializer_class(self):
        if self.action == "create":
            return PointWriteSerializer
        if self.action == "retrieve":
            return PublicPointDetailSerializer
        return PublicPointSerializer

    def list(self, request, *args, **kwargs):
        district_list = selectors.districts()
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        for point in page:
            point.district = selectors.district_of(point, district_list)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        detail = selectors.directory_point_get(viewer=request.viewer, pk=parse_id(kwargs["pk"]))
        point = detail.point
        point.district = detail.district
        point.public_menu = detail.menu
        point.public_stars = detail.rating.stars if detail.rating else None
        return Response(PublicPointDetailSerializer(point).data)

    @extend_schema(request=PointWriteSerializer, responses={201: StaffPointSerializer})
    def create(self, request, *args, **kwargs):
        serializer = PointWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        point = services.point_create(
            actor=request.user,
            kind=data.pop("kind"),
            level=data.pop("level", ""),
            unit=data.pop("unit"),
            name=data.pop("name"),
            menu=data.pop("menu", None),
            **data,
        )
        return Response(StaffPointSerializer(point).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PointWriteSerializer, responses={200: StaffPointSerializer})
    @action(detail=True, methods=["get", "patch"], url_path="manage")
    def manage(self, request, pk=None):
        """The point with its contact person (staff who may read it); PATCH changes it (staff posts over it)."""
        point = selectors.point_get(viewer=request.viewer, pk=parse_id(pk))
        if request.method == "PATCH":
            serializer = PointWriteSerializer(data=request.data, partial=True)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            for fixed in ("kind", "level", "unit"):
                if fixed in data:
                    raise ValidationError({fixed: _("类型、级别和所属单元在创建后不能修改。")})
            menu = data.pop("menu", None)
            point = services.point_update(actor=request.user, point=point, menu=menu, **data)
        return Response(StaffPointSerializer(point).data)

    @extend_schema(
        request=ServiceLogSerializer,
        responses={200: ServiceLogSerializer(many=True), 201: ServiceLogSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="services")
    def services_log(self, request, pk=None):
        """A red station's service log: GET the latest entries, POST one service (one tap)."""
        point = _work_point(request, pk, ServicePoint.Kind.RED_STATION, access.LOG_SERVICE)
        if request.method == "GET":
            page = self.paginate_queryset(
                point.services_given.select_related("service_kind").order_by("-served_at", "-pk")
            )
            return self.get_paginated_response(ServiceLogSerializer(page, many=True).data)
        serializer = ServiceLogSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        entry, created = services.red_station_service_log(
            actor=request.user,
            point=point,
            service_kind=data["service_kind"],
            served_at=data.get("served_at"),
            note=data.get("note") or "",
            client_key=data.get("client_key"),
        )
        return Response(
            ServiceLogSerializer(entry).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(request=MeetingSerializer, responses={200: MeetingSerializer(many=True), 201: MeetingSerializer})
    @action(detail=True, methods=["get", "post"])
    def meetings(self, request, pk=None):
        """A workstation's deliberation meetings: GET them, POST one held."""
        point = _work_point(request, pk, ServicePoint.Kind.WORKSTATION, access.RECORD_MEETING)
        if request.method == "GET":
            page = self.paginate_queryset(
                point.meetings.prefetch_related("follow_up_issues").order_by("-held_on", "-pk")
            )
            return self.get_paginated_response(MeetingSerializer(page, many=True).data)
        serializer = MeetingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        issues = data.pop("follow_up_issues", [])
        meeting = services.deliberation_meeting_record(actor=request.user, point=point, follow_up_issues=issues, **data)
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MemberSerializer, responses={200: MemberSerializer(many=True), 201: MemberSerializer})
    @action(detail=True, methods=["get", "post"])
    def members(self, request, pk=None):
        """A workstation's members (vanguard models with their honours): GET them, POST one enrolled."""
        point = _work_point(request, pk, ServicePoint.Kind.WORKSTATION, access.ADD_MEMBER)
        if request.method == "GET":
            page = self.paginate_queryset(point.members.prefetch_related("honours").order_by("joined_on", "pk"))
            return self.get_paginated_response(MemberSerializer(page, many=True).data)
        serializer = MemberSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        member = services.workstation_member_add(
            actor=request.user,
            point=point,
            name=data["name"],
            organisation=data.get("organisation", ""),
            joined_on=data["joined_on"],
            honours=[dict(honour) for honour in data["honours"]],
        )
        return Response(MemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ActivitySerializer, responses={200: ActivitySerializer(many=True), 201: ActivitySerializer})
    @action(detail=True, methods=["get", "post"])
    def activities(self, request, pk=None):
        """A workstation's monthly activities: GET them, POST one held."""
        point = _work_point(request, pk, ServicePoint.Kind.WORKSTATION, access.RECORD_ACTIVITY)
        if request.method == "GET":
            page = self.paginate_queryset(point.workstation_activities.order_by("-held_on", "-pk"))
            return self.get_paginated_response(ActivitySerializer(page, many=True).data)
        serializer = ActivitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        volunteer_activity = data.pop("volunteer_activity", None)
        if volunteer_activity is not None:
            activity = services.workstation_activity_from_volunteer(
                actor=request.user, point=point, activity=volunteer_activity
            )
        else:
            activity = services.workstation_activity_record(actor=request.user, point=point, **data)
        return Response(ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)


class ServiceKindViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The services a red station's menu may hold (public)."""

    serializer_class = ServiceKindSerializer
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]
    pagination_class = None
    queryset = ServiceKind.objects.filter(is_active=True).order_by("sort_order", "pk")


class RatingFilter(django_filters.FilterSet):
    unit = django_filters.NumberFilter(method="filter_unit", label="only ratings under this unit id")

    class Meta:
        model = StarRating
        fields = ["year", "point", "compound", "stars", "is_current"]

    def filter_unit(self, queryset, name, value):
        unit = GridUnit.objects.filter(pk=value).only("path").first()
        return queryset.filter(unit__path__startswith=unit.path) if unit else queryset.none()


class RatingViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Star ratings (评星定级) of points and compound party organisations in the caller's jurisdiction."""

    serializer_class = RatingSerializer
    filterset_class = RatingFilter

    def get_queryset(self):
        return scope(StarRating.objects.select_related("rated_by"), _caller(self)).order_by("-year", "-rated_at", "-pk")

    def create(self, request, *args, **kwargs):
        serializer = RatingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        point = data.get("point")
        if point is not None:
            point = selectors.point_get(viewer=request.viewer, pk=point.pk)  # 404 outside
        compound = data.get("compound")
        if compound is not None:
            compound = selectors.unit_get(viewer=request.viewer, pk=compound.pk)  # 404 outside
        rating = services.star_rating_record(
            actor=request.user,
            year=data["year"],
            scores={field: data.get(field) for field, _label in StarRating.CRITERIA},
            point=point,
            compound=compound,
            note=data.get("note", ""),
        )
        return Response(RatingSerializer(rating).data, status=status.HTTP_201_CREATED)


def _unit_param(request) -> GridUnit:
    raw = request.query_params.get("unit")
    if raw:
        pk = parse_id(raw)
        if pk is None:
            raise Http404
        return selectors.unit_get(viewer=request.viewer, pk=pk)
    unit = selectors.home_unit(viewer=request.viewer)
    if unit is None:
        raise Http404
    return unit


UNIT_PARAM = OpenApiParameter("unit", OpenApiTypes.INT, description="a grid unit id (default: the caller's own)")


class NetworkOverviewView(APIView):
    """The network under a unit: counts and floor areas by kind and level, compliance, red-station months."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[UNIT_PARAM], responses=NetworkOverviewSerializer)
    def get(self, request):
        overview = selectors.network_overview(viewer=request.viewer, unit=_unit_param(request))
        return Response(NetworkOverviewSerializer(overview).data)


class ComplianceView(APIView):
    """Pioneer alliance workstations under a unit against a year's duties (6+ meetings, monthly activity)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[UNIT_PARAM, OpenApiParameter("year", OpenApiTypes.INT, description="default: last year")],
        responses=ComplianceSerializer(many=True),
    )
    def get(self, request):
        unit = _unit_param(request)
        year = parse_id(request.query_params.get("year"), timezone.localdate().year - 1)
        if not 2000 <= year <= timezone.localdate().year + 1:  # as the page's year choice; year 0 has no dates
            raise ValidationError(
                {"year": _("年度应在 2000 至 %(last)s 之间。") % {"last": timezone.localdate().year + 1}}
            )
        rows = selectors.workstation_compliance(viewer=request.viewer, unit=unit, year=year)
        return Response(ComplianceSerializer(rows, many=True).data)
