"""People API under /api/v1/people/: the people pages' reads and acts, through the same selectors,
services and access predicates (people.selectors, people.services, people.access).

Outside the caller's staff subtrees a person or post does not exist (404). A post above the caller's
level, or a person they may not manage: 403 from the service. Bad input: 400 naming the field.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from grids.models import GridUnit, Post, User
from grids.viewer import Viewer
from guilin_portal.params import parse_id

from .. import access, selectors, services
from . import serializers as s

PEOPLE_FILTERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="name, start of the mobile, or user name"),
    OpenApiParameter("role", OpenApiTypes.STR, enum=Post.Role.values, description="people holding this role"),
    OpenApiParameter("unit", OpenApiTypes.INT, description="people with a post in this grid unit's subtree"),
]


def _caller(view) -> Viewer:
    return getattr(view.request, "viewer", None) or Viewer.anonymous()


def _require_staff(viewer: Viewer) -> None:
    if not access.can_open_people(viewer):
        raise PermissionDenied(_("人员管理仅限社区、街道、城区工作人员。"))


def _unit(viewer: Viewer, value, field: str = "unit") -> GridUnit:
    """A unit of the caller's staff subtrees named by id; any other id is a 400 naming the field."""
    unit_id = parse_id(value)
    unit = GridUnit.objects.filter(pk=unit_id).first() if unit_id is not None else None
    if unit is None or not viewer.is_staff_over(unit.path):
        raise ValidationError({field: _("本辖区内没有这个单元。")})
    return unit


def _successor(value) -> User | None:
    """The successor named by id; the service checks they are an active person of the caller's subtrees
    (an unknown id gets the same answer as one out of sight)."""
    if value is None:
        return None
    successor = User.objects.filter(pk=value).first()
    if successor is None:
        raise ValidationError({"successor": _("接手人必须是本辖区的在岗人员。")})
    return successor


def _link(request, person: User, token: str) -> dict:
    return {
        "person": person.pk,
        "url": request.build_absolute_uri(reverse("people:activate", args=[token])),
        "expires_at": selectors.activation_expiry(person=person),
    }


