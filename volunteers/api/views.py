"""The volunteers REST API (/api/v1/volunteers/): every list scoped to the caller, every write a service call.

A row outside the caller's reach is a 404, as on the pages. The services decide who may
(`volunteers.access`, the same rules that draw the pages' buttons): their PermissionDenied is a 403,
their ValidationError a 400 naming the field (guilin_portal.api).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from grids.models import GridUnit
from guilin_portal.params import parse_id

from .. import access, selectors, services
from ..models import ServiceCategory, Volunteer
from ..selectors.leaderboards import Board, Metric, Period
from . import serializers as s


def _get_or_400(queryset: QuerySet, field: str, pk):
    """A referenced row, or a 400 naming the field (not a 404: the URL itself was found)."""
    if pk is None:
        return None
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise ValidationError({field: "不存在或无权访问。"}) from exc


def _int_param(request: Request, name: str) -> int | None:
    """A row id from the query string; anything else is no filter."""
    return parse_id(request.query_params.get(name))


def _own_volunteer(request: Request) -> Volunteer:
    """The caller's own volunteer record: signing oneself up, reporting one's service and giving one's
    hours are a volunteer's actions, refused (403) to anyone else."""
    volunteer = selectors.volunteer_own(viewer=request.viewer)
    if volunteer is None:
        raise PermissionDenied(_("您还没有志愿者档案，请联系社区登记。"))
    return volunteer


def _require(allowed: bool) -> None:
    """Refuse (403) before reading the rest of the input when the caller may not act at all; the service
    checks again, with the same `volunteers.access` predicate."""
    if not allowed:
        raise PermissionDenied


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """The eight service categories (data)."""

    serializer_class = s.VolCategorySerializer
    queryset = ServiceCategory.objects.order_by("sort_order", "pk")
    pagination_class = None


