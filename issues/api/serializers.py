"""Serializers of the issue API. They shape input and output; the rules are in issues.services and issues.access.

A transition's serializer (`issues.transitions`) yields the same data as its page form.

Status, kind and handler kind are plain strings with a `*_label` beside them
(their values are listed in each field's description), so the schema does not
grow colliding enum names with the other apps' "status" and "kind" fields.
"""

from __future__ import annotations

from functools import cached_property

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from grids.models import GridUnit, User
from grids.viewer import viewer_of
from guilin_portal.compiled import CompiledGet
from issues import access
from issues.links import issue_detail_urls
from issues.models import DeadlineExtension, Issue, IssueCategory, IssueEvent, IssuePhoto, IssueTask, Notification

# One formatter for every timestamp written by hand below (the same as a declared DateTimeField's).
_DATETIME = serializers.DateTimeField()


def _values(choices) -> str:
    return ", ".join(f"`{value}` ({label})" for value, label in choices)


class IssueCategorySerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text=_values(Issue.Kind.choices))

    class Meta:
        model = IssueCategory
        fields = ["id", "code", "kind", "name", "name_en", "time_limit_hours", "is_active"]
        read_only_fields = fields


class HandlerSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=_values(Issue.HandlerKind.choices))
    label = serializers.CharField()
    user = serializers.IntegerField(allow_null=True)
    unit = serializers.IntegerField(allow_null=True)
    department = serializers.IntegerField(allow_null=True)
    team = serializers.IntegerField(allow_null=True, help_text="a volunteer team (volunteers API `teams/{id}/`)")


