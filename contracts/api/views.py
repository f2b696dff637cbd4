"""REST API under /api/v1/contracts/: scoped like the pages, writes through the same services.

Outside the caller's jurisdiction: 404. A wrong role or an evaluation stage out
of turn: 403 (PermissionDenied from the service, whose predicates in
contracts.access also give the pages their buttons). Bad input, or an action
the state does not allow yet: 400 naming the field. The disclosure board and
the published award lists are public (no log-in).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from grids.jurisdiction import get_scoped_or_404
from grids.models import GridUnit
from grids.viewer import Viewer
from guilin_portal.params import parse_id
from guilin_portal.throttles import AnonRateThrottle  # keyed on the proxy-aware client address
from guilin_portal.uploads import protected_file_response

from .. import selectors, services
from ..access import contract_visible_q
from ..models import BoardPublication, Commitment, CommitmentTarget, Contract, DemandItem, ResourceItem
from . import serializers as s


def _caller(view) -> Viewer:
    """The caller's Viewer for a list's queryset; the schema generator's mock request has none and is nobody."""
    return getattr(view.request, "viewer", None) or Viewer.anonymous()


CONTRACT_FILTERS = [
    OpenApiParameter("year", OpenApiTypes.INT, description="contract year"),
    OpenApiParameter("status", OpenApiTypes.STR, enum=Contract.Status.values),
    OpenApiParameter("community", OpenApiTypes.INT, description="community (grid unit) id"),
    OpenApiParameter("unit", OpenApiTypes.INT, description="co-building unit id"),
    OpenApiParameter("within", OpenApiTypes.INT, description="only contracts under this grid unit"),
    OpenApiParameter("search", OpenApiTypes.STR, description="number, title or unit name"),
]


@extend_schema_view(list=extend_schema(parameters=CONTRACT_FILTERS))
class ContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Contracts in the caller's jurisdiction (staff) or of the caller's own unit (unit contacts)."""

    lookup_value_regex = r"[0-9]+"
    filter_backends: list = []
    serializer_class = s.ContractSerializer

    def get_queryset(self):
        params = self.request.query_params
        return selectors.contract_list(
            viewer=_caller(self),
            year=parse_id(params.get("year")),
            status=params.get("status") if params.get("status") in Contract.Status.values else None,
            community=parse_id(params.get("community")),
            unit=parse_id(params.get("unit")),
            within=parse_id(params.get("within")),
            search=(params.get("search") or "")[:50],
        )

    def _contract(self) -> Contract:
        return selectors.contract_get(viewer=self.request.viewer, pk=parse_id(self.kwargs["pk"]))

    def _detail(self, contract: Contract, code: int = status.HTTP_200_OK) -> Response:
        contract = selectors.contract_list(viewer=self.request.viewer).get(pk=contract.pk)
        prefetch_related_objects(
            [contract],
            "demands",
            "resources",
            Prefetch(
                "commitments",
                queryset=Commitment.objects.prefetch_related(
                    Prefetch("targets", queryset=CommitmentTarget.objects.order_by("quarter"))
                ),
            ),
        )
        return Response(s.ContractDetailSerializer(contract).data, status=code)

    @extend_schema(responses=s.ContractDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        return self._detail(self._contract())

    @extend_schema(request=s.ContractCreateSerializer, responses={201: s.ContractDetailSerializer})
    def create(self, request):
        """Draft a contract (community staff of the community)."""
        serializer = s.ContractCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contract = services.contract_create(actor=request.user, **serializer.validated_data)
        return self._detail(contract, status.HTTP_201_CREATED)

    @extend_schema(request=s.ItemSerializer, responses={201: s.ItemSerializer})
    @action(detail=True, methods=["post"])
    def demands(self, request, pk=None):
        """Add a demand-list item (community staff, while draft or signed)."""
        serializer = s.ItemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = services.demand_add(actor=request.user, contract=self._contract(), **serializer.validated_data)
        return Response(s.ItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ItemSerializer, responses={201: s.ItemSerializer})
    @action(detail=True, methods=["post"])
    def resources(self, request, pk=None):
        """Add a resource-list item (community staff, while draft or signed)."""
        serializer = s.ItemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = services.resource_add(actor=request.user, contract=self._contract(), **serializer.validated_data)
        return Response(s.ItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.SignSerializer, responses=s.ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        serializer = s.SignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contract = services.contract_sign(actor=request.user, contract=self._contract(), **serializer.validated_data)
        return self._detail(contract)

    @extend_schema(request=None, responses=s.ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        return self._detail(services.contract_activate(actor=request.user, contract=self._contract()))

    @extend_schema(request=None, responses=s.ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._detail(services.contract_close(actor=request.user, contract=self._contract()))


class CoBuildingUnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Co-building units with a contract the caller may read, based in their jurisdiction, or their own."""

    serializer_class = s.CoBuildingUnitSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.unit_list(viewer=_caller(self))


class CommitmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Committed service items of the contracts the caller may read, with their quarterly targets."""

    serializer_class = s.CommitmentSerializer
    filterset_fields = ["contract"]

    def get_queryset(self):
        return selectors.commitment_list(viewer=_caller(self))

    @extend_schema(request=s.CommitmentCreateSerializer, responses={201: s.CommitmentSerializer})
    def create(self, request):
        """Add a commitment pairing a demand with a resource (community staff, while draft or signed)."""
        serializer = s.CommitmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        contract = selectors.contract_get(viewer=request.viewer, pk=data["contract"])
        demand = DemandItem.objects.filter(pk=data["demand"]).first()
        resource = ResourceItem.objects.filter(pk=data["resource"]).first()
        errors = {}
        if demand is None:
            errors["demand"] = "没有这个需求。"
        if resource is None:
            errors["resource"] = "没有这个资源。"
        targets = {}
        for key, value in data["targets"].items():
            quarter = parse_id(key)
            if quarter is None:
                errors["targets"] = "季度只能是 1 到 4。"
                break
            targets[quarter] = value
        if errors:
            raise ValidationError(errors)
        commitment = services.commitment_add(
            actor=request.user,
            contract=contract,
            demand=demand,
            resource=resource,
            title=data["title"],
            target_kind=data["target_kind"],
            weight=data["weight"],
            targets=targets,
        )
        return Response(
            s.CommitmentSerializer(selectors.commitment_list(viewer=request.viewer).get(pk=commitment.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class ProgressViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Quarterly progress of the contracts the caller may read; unit contacts report it (multipart for a file)."""

    serializer_class = s.ProgressSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filterset_fields = ["commitment", "year", "quarter", "status"]

    def get_queryset(self):
        return selectors.progress_list(viewer=_caller(self))

    @extend_schema(request=s.ProgressReportSerializer, responses={201: s.ProgressSerializer})
    def create(self, request):
        """Report (or revise) a commitment's progress for a quarter, with evidence text and an optional file."""
        serializer = s.ProgressReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        commitment = (
            Commitment.objects.filter(contract_visible_q(request.viewer, prefix="contract__"))
            .filter(pk=data.pop("commitment"))
            .first()
        )
        if commitment is None:
            raise Http404
        progress = services.progress_report(actor=request.user, commitment=commitment, **data)
        return Response(s.ProgressSerializer(progress).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def evidence(self, request, pk=None):
        """Download the evidence file (only for callers who may read the contract)."""
        progress = selectors.progress_get(viewer=request.viewer, pk=parse_id(pk))
        if not progress.evidence_file:
            raise Http404
        return protected_file_response(progress.evidence_file, download_name=progress.evidence_name or None)


class EvaluationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Four-stage evaluations of the contracts the caller may read, with their full history."""

    serializer_class = s.EvaluationSerializer
    filterset_fields = ["stage"]

    def get_queryset(self):
        return selectors.evaluation_list(viewer=_caller(self))

    @extend_schema(responses=s.EvaluationSerializer(many=True))
    @action(detail=False, methods=["get"], filter_backends=[])
    def inbox(self, request):
        """Evaluations waiting for a stage the caller holds the role of."""
        queryset = selectors.evaluation_inbox(viewer=request.viewer).prefetch_related("steps__actor")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(s.EvaluationSerializer(page, many=True).data)

    def _evaluation(self):
        return selectors.evaluation_get(viewer=self.request.viewer, pk=parse_id(self.kwargs["pk"]))

    def _fresh(self, evaluation) -> Response:
        return Response(
            s.EvaluationSerializer(selectors.evaluation_get(viewer=self.request.viewer, pk=evaluation.pk)).data
        )

    @extend_schema(request=s.EvaluationSubmitSerializer, responses=s.EvaluationSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Score the stage that is waiting. 403 for a wrong role or a stage out of turn."""
        evaluation = self._evaluation()
        serializer = s.EvaluationSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._fresh(
            services.evaluation_submit(actor=request.user, evaluation=evaluation, **serializer.validated_data)
        )

    @extend_schema(request=s.EvaluationSendBackSerializer, responses=s.EvaluationSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        """Send the evaluation back one stage with a reason. 403 for a wrong role or a stage out of turn."""
        evaluation = self._evaluation()
        serializer = s.EvaluationSendBackSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._fresh(
            services.evaluation_send_back(actor=request.user, evaluation=evaluation, **serializer.validated_data)
        )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT),
            OpenApiParameter("quarter", OpenApiTypes.INT),
            OpenApiParameter("scope", OpenApiTypes.STR, enum=["contract", "community", "street", "district", "city"]),
            OpenApiParameter("unit", OpenApiTypes.INT),
            OpenApiParameter("contract", OpenApiTypes.INT),
        ]
    )
)
class QuarterlyTallyViewSet(viewsets.ReadOnlyModelViewSet):
    """Quarterly tallies of the units and contracts in the caller's jurisdiction."""

    serializer_class = s.QuarterlyTallySerializer
    filter_backends: list = []

    def get_queryset(self):
        queryset = selectors.tally_list(viewer=_caller(self))
        params = self.request.query_params
        for name in ("year", "quarter", "unit", "contract"):
            value = parse_id(params.get(name))
            if value is not None:
                queryset = queryset.filter(**{name: value})
        if params.get("scope"):
            queryset = queryset.filter(scope=params["scope"])
        return queryset


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("community", OpenApiTypes.INT),
            OpenApiParameter("year", OpenApiTypes.INT),
            OpenApiParameter("quarter", OpenApiTypes.INT),
        ]
    )
)
class BoardViewSet(viewsets.ReadOnlyModelViewSet):
    """The public disclosure board: every published version (corrections included), no personal data."""

    filter_backends: list = []
    throttle_classes = [AnonRateThrottle]

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_serializer_class(self):
        return s.BoardPublicationDetailSerializer if self.action == "retrieve" else s.BoardPublicationSerializer

    def get_queryset(self):
        params = self.request.query_params
        queryset = selectors.board_publications(
            community=parse_id(params.get("community")),
            year=parse_id(params.get("year")),
            quarter=parse_id(params.get("quarter")),
        )
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("lines")
        return queryset

    @extend_schema(request=s.PublishSerializer, responses={201: s.BoardPublicationDetailSerializer})
    @action(detail=False, methods=["post"])
    def publish(self, request):
        """Publish a community's ended quarter (community staff of that community)."""
        serializer = s.PublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        community = get_scoped_or_404(
            GridUnit.objects.filter(level=GridUnit.Level.COMMUNITY),
            request.viewer,
            unit_field=None,
            pk=data["community"],
        )
        publication = services.board_publish(
            actor=request.user, community=community, year=data["year"], quarter=data["quarter"]
        )
        return Response(s.BoardPublicationDetailSerializer(publication).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.CorrectionSerializer, responses={201: s.BoardPublicationDetailSerializer})
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        """Publish a correction of the latest version, with its reason (409 if it is no longer the latest)."""
        publication = get_scoped_or_404(
            BoardPublication.objects.select_related("community"),
            request.viewer,
            unit_field="community",
            pk=parse_id(pk),
        )
        serializer = s.CorrectionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        correction = services.board_correct(actor=request.user, publication=publication, **serializer.validated_data)
        return Response(s.BoardPublicationDetailSerializer(correction).data, status=status.HTTP_201_CREATED)


class AwardViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Published yearly lists of advanced co-building units and people (public)."""

    serializer_class = s.AwardListSerializer
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]
    filter_backends: list = []

    def get_queryset(self):
        return selectors.award_lists_published()

    @extend_schema(
        parameters=[
            OpenApiParameter("district", OpenApiTypes.INT, required=True),
            OpenApiParameter("year", OpenApiTypes.INT, required=True),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=False, methods=["get"], permission_classes=[IsAuthenticated])
    def ranking(self, request):
        """Fully evaluated contracts and their units in a district's year, by final score then completion."""
        district = get_scoped_or_404(
            GridUnit.objects.filter(level=GridUnit.Level.DISTRICT),
            request.viewer,
            unit_field=None,
            pk=parse_id(request.query_params.get("district")) or 0,
        )
        contracts, units = selectors.award_ranking(
            viewer=request.viewer, district=district, year=parse_id(request.query_params.get("year")) or 0
        )
        return Response(
            {
                "contracts": [
                    {
                        "contract": row.contract.pk,
                        "number": row.contract.number,
                        "unit": row.contract.unit.name,
                        "final_score": row.final_score,
                        "completion_rate": row.completion_rate,
                    }
                    for row in contracts
                ],
                "units": [
                    {
                        "unit": row.unit.pk,
                        "name": row.unit.name,
                        "contracts": row.contracts,
                        "average_score": row.average_score,
                        "completion_rate": row.completion_rate,
                    }
                    for row in units
                ],
            }
        )
