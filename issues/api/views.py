"""The issue API: list/create/read, the timeline, one POST endpoint per life-cycle action.

Every queryset comes from grids.selectors (jurisdiction, masking) and every
write from grids.services; Django ValidationError becomes 400 naming the
field, ConflictError 409, outside-jurisdiction 404 (guilin_portal.api).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from grids.models import GridUnit
from guilin_portal.celery import app as celery_app
from guilin_portal.uploads import protected_file_response
from issues import selectors, services
from issues.api import serializers as s
from issues.models import DeadlineExtension, Issue, IssueCategory, IssuePhoto, IssueTask


class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number the database holds; a fraction or a huge number is a 400 naming the parameter."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class IssueFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Issue.Status.choices)
    kind = django_filters.ChoiceFilter(choices=Issue.Kind.choices)
    category = IdFilter(field_name="category_id")
    unit = django_filters.NumberFilter(method="filter_unit", label="Only issues in the subtree of this unit id")
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    updated_after = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    updated_before = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="lt")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Open and past the due time")

    class Meta:
        model = Issue
        fields = ["status", "kind", "category", "unit", "priority"]

    def filter_unit(self, queryset, name, value):
        root = GridUnit.objects.filter(pk=value).only("path").first()
        if root is None:
            return queryset.none()
        return queryset.filter(unit__path__startswith=root.path)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Issue.objects.overdue().values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)


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


def _version(data: dict) -> int | None:
    return data.get("version")


class IssueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Resident issues in the caller's jurisdiction (or handled or reported by the caller)."""

    filterset_class = IssueFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        queryset = selectors.issue_list(viewer=self.request.user)
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("photos")
        return queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.IssueDetailSerializer
        return s.IssueSerializer

    def _issue(self, pk) -> Issue:
        try:
            return selectors.issue_get(viewer=self.request.user, pk=int(pk))
        except (TypeError, ValueError) as exc:
            raise Http404 from exc

    def _respond(self, issue: Issue, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.issue_list(viewer=self.request.user).prefetch_related("photos").get(pk=issue.pk)
        return Response(s.IssueDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def _input(self, serializer_class, request: Request) -> dict:
        serializer = serializer_class(data=request.data, context=self.get_serializer_context())
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
        events = selectors.issue_events(viewer=request.user, issue=issue)
        return Response(s.IssueEventSerializer(events, many=True).data)

    @extend_schema(responses=s.IssueTaskSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def tasks(self, request: Request, pk=None) -> Response:
        issue = self._issue(pk)
        return Response(s.IssueTaskSerializer(selectors.issue_tasks(issue=issue), many=True).data)

    @extend_schema(responses=s.TaskHandlerChoiceSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="task-handlers", pagination_class=None, filter_backends=[])
    def task_handlers(self, request: Request, pk=None) -> Response:
        """Who sub-tasks of this issue may go to (values for `decompose`)."""
        issue = self._issue(pk)
        return Response(
            [{"handler": handler.token, "label": label} for handler, label in services.task_handler_choices(issue)]
        )

    # -- one endpoint per action ------------------------------------------
    @extend_schema(request=s.VersionSerializer, responses=s.IssueDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk=None) -> Response:
        issue = self._issue(pk)
        data = self._input(s.VersionSerializer, request)
        return self._respond(services.issue_accept(actor=request.user, issue=issue, expected_version=_version(data)))

    @extend_schema(request=s.AssignSerializer, responses=s.IssueDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk=None) -> Response:
        issue = self._issue(pk)
        data = self._input(s.AssignSerializer, request)
        return self._respond(
            services.issue_assign(
                actor=request.user, issue=issue, assignee=data["assignee"], expected_version=_version(data)
            )
        )

    @extend_schema(request=s.DecomposeSerializer, responses=s.IssueDetailSerializer)
    @action(detail=True, methods=["post"])
    def decompose(self, request: Request, pk=None) -> Response:
        issue = self._issue(pk)
        data = self._input(s.DecomposeSerializer, request)
        choices = {handler.token: handler for handler, _label in services.task_handler_choices(issue)}
        specs = []
        for task in data["tasks"]:
            if task["handler"] not in choices:
                raise ValidationError({"tasks": f"unknown handler {task['handler']!r}"})
            specs.append(services.TaskSpec(title=task["title"], handler=choices[task["handler"]]))
        services.issue_decompose(actor=request.user, issue=issue, tasks=specs, expected_version=_version(data))
        return self._respond(issue)

    @extend_schema(request=s.NoteSerializer, responses=s.IssueDetailSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request: Request, pk=None) -> Response:
        issue = self._issue(pk)
        data = self._input(s.NoteSerializer, request)
        services.issue_progress(actor=request.user, issue=issue, note=data["note"])
        return self._respond(issue)

    @extend_schema(request=s.ResolveSerializer, responses=s.IssueDetailSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk=None) -> Response:
        issue = self._issue(pk)
        data = self._input(s.ResolveSerializer, request)
        return self._respond(
            services.issue_resolve(
                actor=request.user, issue=issue, resolution=data["resolution"], expected_version=_version(data)
            )
        )

    @extend_schema(request=s.FeedbackSerializer, responses=s.IssueDetailSerializer)
    @action(detail=True, methods=["post"])
    def feedback(self, request: Request, pk=None) -> Response:
        issue = self._issue(pk)
        data = self._input(s.FeedbackSerializer, request)
        return self._respond(
            services.issue_feedback(
                actor=request.user,
                issue=issue,
                satisfaction=data["satisfaction"],
                note=data["note"],
                expected_version=_version(data),
            )
        )

    @extend_schema(request=s.SuspendSerializer, responses=s.IssueDetailSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request: Request, pk=None) -> Response:
        issue = self._issue(pk)
        data = self._input(s.SuspendSerializer, request)
        return self._respond(
            services.issue_suspend(
                actor=request.user, issue=issue, reason=data["reason"], expected_version=_version(data)
            )
        )

    @extend_schema(request=s.NoteSerializer, responses=s.IssueDetailSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk=None) -> Response:
        issue = self._issue(pk)
        data = self._input(s.NoteSerializer, request)
        return self._respond(
            services.issue_resume(actor=request.user, issue=issue, note=data["note"], expected_version=_version(data))
        )

    @extend_schema(request=s.RejectSerializer, responses=s.IssueDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk=None) -> Response:
        issue = self._issue(pk)
        data = self._input(s.RejectSerializer, request)
        original = None
        if data["duplicate_of"]:
            try:
                original = selectors.issue_get(viewer=request.user, pk=data["duplicate_of"])
            except Http404 as exc:
                raise ValidationError({"duplicate_of": f"issue {data['duplicate_of']} not found"}) from exc
        return self._respond(
            services.issue_reject(
                actor=request.user,
                issue=issue,
                reason=data["reject_reason"],
                note=data["note"],
                duplicate_of=original,
                expected_version=_version(data),
            )
        )

    @extend_schema(request=s.NoteSerializer, responses=s.IssueDetailSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk=None) -> Response:
        """上报: hand the issue to the office one level above the current handler."""
        issue = self._issue(pk)
        data = self._input(s.NoteSerializer, request)
        return self._respond(
            services.issue_escalate(actor=request.user, issue=issue, note=data["note"], expected_version=_version(data))
        )

    @extend_schema(request=s.ExtensionRequestSerializer, responses={201: s.DeadlineExtensionSerializer})
    @action(detail=True, methods=["post"], url_path="request-extension")
    def request_extension(self, request: Request, pk=None) -> Response:
        issue = self._issue(pk)
        data = self._input(s.ExtensionRequestSerializer, request)
        extension = services.extension_request(
            actor=request.user, issue=issue, hours=data["hours"], reason=data["reason"], expected_version=_version(data)
        )
        return Response(s.DeadlineExtensionSerializer(extension).data, status=status.HTTP_201_CREATED)

    @extend_schema(request={"multipart/form-data": s.PhotoUploadSerializer}, responses={201: s.IssuePhotoSerializer})
    @action(detail=True, methods=["post"], url_path="photos")
    def add_photo(self, request: Request, pk=None) -> Response:
        issue = self._issue(pk)
        data = self._input(s.PhotoUploadSerializer, request)
        photo = services.issue_photo_add(actor=request.user, issue=issue, image=data["image"])
        return Response(s.IssuePhotoSerializer(photo).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "image/*"): OpenApiResponse(description="the photo")})
    @action(detail=True, methods=["get"], url_path=r"photos/(?P<photo_pk>\d+)", url_name="photo-file")
    def photo_file(self, request: Request, pk=None, photo_pk=None):
        """A photo of an issue the caller may read; 404 otherwise."""
        if not str(pk).isascii() or not str(pk).isdigit():  # the route takes any text: not a number is not found
            raise Http404
        photo = selectors.issue_photo_get(viewer=request.user, issue_pk=int(pk), photo_pk=int(photo_pk))
        return protected_file_response(photo.image)


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
        return selectors.task_get(viewer=self.request.user, pk=int(self.kwargs["pk"]))

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
        return Response(s.IssueTaskSerializer(task).data)


class DeadlineExtensionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Pending extension requests the caller may decide."""

    serializer_class = s.DeadlineExtensionSerializer
    # The schema reads the id's type from here (get_queryset needs a request).
    queryset = DeadlineExtension.objects.none()

    def get_queryset(self):
        return selectors.extensions_pending_for(viewer=self.request.user)

    @extend_schema(request=s.ExtensionDecisionSerializer, responses=s.DeadlineExtensionSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk=None) -> Response:
        try:
            extension = DeadlineExtension.objects.filter(pk=int(pk)).first()
        except (TypeError, ValueError):  # the route takes any text: not a number is not found
            extension = None
        if extension is None:
            raise Http404
        selectors.issue_get(viewer=request.user, pk=extension.issue_id)  # 404 outside jurisdiction
        serializer = s.ExtensionDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        extension = services.extension_decide(
            actor=request.user,
            extension=extension,
            approve=serializer.validated_data["approve"],
            note=serializer.validated_data["note"],
        )
        return Response(s.DeadlineExtensionSerializer(extension).data)


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's own notifications, newest first."""

    serializer_class = s.NotificationSerializer

    def get_queryset(self):
        queryset = selectors.notifications_for(viewer=self.request.user)
        if self.request.query_params.get("unread") == "1":
            queryset = queryset.filter(read_at__isnull=True)
        return queryset

    @extend_schema(request=None, responses=s.NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk=None) -> Response:
        notification = services.notification_mark_read(viewer=request.user, notification_id=int(pk))
        if notification is None:
            raise Http404
        return Response(s.NotificationSerializer(notification).data)