class IssueSerializer(serializers.Serializer):
    """An issue as the caller may see it: the resident's name and phone masked unless they report or handle it.

    Declared field by field (not a ModelSerializer): building a ModelSerializer's
    fields from the model on every instance was a third of a create's CPU time.
    """

    id = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()
    unit = serializers.IntegerField(source="unit_id", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    category = serializers.IntegerField(source="category_id", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    kind = serializers.CharField(read_only=True, help_text=_values(Issue.Kind.choices))
    description = serializers.CharField(read_only=True)
    location_text = serializers.CharField(read_only=True)
    # WGS-84 degrees at the caller's precision (issues.access.issue_point_for): exact for the reporter and
    # handlers, 3 decimals (about 100 m) for everyone else; null when the issue has no point.
    latitude = serializers.SerializerMethodField()
    longitude = serializers.SerializerMethodField()
    location_accuracy = serializers.IntegerField(read_only=True, allow_null=True, help_text="metres (GPS fix)")
    resident_name = serializers.SerializerMethodField()
    resident_phone = serializers.SerializerMethodField()
    priority = serializers.IntegerField(read_only=True, help_text=_values(Issue.Priority.choices))
    status = serializers.CharField(read_only=True, help_text=_values(Issue.Status.choices))
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    handler = serializers.SerializerMethodField()
    assignee = serializers.IntegerField(source="assignee_id", read_only=True, allow_null=True)
    routing_no_rule = serializers.BooleanField(read_only=True)
    reporter = serializers.IntegerField(source="reporter_id", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    due_at = serializers.DateTimeField(read_only=True)
    is_overdue = serializers.SerializerMethodField()
    deadline_state = serializers.SerializerMethodField(help_text="`overdue` (red), `near` (yellow) or empty")
    escalation_level = serializers.IntegerField(read_only=True)
    supervision_unit = serializers.IntegerField(source="supervision_unit_id", read_only=True, allow_null=True)
    resolution = serializers.CharField(read_only=True)
    resolved_at = serializers.DateTimeField(read_only=True, allow_null=True)
    satisfaction = serializers.CharField(read_only=True, help_text=_values(Issue.Satisfaction.choices))
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    reopen_count = serializers.IntegerField(read_only=True)
    reject_reason = serializers.CharField(read_only=True, help_text=_values(Issue.RejectReason.choices))
    duplicate_of = serializers.IntegerField(source="duplicate_of_id", read_only=True, allow_null=True)
    version = serializers.IntegerField(read_only=True)

    def _viewer(self):
        request = self.context["request"]
        return getattr(request, "viewer", None) or viewer_of(request.user)

    @cached_property
    def _url_of(self):
        # reverse() once per serializer, not per row (a list serializer's child serves every row).
        return issue_detail_urls()

    def to_representation(self, issue: Issue) -> dict:
        """The declared fields' values, built directly (DRF copies every declared field per
        serializer otherwise). tests/issues/test_api.py checks it equals DRF's own output."""
        details = access.ResidentDetails(self._viewer(), issue)
        when = _DATETIME.to_representation
        return {
            "id": issue.pk,
            "url": self._url_of(issue.pk),
            "unit": issue.unit_id,
            "unit_name": issue.unit.name,
            "category": issue.category_id,
            "category_name": issue.category.name,
            "kind": issue.kind,
            # Free text a resident's contact may be typed into: masked as the contact is.
            "description": details.text(issue.description),
            "location_text": details.text(issue.location_text),
            **dict(zip(("latitude", "longitude"), details.point(), strict=True)),
            "location_accuracy": issue.location_accuracy,
            "resident_name": details.name(),
            "resident_phone": details.phone(),
            "priority": issue.priority,
            "status": issue.status,
            "status_label": issue.get_status_display(),
            "handler": self.get_handler(issue),
            "assignee": issue.assignee_id,
            "routing_no_rule": issue.routing_no_rule,
            "reporter": issue.reporter_id,
            "created_at": when(issue.created_at),
            "updated_at": when(issue.updated_at),
            "due_at": when(issue.due_at),
            "is_overdue": self.get_is_overdue(issue),
            "deadline_state": self.get_deadline_state(issue),
            "escalation_level": issue.escalation_level,
            "supervision_unit": issue.supervision_unit_id,
            "resolution": details.text(issue.resolution),
            "resolved_at": when(issue.resolved_at) if issue.resolved_at else None,
            "satisfaction": issue.satisfaction,
            "closed_at": when(issue.closed_at) if issue.closed_at else None,
            "reopen_count": issue.reopen_count,
            "reject_reason": issue.reject_reason,
            "duplicate_of": issue.duplicate_of_id,
            "version": issue.version,
        }

    @extend_schema_field(serializers.CharField())
    def get_resident_name(self, issue: Issue) -> str:
        return access.resident_name_for(self._viewer(), issue)

    @extend_schema_field(serializers.CharField(help_text="138****5678 unless the caller reports or handles the issue"))
    def get_resident_phone(self, issue: Issue) -> str:
        return access.resident_phone_for(self._viewer(), issue)

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_latitude(self, issue: Issue) -> float | None:
        return access.issue_point_for(self._viewer(), issue)[0]

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_longitude(self, issue: Issue) -> float | None:
        return access.issue_point_for(self._viewer(), issue)[1]

    @extend_schema_field(HandlerSerializer(allow_null=True))
    def get_handler(self, issue: Issue) -> dict | None:
        if not issue.handler_kind:
            return None
        return {
            "kind": issue.handler_kind,
            "label": issue.handler_label,
            "user": issue.handler_user_id,
            "unit": issue.handler_unit_id,
            "department": issue.handler_department_id,
            "team": issue.handler_team_id,
        }

    def get_is_overdue(self, issue: Issue) -> bool:
        return issue.is_overdue()

    def get_deadline_state(self, issue: Issue) -> str:
        return issue.deadline_state

    def get_url(self, issue: Issue) -> str:
        return self._url_of(issue.pk)


class IssuePhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()
    uploaded_by = serializers.IntegerField(source="uploaded_by_id", read_only=True)
    uploaded_at = serializers.DateTimeField(read_only=True)

    def get_url(self, photo: IssuePhoto) -> str:
        return reverse("issue-photo-file", args=[photo.issue_id, photo.pk])


class IssueDetailSerializer(IssueSerializer):
    photos = IssuePhotoSerializer(many=True, read_only=True)

    def to_representation(self, issue: Issue) -> dict:
        data = super().to_representation(issue)
        data["photos"] = [
            {
                "id": photo.pk,
                "url": reverse("issue-photo-file", args=[photo.issue_id, photo.pk]),
                "uploaded_by": photo.uploaded_by_id,
                "uploaded_at": _DATETIME.to_representation(photo.uploaded_at),
            }
            for photo in issue.photos.all()
        ]
        return data


_BIGINT = 2**63


class CompiledKeyField(serializers.PrimaryKeyRelatedField):
    """A row by its key, as PrimaryKeyRelatedField reads it (the same errors), through a query compiled
    once per process (`guilin_portal.compiled.CompiledGet`): compiling it on every call cost more than
    running it. `queryset` stays for the schema and the browsable API."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._by_key = CompiledGet(self.queryset.all)

    def to_internal_value(self, data):
        try:
            if isinstance(data, bool):
                raise TypeError
            key = int(data)  # as the ORM prepares an integer key: "12" and 12 alike, "abc" refused
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        row = self._by_key.get(key) if -_BIGINT <= key < _BIGINT else None
        if row is None:
            self.fail("does_not_exist", pk_value=data)
        return row


@extend_schema_field(OpenApiTypes.INT)
class LoggableUnitField(CompiledKeyField):
    """A micro-grid of the caller's jurisdiction: the unit is read by its key and `access.can_log_at`
    decides, with no jurisdiction queryset to build (that was two fifths of a creation's view time).
    A unit outside reads exactly as one that does not exist."""

    def __init__(self, **kwargs):
        super().__init__(queryset=GridUnit.objects.all(), **kwargs)

    def to_internal_value(self, data):
        unit = super().to_internal_value(data)
        request = self.context.get("request")
        viewer = getattr(request, "viewer", None) or getattr(request, "user", None)
        if viewer is None or not access.can_log_at(viewer, unit):
            self.fail("does_not_exist", pk_value=data)
        return unit


class IssueCreateSerializer(serializers.Serializer):
    """Log an issue. The same `client_key` again returns the issue already logged (200) instead of a second one."""

    unit = LoggableUnitField(help_text="a micro-grid (片区, 小区 or 责任区) in your jurisdiction")
    category = CompiledKeyField(queryset=IssueCategory.objects.filter(is_active=True))
    description = serializers.CharField(max_length=4000)
    location_text = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    latitude = serializers.FloatField(
        min_value=-90, max_value=90, required=False, allow_null=True, default=None, help_text="WGS-84 degrees"
    )
    longitude = serializers.FloatField(
        min_value=-180,
        max_value=180,
        required=False,
        allow_null=True,
        default=None,
        help_text="WGS-84 degrees; with latitude, must lie in `unit` (400 naming `unit` or `latitude` otherwise)",
    )
    location_accuracy = serializers.IntegerField(
        min_value=0, max_value=100_000, required=False, allow_null=True, default=None, help_text="metres (GPS fix)"
    )
    resident_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    resident_phone = serializers.CharField(
        max_length=24, required=False, allow_blank=True, default="", help_text="mainland mobile or landline"
    )
    priority = serializers.IntegerField(
        min_value=1, max_value=3, required=False, default=1, help_text=_values(Issue.Priority.choices)
    )
    client_key = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="a UUID the client makes once per issue"
    )
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="up to 6 JPEG/PNG/WebP, 10 MB each"
    )


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="the version you last read; if the issue changed since, the action is refused with 409",
    )


class NoteSerializer(VersionSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ResolveSerializer(VersionSerializer):
    resolution = serializers.CharField(required=False, allow_blank=True, default="")


class FeedbackSerializer(VersionSerializer):
    satisfaction = serializers.ChoiceField(choices=Issue.Satisfaction.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SuspendSerializer(VersionSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class RejectSerializer(VersionSerializer):
    # Read as `reason`, the name the page's form and the service use.
    reject_reason = serializers.ChoiceField(choices=Issue.RejectReason.choices, source="reason")
    duplicate_of = serializers.IntegerField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ExtensionRequestSerializer(VersionSerializer):
    hours = serializers.IntegerField(min_value=1, max_value=24 * 30)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class AssignSerializer(VersionSerializer):
    assignee = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))


class TaskInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    handler = serializers.CharField(help_text="one of `GET issues/{id}/task-handlers/`: `office:12`, `department:3`...")


class DecomposeSerializer(VersionSerializer):
    tasks = TaskInputSerializer(many=True)

    def validate_tasks(self, tasks: list[dict]) -> list:
        """Each task's handler, one of the issue's choices (the context's `handler_choices`), as a TaskSpec."""
        from issues.services import TaskSpec

        choices = {handler.token: handler for handler, _label in self.context.get("handler_choices", ())}
        specs = []
        for task in tasks:
            if task["handler"] not in choices:
                raise serializers.ValidationError(f"unknown handler {task['handler']!r}")
            specs.append(TaskSpec(title=task["title"], handler=choices[task["handler"]]))
        return specs


class UrgeSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ReassignSerializer(VersionSerializer):
    handler = serializers.CharField(help_text="one of `GET issues/{id}/task-handlers/`: `office:12`, `department:3`...")
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_handler(self, token: str):
        """One of the issue's handler choices (the context's `handler_choices`)."""
        choices = {handler.token: handler for handler, _label in self.context.get("handler_choices", ())}
        if token not in choices:
            raise serializers.ValidationError(f"unknown handler {token!r}")
        return choices[token]


class PhotoUploadSerializer(serializers.Serializer):
    image = serializers.FileField()


class TaskCompleteSerializer(serializers.Serializer):
    result = serializers.CharField(required=False, allow_blank=True, default="")


class ExtensionDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class TaskHandlerChoiceSerializer(serializers.Serializer):
    handler = serializers.CharField()
    label = serializers.CharField()


class IssueEventSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text=_values(IssueEvent.Kind.choices))
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    actor_name = serializers.SerializerMethodField()
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)

    class Meta:
        model = IssueEvent
        fields = ["id", "kind", "kind_label", "actor", "actor_name", "at", "from_status", "to_status", "note"]
        read_only_fields = fields

    def get_actor_name(self, event: IssueEvent) -> str:
        return event.actor.display_name if event.actor_id else ""


def _mask_notes(serializer: serializers.Serializer, issue, data: dict, fields: tuple[str, ...]) -> dict:
    """Notes a resident's contact may be typed into, masked as the contact is (access.private_text_for);
    without a request in the context they are masked."""
    viewer = getattr(serializer.context.get("request"), "viewer", None)
    if not access.can_see_resident_contact(viewer, issue):
        for field in fields:
            data[field] = access.private_text_for(None, issue, data[field])
    return data


class IssueTaskSerializer(serializers.ModelSerializer):
    handler_label = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True, help_text=_values(IssueTask.Status.choices))

    class Meta:
        model = IssueTask
        fields = ["id", "issue", "title", "handler_kind", "handler_label", "status", "done_by", "done_at", "result"]
        read_only_fields = fields

    def to_representation(self, instance: IssueTask) -> dict:
        issue = self.context.get("issue") or instance.issue  # the issue's own list passes it: no query per row
        return _mask_notes(self, issue, super().to_representation(instance), ("title", "result"))


class DeadlineExtensionSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text=_values(DeadlineExtension.Status.choices))

    class Meta:
        model = DeadlineExtension
        fields = [
            "id",
            "issue",
            "hours",
            "reason",
            "approver_unit",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields

    def to_representation(self, instance: DeadlineExtension) -> dict:
        return _mask_notes(self, instance.issue, super().to_representation(instance), ("reason", "decision_note"))


class NotificationSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text=_values(Notification.Kind.choices))
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "kind_label", "issue", "created_at", "read_at"]
        read_only_fields = fields