@extend_schema_view(list=extend_schema(parameters=PEOPLE_FILTERS))
class PersonViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """People holding posts in the caller's staff subtrees (community, street and district staff)."""

    lookup_value_regex = r"[0-9]+"
    filter_backends: list = []
    serializer_class = s.PersonSerializer

    def list(self, request, *args, **kwargs):
        """People with a current post in the caller's subtrees, with those posts; search, role and unit filters."""
        _require_staff(request.viewer)
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        viewer = _caller(self)
        params = self.request.query_params
        unit = None
        if params.get("unit"):
            unit_id = parse_id(params["unit"])
            unit = GridUnit.objects.filter(pk=unit_id).first() if unit_id is not None else None
            if unit is None or not viewer.is_staff_over(unit.path):
                raise Http404
        role = params.get("role") if params.get("role") in Post.Role.values else ""
        filters = selectors.PeopleFilters(q=(params.get("q") or "")[:60], role=role, unit=unit)
        return selectors.people_list(viewer=viewer, filters=filters)

    def _person(self) -> User:
        return selectors.person_get(viewer=self.request.viewer, pk=parse_id(self.kwargs["pk"]))

    def _detail(self, person: User, code: int = status.HTTP_200_OK) -> Response:
        viewer = self.request.viewer
        current, past = selectors.person_posts(person=person)
        data = {
            "person": person,
            "current": current,
            "past": past,
            "history": selectors.person_post_history(person=person),
            "actions": sorted(
                access.allowed_actions(
                    viewer, person, [(p.role, p.unit.path) for p in current], [(p.role, p.unit.path) for p in past]
                )
            ),
            "manageable_posts": [p.pk for p in current if access.can_manage_post(viewer, p.role, p.unit.path)],
        }
        return Response(s.PersonDetailSerializer(data).data, status=code)

    @extend_schema(responses=s.PersonDetailSerializer)
    def retrieve(self, request, pk=None):
        """A person's posts now and over time, who changed them, and what the caller may do."""
        return self._detail(self._person())

    @extend_schema(request=s.PersonCreateSerializer, responses={201: s.PersonCreatedSerializer})
    def create(self, request):
        """A new account with its first post; the answer carries the one-time activation link (shown once)."""
        _require_staff(request.viewer)
        body = s.PersonCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        person, token = services.person_create(
            actor=request.user,
            full_name=data["full_name"],
            phone=data["phone"],
            unit=_unit(request.viewer, data["unit"]),
            role=data["role"],
            is_full_time=data["is_full_time"],
            is_party_member=data["is_party_member"],
        )
        person = selectors.people_list(viewer=request.viewer).get(pk=person.pk)
        answer = {"person": s.PersonSerializer(person).data, "activation": _link(request, person, token)}
        return Response(answer, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.PostGrantSerializer, responses={201: s.PersonPostSerializer})
    @action(detail=True, methods=["post"])
    def posts(self, request, pk=None):
        """Give the person another post, at or below the caller's level, inside their subtrees."""
        person = self._person()
        body = s.PostGrantSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        post = services.post_grant(
            actor=request.user,
            person=person,
            unit=_unit(request.viewer, data["unit"]),
            role=data["role"],
            is_full_time=data["is_full_time"],
        )
        return Response(s.PersonPostSerializer(post).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: s.PersonActivationLinkSerializer})
    @action(detail=True, methods=["post"], url_path="activation-link")
    def activation_link(self, request, pk=None):
        """A one-time link for the person to set their own password (their older links stop working)."""
        person = self._person()
        token = services.activation_issue(actor=request.user, person=person)
        response = Response(_link(request, person, token), status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(request=s.PersonSuccessorSerializer, responses=s.PersonHandoverSerializer)
    @action(detail=True, methods=["post"])
    def lock(self, request, pk=None):
        """Lock the account; its open work goes to the successor, or to the office of its unit."""
        person = self._person()
        body = s.PersonSuccessorSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        handed = services.account_lock(
            actor=request.user, person=person, successor=_successor(body.validated_data.get("successor"))
        )
        return Response(s.PersonHandoverSerializer({"deactivated": True, "handed_over": handed}).data)


class PostViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Current posts in the caller's staff subtrees: move one, retire one."""

    lookup_value_regex = r"[0-9]+"
    filter_backends: list = []
    serializer_class = s.PersonPostSerializer

    def get_queryset(self):
        viewer = _caller(self)
        if not access.can_open_people(viewer):
            return Post.objects.none()
        return Post.objects.filter(access.people_q(viewer)).select_related("unit")

    def get_object(self) -> Post:
        return selectors.post_get(viewer=self.request.viewer, pk=parse_id(self.kwargs["pk"]))

    @extend_schema(request=s.PostMoveSerializer, responses=s.PersonPostSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move the post to another unit of the caller's (a worker changing grids); history keeps the move."""
        post = self.get_object()
        body = s.PostMoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        post = services.post_move(
            actor=request.user, post=post, unit=_unit(request.viewer, body.validated_data["unit"])
        )
        return Response(s.PersonPostSerializer(post).data)

    @extend_schema(request=s.PostRetireSerializer, responses=s.PostRetirementSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        """End the post (kept with its end date). The person's last post closes the account and hands its
        open work to the successor, or to the office of the post's unit."""
        post = self.get_object()
        body = s.PostRetireSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        result = services.post_retire(
            actor=request.user, post=post, successor=_successor(data.get("successor")), ended_on=data.get("ended_on")
        )
        answer = {"post": result.post, "deactivated": result.deactivated, "handed_over": result.handed_over}
        return Response(s.PostRetirementSerializer(answer).data)