@extend_schema(
    parameters=[
        OpenApiParameter("category", int, description="Service category id"),
        OpenApiParameter("kind", str, description="Team kind"),
        OpenApiParameter("within", int, description="Only teams based in this unit's subtree"),
        OpenApiParameter("search", str, description="Part of the team name"),
    ]
)
class TeamViewSet(viewsets.ReadOnlyModelViewSet):
    """Teams the caller may see (a team leader: their own; staff: those based in their jurisdiction)."""

    serializer_class = s.VolTeamSerializer

    def get_queryset(self):
        within = _int_param(self.request, "within")
        unit_path = GridUnit.objects.filter(pk=within).values_list("path", flat=True).first() if within else None
        if within and unit_path is None:
            return selectors.team_list(viewer=self.request.viewer).none()
        return selectors.team_list(
            viewer=self.request.viewer,
            category=_int_param(self.request, "category"),
            kind=self.request.query_params.get("kind") or None,
            unit_path=unit_path,
            search=self.request.query_params.get("search", ""),
        )

    def get_object(self):
        return selectors.team_get(viewer=self.request.viewer, pk=parse_id(self.kwargs["pk"]))

    @extend_schema(request=s.VolTeamMemberAddSerializer, responses=s.VolTeamMemberSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def members(self, request: Request, pk=None) -> Response:
        """GET: the current roster, leaders first. POST: add a volunteer (the team's leaders, or staff)."""
        team = self.get_object()
        if request.method == "POST":
            body = s.VolTeamMemberAddSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            _require(access.can_add_member(request.viewer, team, body.validated_data["role"]))
            volunteer = _get_or_400(
                selectors.volunteer_list(viewer=request.viewer), "volunteer", body.validated_data["volunteer"]
            )
            membership = services.team_member_add(
                team=team, volunteer=volunteer, role=body.validated_data["role"], actor=request.user
            )
            return Response(s.VolTeamMemberSerializer(membership).data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(selectors.team_roster(team=team))
        return self.get_paginated_response(s.VolTeamMemberSerializer(page, many=True).data)


@extend_schema(
    parameters=[
        OpenApiParameter("search", str, description="Part of the name"),
        OpenApiParameter("team", int, description="Only this team's current members"),
    ]
)
class VolunteerViewSet(viewsets.ReadOnlyModelViewSet):
    """People who serve, as far as the caller may see them (phone numbers masked)."""

    serializer_class = s.VolunteerSerializer

    def get_queryset(self):
        return selectors.volunteer_list(
            viewer=self.request.viewer,
            search=self.request.query_params.get("search", ""),
            team_id=_int_param(self.request, "team"),
        )

    def get_object(self):
        return selectors.volunteer_get(viewer=self.request.viewer, pk=parse_id(self.kwargs["pk"]))


@extend_schema(
    parameters=[
        OpenApiParameter("team", int, description="Only this team's activities"),
        OpenApiParameter("category", int, description="Service category id"),
        OpenApiParameter("upcoming", bool, description="Only open activities that have not ended"),
    ]
)
class ActivityViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Activities: list, publish, sign up; the activity's sign-ups for its managers."""

    serializer_class = s.VolActivitySerializer

    def get_queryset(self):
        return selectors.activity_list(
            viewer=self.request.viewer,
            team_id=_int_param(self.request, "team"),
            category=_int_param(self.request, "category"),
            upcoming_only=self.request.query_params.get("upcoming") in {"1", "true"},
        )

    def get_object(self):
        return selectors.activity_get(viewer=self.request.viewer, pk=parse_id(self.kwargs["pk"]))

    @extend_schema(request=s.VolActivityCreateSerializer, responses={201: s.VolActivitySerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        body = s.VolActivityCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        team = selectors.team_get(viewer=request.viewer, pk=data.pop("team")) if data.get("team") else None
        data.pop("team", None)
        if team is not None:
            _require("publish_activity" in access.team_allowed_actions(request.viewer, team))
        data["category"] = _get_or_400(ServiceCategory.objects.all(), "category", data["category"])
        data["unit"] = _get_or_400(GridUnit.objects.all(), "unit", data["unit"])
        activity = services.activity_create(actor=request.user, team=team, **data)
        return Response(s.VolActivitySerializer(activity).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.VolSignupCreateSerializer, responses={201: s.VolSignupSerializer})
    @action(detail=True, methods=["post"], url_path="sign-up")
    def sign_up(self, request: Request, pk=None) -> Response:
        """Take a place: yourself, or (a leader) a member. 400 when full, started, cancelled or signed up."""
        activity = self.get_object()
        body = s.VolSignupCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if body.validated_data.get("volunteer"):
            _require(access.can_manage_activity(request.viewer, activity))
            volunteer = _get_or_400(
                selectors.volunteer_list(viewer=request.viewer), "volunteer", body.validated_data["volunteer"]
            )
        else:
            volunteer = _own_volunteer(request)
        signup = services.signup_create(activity=activity, volunteer=volunteer, actor=request.user)
        return Response(s.VolSignupSerializer(signup).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.VolReviewSerializer, responses=s.VolActivitySerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk=None) -> Response:
        """Call the activity off (its managers); every sign-up is cancelled with it."""
        activity = services.activity_cancel(
            activity=self.get_object(), actor=request.user, reason=str(request.data.get("note", ""))
        )
        return Response(s.VolActivitySerializer(activity).data)

    @extend_schema(responses=s.VolSignupSerializer(many=True))
    @action(detail=True, methods=["get"])
    def signups(self, request: Request, pk=None) -> Response:
        """Who signed up (the activity's managers)."""
        activity = self.get_object()
        if not access.can_manage_activity(request.viewer, activity):
            raise Http404
        page = self.paginate_queryset(selectors.signups_of_activity(activity=activity))
        return self.get_paginated_response(s.VolSignupSerializer(page, many=True).data)


class SignupViewSet(viewsets.ReadOnlyModelViewSet):
    """The caller's own sign-ups; check-in, check-out and cancel (by the volunteer or a manager)."""

    serializer_class = s.VolSignupSerializer

    def get_queryset(self):
        return selectors.signup_list(viewer=self.request.viewer)

    def get_object(self):
        return selectors.signup_get(viewer=self.request.viewer, pk=parse_id(self.kwargs["pk"]))

    def _run(self, service) -> Response:
        result = service(signup=self.get_object(), actor=self.request.user)
        if hasattr(result, "signup_id"):  # check-out returns the new record
            return Response(s.VolServiceRecordSerializer(result).data, status=status.HTTP_201_CREATED)
        return Response(s.VolSignupSerializer(result).data)

    @extend_schema(request=None, responses=s.VolSignupSerializer)
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request: Request, pk=None) -> Response:
        return self._run(services.signup_check_in)

    @extend_schema(request=None, responses={201: s.VolServiceRecordSerializer})
    @action(detail=True, methods=["post"], url_path="check-out")
    def check_out(self, request: Request, pk=None) -> Response:
        """Leave; the served time becomes a pending service record."""
        return self._run(services.signup_check_out)

    @extend_schema(request=None, responses=s.VolSignupSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk=None) -> Response:
        return self._run(services.signup_cancel)


@extend_schema(
    parameters=[
        OpenApiParameter("status", str, description="pending, verified, rejected or reversed"),
        OpenApiParameter("team", int, description="Only this team's records"),
        OpenApiParameter("volunteer", int, description="Only this person's records"),
        OpenApiParameter("activity", int, description="Only this activity's records"),
        OpenApiParameter("mine", bool, description="Only the caller's own records"),
    ]
)
class ServiceRecordViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Service records: register (pending), verify into the ledger, reject, reverse."""

    serializer_class = s.VolServiceRecordSerializer

    def get_queryset(self):
        status_ = self.request.query_params.get("status") or None
        return selectors.record_list(
            viewer=self.request.viewer,
            status=status_,
            team_id=_int_param(self.request, "team"),
            volunteer_id=_int_param(self.request, "volunteer"),
            activity_id=_int_param(self.request, "activity"),
            mine=self.request.query_params.get("mine") in {"1", "true"},
        )

    def get_object(self):
        return selectors.record_get(viewer=self.request.viewer, pk=parse_id(self.kwargs["pk"]))

    @extend_schema(request=s.VolServiceRecordCreateSerializer, responses={201: s.VolServiceRecordSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        body = s.VolServiceRecordCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        team = selectors.team_get(viewer=request.viewer, pk=data["team"]) if data.get("team") else None
        if team is not None:
            _require("record_service" in access.team_allowed_actions(request.viewer, team))
        if data.get("volunteer"):
            volunteer = _get_or_400(selectors.volunteer_list(viewer=request.viewer), "volunteer", data["volunteer"])
        else:
            volunteer = _own_volunteer(request)
        record = services.record_create(
            volunteer=volunteer,
            team=team,
            category=_get_or_400(ServiceCategory.objects.all(), "category", data["category"]),
            unit=_get_or_400(GridUnit.objects.all(), "unit", data.get("unit")),
            started_at=data["started_at"],
            ended_at=data["ended_at"],
            hours=data["hours"],
            description=data["description"],
            solved_difficulty=data["solved_difficulty"],
            actor=request.user,
        )
        return Response(s.VolServiceRecordSerializer(record).data, status=status.HTTP_201_CREATED)

    def _review(self, request: Request, service) -> Response:
        body = s.VolReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        record = service(record=self.get_object(), actor=request.user, note=body.validated_data["note"])
        return Response(s.VolServiceRecordSerializer(record).data)

    @extend_schema(request=s.VolReviewSerializer, responses=s.VolServiceRecordSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk=None) -> Response:
        """Verify and post the hours and points (team leaders, community staff)."""
        return self._review(request, services.record_verify)

    @extend_schema(request=s.VolReviewSerializer, responses=s.VolServiceRecordSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk=None) -> Response:
        return self._review(request, services.record_reject)

    @extend_schema(request=s.VolReviewSerializer, responses=s.VolServiceRecordSerializer)
    @action(detail=True, methods=["post"])
    def reverse(self, request: Request, pk=None) -> Response:
        """Undo a verified record with a reversing entry (refused if its hours or points were spent)."""
        return self._review(request, services.record_reverse)


@extend_schema(
    parameters=[
        OpenApiParameter("mine", bool, description="Only the caller's own accounts"),
        OpenApiParameter("volunteer", int, description="Only this person's accounts"),
    ]
)
class AccountViewSet(viewsets.ReadOnlyModelViewSet):
    """Time-bank and points accounts: one's own, and (staff) those of people living in the jurisdiction."""

    serializer_class = s.VolAccountSerializer

    def get_queryset(self):
        return selectors.account_list(
            viewer=self.request.viewer,
            volunteer_id=_int_param(self.request, "volunteer"),
            mine=self.request.query_params.get("mine") in {"1", "true"},
        )

    def get_object(self):
        return selectors.account_get(viewer=self.request.viewer, pk=parse_id(self.kwargs["pk"]))

    @extend_schema(responses=s.VolPostingSerializer(many=True))
    @action(detail=True, methods=["get"])
    def statement(self, request: Request, pk=None) -> Response:
        """Movements, newest first, each with the balance after it."""
        page = self.paginate_queryset(selectors.account_statement(account=self.get_object()))
        return self.get_paginated_response(s.VolPostingSerializer(page, many=True).data)

    @extend_schema(request=s.VolWithdrawSerializer, responses={201: s.VolPostingSerializer(many=True)})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk=None) -> Response:
        """Staff: draw hours for elderly care (hours account) or redeem points (points account)."""
        account = self.get_object()
        body = s.VolWithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        entry = services.account_withdraw(account=account, amount=data["amount"], actor=request.user, memo=data["memo"])
        postings = entry.postings.select_related("entry").order_by("pk")
        return Response(s.VolPostingSerializer(postings, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.VolTransferSerializer, responses={201: s.VolPostingSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def transfer(self, request: Request) -> Response:
        """Give one's own hours or points to another person, in one atomic entry."""
        body = s.VolTransferSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        source = _own_volunteer(request)
        # Only to people the sender may see: anyone else is "not found", and nothing about them is answered.
        receivers = Volunteer.objects.filter(access.volunteer_visible_q(request.viewer))
        target = _get_or_400(receivers, "target", data["target"])
        entry = services.ledger_transfer(
            source=source,
            target=target,
            currency=data["currency"],
            amount=data["amount"],
            actor=request.user,
            memo=data["memo"],
        )
        # The sender's own posting only: the receiver's balance is theirs.
        postings = entry.postings.filter(account__volunteer=source).select_related("entry").order_by("pk")
        return Response(s.VolPostingSerializer(postings, many=True).data, status=status.HTTP_201_CREATED)


class LeaderboardView(APIView):
    """Top volunteers, teams or child units of a unit by verified hours, points or services in a period."""

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", int, description="Grid unit id (default: the caller's first unit)"),
            OpenApiParameter("period", str, enum=Period.values, description="month, quarter, year or all"),
            OpenApiParameter("metric", str, enum=Metric.values),
            OpenApiParameter("board", str, enum=Board.values),
            OpenApiParameter("limit", int, description="At most 100"),
        ],
        responses=s.VolLeaderboardRowSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        units = selectors.leaderboard_units(viewer=request.viewer)
        unit_id = _int_param(request, "unit")
        unit = GridUnit.objects.filter(pk=unit_id).first() if unit_id else (units[0] if units else None)
        if unit is None:
            raise Http404
        period = request.query_params.get("period", Period.YEAR)
        if period not in Period.values:
            raise ValidationError({"period": "未知的统计周期。"})
        board = request.query_params.get("board", Board.VOLUNTEER)
        if board not in Board.values:
            raise ValidationError({"board": "未知的排行对象。"})
        rows = selectors.leaderboard(
            viewer=request.viewer,
            unit=unit,
            period=period,
            metric=request.query_params.get("metric", Metric.HOURS),
            board=board,
            limit=max(1, min(_int_param(request, "limit") or 20, 100)),
        )
        return Response(s.VolLeaderboardRowSerializer(rows, many=True).data)
