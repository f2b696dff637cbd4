"""The issue API: list/create/read, the timeline, one POST endpoint per life-cycle transition.

Every queryset comes from issues.selectors with the caller's Viewer and every
write from issues.services, which say who may: PermissionDenied becomes 403,
Django ValidationError 400 naming the field, ConflictError 409, an issue
outside the caller's sight 404 (guilin_portal.api). The transition endpoints
are built from `issues.transitions` (`transition_endpoint`): the same entries
the detail page's actions come from.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from grids.models import GridUnit
from grids.viewer import viewer_of
from guilin_portal.celery import app as celery_app
from guilin_portal.params import IsoDateTimeFilter, parse_id
from guilin_portal.uploads import protected_file_response
from issues import access, selectors, services, transitions
from issues.api import serializers as s
from issues.api.pagination import IssuePagination
from issues.models import DeadlineExtension, Issue, IssueCategory, IssuePhoto, IssueTask


class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number the database holds; a fraction or a huge number is a 400 naming the parameter."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class IssueFilter(django_filters.FilterSet):
    # distinct=False: a status IN (...) on the issue's own column cannot duplicate a row, and DISTINCT
    # made PostgreSQL sort every selected column of the whole match (page and count) on disk.
    status = django_filters.MultipleChoiceFilter(choices=Issue.Status.choices, distinct=False)
    kind = django_filters.ChoiceFilter(choices=Issue.Kind.choices)
    category = IdFilter(field_name="category_id")
    unit = django_filters.NumberFilter(method="filter_unit", label="Only issues in the subtree of this unit id")
    # Dates outside 1900-2999 are a 400 naming the filter (guilin_portal.params), not an overflow.
    created_after = IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    updated_after = IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    updated_before = IsoDateTimeFilter(field_name="updated_at", lookup_expr="lt")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Open and past the due time")

    class Meta:
        model = Issue
        fields = ["status", "kind", "category", "unit", "priority"]

    def filter_unit(self, queryset, name, value):
        # Validated here (a 400 naming `unit`), applied by the view through the selector
        # (IssueViewSet.get_queryset), which reads the unit once.
        return queryset

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        # On the row's own columns (the (status, due_at) index), not `pk IN (subquery)`: a semi-join
        # of the whole table that PostgreSQL ran row by row along the list's created_at scan.
        overdue = Q(status__in=Issue.CLOCK_STATUSES, due_at__lt=timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


# What routing writes: a just-created issue is re-read for these only.
ROUTING_FIELDS = [
    "status",
    "version",
    "updated_at",
    "routed_at",
    "routing_rule",
    "routing_no_rule",
    "handler_kind",
    *Issue.HANDLER_FIELDS,
]


def _viewer(request: Request):
    """The caller's Viewer (set by the authentication classes; built here for a request that has none)."""
    return getattr(request, "viewer", None) or viewer_of(request.user)


def transition_endpoint(transition: transitions.Transition):
    """The API action of one transition: `POST issues/{id}/<api_path>/` with its serializer as the body."""

    def endpoint(self, request: Request, pk=None) -> Response:
        issue = self._issue(pk)
        data = self._input(transition.serializer, request, **transition.inputs(issue))
        call = transitions.Call(actor=request.user, viewer=_viewer(request), issue=issue, data=data)
        result = transition.run(call)
        if transition.api_response is None:
            return self._respond(issue)
        return Response(transition.api_response(result).data, status=transition.api_status)

    endpoint.__name__ = endpoint.__qualname__ = transition.name
    endpoint.__doc__ = transition.api_doc or None
    responses = (
        s.IssueDetailSerializer if transition.api_response is None else {transition.api_status: transition.api_response}
    )
    endpoint = action(detail=True, methods=["post"], url_path=transition.url_path)(endpoint)
    return extend_schema(request=transition.api_request or transition.serializer, responses=responses)(endpoint)


def with_transitions(viewset: type) -> type:
    """The viewset with one POST action per registered transition."""
    for transition in transitions.registered():
        setattr(viewset, transition.name, transition_endpoint(transition))
    return viewset


class IssueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Resident issues in the caller's jurisdiction (or handled or reported by the caller)."""

    filterset_class = IssueFilter
    pagination_class = IssuePagination
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        # The list's `unit` goes to the selector, as the pages' does: inside the caller's jurisdiction the
        # subtree alone says which issues are visible, and the plan can start from its units.
        raw = self.request.query_params.get("unit")
        unit_id = parse_id(raw)
        unit = GridUnit.objects.filter(pk=unit_id).only("path").first() if unit_id is not None else None
        queryset = selectors.issue_list(viewer=_viewer(self.request), filters=selectors.IssueFilters(unit=unit))
        if raw and unit is None:
            return queryset.none()  # no such unit: nothing, not an error
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("photos")
        return queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.IssueDetailSerializer
        return s.IssueSerializer

    def _issue(self, pk) -> Issue:
        pk = parse_id(pk)
        if pk is None:
            raise Http404
        return selectors.issue_get(viewer=_viewer(self.request), pk=pk)

    def _respond(self, issue: Issue, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.issue_after_action(viewer=_viewer(self.request), issue=issue)
        return Response(s.IssueDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def _input(self, serializer_class, request: Request, **context) -> dict:
        serializer = serializer_class(data=request.data, context={**self.get_serializer_context(), **context})
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(
        request=s.IssueCreateSerializer,
        responses={
            201: s.IssueDetailSerializer,
            200: OpenApiResponse(s.IssueDetailSerializer, description="the same client_key was sent before"),
        },
    )
    def create(self, request: Request) -> Response:
        """Log an issue; routing runs after commit. JSON, or multipart with `photos`."""
        data = self._input(s.IssueCreateSerializer, request)
        issue, created = services.issue_log(reporter=request.user, **data)
        if not created:
            return self._respond(issue)
        # Serialize the row just written (its unit, category and reporter are already loaded).
        # With no broker, routing already ran in-process: re-read what it changed.
        if celery_app.conf.task_always_eager:
            issue.refresh_from_db(fields=ROUTING_FIELDS)
        if not data["photos"]:
            issue._prefetched_objects_cache = {"photos": IssuePhoto.objects.none()}
        data = s.IssueDetailSerializer(issue, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    # The timeline, sub-tasks and handlers are plain lists: no page, no list filters.
    @extend_schema(responses=s.IssueEventSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def events(self, request: Request, pk=None) -> Response:
        """The timeline, oldest first: who, when, what, note."""
        issue = self._issue(pk)
        events = selectors.issue_events(issue=issue)
        rows = s.IssueEventSerializer(events, many=True).data
        if not access.can_see_resident_contact(request.viewer, issue):  # notes masked as the contact is
            for row in rows:
                row["note"] = access.private_text_for(None, issue, row["note"])
        return Response(rows)

    @extend_schema(responses=s.IssueTaskSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def tasks(self, request: Request, pk=None) -> Response:
        issue = self._issue(pk)
        tasks = selectors.issue_tasks(issue=issue)
        return Response(s.IssueTaskSerializer(tasks, many=True, context={"request": request, "issue": issue}).data)

    @extend_schema(responses=s.TaskHandlerChoiceSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="task-handlers", pagination_class=None, filter_backends=[])
    def task_handlers(self, request: Request, pk=None) -> Response:
        """Who sub-tasks of this issue may go to (values for `decompose`)."""
        issue = self._issue(pk)
        return Response(
            [{"handler": handler.token, "label": label} for handler, label in services.task_handler_choices(issue)]
        )

    # -- one endpoint per transition: added by `with_transitions` below ----------

    @extend_schema(responses={(200, "image/*"): OpenApiResponse(description="the photo")})
    @action(detail=True, methods=["get"], url_path=r"photos/(?P<photo_pk>\d+)", url_name="photo-file")
    def photo_file(self, request: Request, pk=None, photo_pk=None):
        """A photo of an issue the caller may read; 404 otherwise."""
        if not str(pk).isascii() or not str(pk).isdigit():  # the route takes any text: not a number is not found
            raise Http404
        photo = selectors.issue_photo_get(viewer=_viewer(request), issue_pk=int(pk), photo_pk=int(photo_pk))
        return protected_file_response(photo.image)


IssueViewSet = with_transitions(IssueViewSet)


class IssueCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """Issue categories with their time limits (active ones unless ?all=1)."""

    serializer_class = s.IssueCategorySerializer
    pagination_class = None

    def get_queryset(self):
        if self.request.query_params.get("all") == "1":
            return IssueCategory.objects.order_by("sort_order", "code")
        return selectors.categories_active()


class IssueTaskViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Sub-tasks of decomposed issues."""

    serializer_class = s.IssueTaskSerializer

    def get_object(self) -> IssueTask:
        pk = parse_id(self.kwargs["pk"])
        if pk is None:
            raise Http404
        return selectors.task_get(viewer=_viewer(self.request), pk=pk)

    def get_queryset(self):
        return IssueTask.objects.none()

    @extend_schema(request=s.TaskCompleteSerializer, responses=s.IssueTaskSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk=None) -> Response:
        """The sub-task is done; the last one done resolves its issue."""
        task = self.get_object()
        serializer = s.TaskCompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = services.issue_task_complete(actor=request.user, task=task, result=serializer.validated_data["result"])
        return Response(s.IssueTaskSerializer(task, context={"request": request}).data)


class DeadlineExtensionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Pending extension requests the caller may decide."""

    serializer_class = s.DeadlineExtensionSerializer
    # The schema reads the id's type from here (get_queryset needs a request).
    queryset = DeadlineExtension.objects.none()

    def get_queryset(self):
        return selectors.extensions_pending_for(viewer=_viewer(self.request))

    @extend_schema(request=s.ExtensionDecisionSerializer, responses=s.DeadlineExtensionSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk=None) -> Response:
        pk = parse_id(pk)  # the route takes any text: not a number is not found
        if pk is None:
            raise Http404
        extension = selectors.extension_get(viewer=_viewer(request), pk=pk)  # 404 outside the caller's sight
        serializer = s.ExtensionDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        extension = services.extension_decide(
            actor=request.user,
            extension=extension,
            approve=serializer.validated_data["approve"],
            note=serializer.validated_data["note"],
        )
        return Response(s.DeadlineExtensionSerializer(extension, context={"request": request}).data)


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's own notifications, newest first."""

    serializer_class = s.NotificationSerializer

    def get_queryset(self):
        queryset = selectors.notifications_for(viewer=_viewer(self.request))
        if self.request.query_params.get("unread") == "1":
            queryset = queryset.filter(read_at__isnull=True)
        return queryset

    @extend_schema(request=None, responses=s.NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk=None) -> Response:
        pk = parse_id(pk)
        notification = services.notification_mark_read(viewer=_viewer(request), notification_id=pk) if pk else None
        if notification is None:
            raise Http404
        return Response(s.NotificationSerializer(notification).data)
