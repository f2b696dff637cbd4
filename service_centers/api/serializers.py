"""Serializers of the service-network API. Public ones carry no personal data (no contact person)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from grids.models import GridUnit
from issues.models import Issue
from volunteers.models import Activity

from ..models import (
    ActivityCategory,
    DeliberationMeeting,
    MemberHonour,
    RedStationService,
    ServiceKind,
    ServicePoint,
    StarRating,
    WorkstationActivity,
    WorkstationMember,
)


class ServiceKindSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceKind
        fields = ["code", "name"]


class PublicPointSerializer(serializers.ModelSerializer):
    """A point as the public directory shows it: no contact person, no staff."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    unit = serializers.IntegerField(source="unit_id", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    district = serializers.SerializerMethodField()

    class Meta:
        model = ServicePoint
        fields = [
            "id",
            "kind",
            "kind_label",
            "level",
            "level_label",
            "name",
            "unit",
            "unit_name",
            "district",
            "address",
            "latitude",
            "longitude",
            "floor_area",
            "opening_hours",
            "functions",
            "zones",
            "resident_organisations",
            "service_items",
            "description",
        ]

    def get_district(self, point: ServicePoint) -> str | None:
        district = getattr(point, "district", None)
        return district.name if district is not None else None


class PublicPointDetailSerializer(PublicPointSerializer):
    menu = ServiceKindSerializer(many=True, read_only=True, source="public_menu")
    stars = serializers.IntegerField(read_only=True, allow_null=True, source="public_stars")

    class Meta(PublicPointSerializer.Meta):
        fields = [*PublicPointSerializer.Meta.fields, "menu", "stars"]


class PointWriteSerializer(serializers.Serializer):
    """Create or change a point. Kind, level and unit are set once, at creation."""

    kind = serializers.ChoiceField(choices=ServicePoint.Kind.choices)
    level = serializers.ChoiceField(choices=ServicePoint.Level.choices, required=False, allow_blank=True, default="")
    unit = serializers.PrimaryKeyRelatedField(queryset=GridUnit.objects.all())
    name = serializers.CharField(max_length=120)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    floor_area = serializers.DecimalField(
        max_digits=9, decimal_places=1, required=False, allow_null=True, help_text="m², greater than 0"
    )
    opening_hours = serializers.CharField(max_length=120, required=False, allow_blank=True)
    functions = serializers.ListField(child=serializers.CharField(), required=False, help_text="six-function codes")
    zones = serializers.ListField(child=serializers.CharField(), required=False)
    resident_organisations = serializers.ListField(child=serializers.CharField(), required=False)
    service_items = serializers.ListField(child=serializers.CharField(), required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    opened_on = serializers.DateField(required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)
    menu = serializers.SlugRelatedField(
        slug_field="code", queryset=ServiceKind.objects.all(), many=True, required=False, help_text="red stations"
    )


class StaffPointSerializer(PublicPointSerializer):
    """A point for the staff who run it: with the contact person."""

    menu = ServiceKindSerializer(many=True, read_only=True)

    class Meta(PublicPointSerializer.Meta):
        fields = [*PublicPointSerializer.Meta.fields, "contact_name", "contact_phone", "opened_on", "is_active", "menu"]


class ServiceLogSerializer(serializers.ModelSerializer):
    service_kind = serializers.SlugRelatedField(slug_field="code", queryset=ServiceKind.objects.all())
    served_at = serializers.DateTimeField(required=False, help_text="default: now; up to 31 days back")
    client_key = serializers.UUIDField(
        required=False, allow_null=True, help_text="a retried request with the same key logs nothing new"
    )

    class Meta:
        model = RedStationService
        fields = ["id", "service_kind", "served_at", "note", "client_key", "logged_at"]
        read_only_fields = ["id", "logged_at"]


class MeetingSerializer(serializers.ModelSerializer):
    follow_up_issues = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Issue.objects.all(), help_text="ids of resident issues (grids)"
    )

    class Meta:
        model = DeliberationMeeting
        fields = [
            "id",
            "held_on",
            "topic",
            "attendees",
            "attendee_count",
            "decisions",
            "follow_up",
            "follow_up_issues",
            "recorded_at",
        ]
        read_only_fields = ["id", "recorded_at"]
        extra_kwargs = {"attendee_count": {"min_value": None}}


class HonourSerializer(serializers.ModelSerializer):
    class Meta:
        model = MemberHonour
        fields = ["title", "level", "year"]
        extra_kwargs = {"year": {"min_value": None, "max_value": None}}


class MemberSerializer(serializers.ModelSerializer):
    """A vanguard model enrolled in a workstation, with the honours that qualify them (personal data)."""

    honours = HonourSerializer(many=True)

    class Meta:
        model = WorkstationMember
        fields = ["id", "name", "organisation", "joined_on", "honours"]
        read_only_fields = ["id"]


class ActivitySerializer(serializers.ModelSerializer):
    """Either `volunteer_activity` (a volunteer activity held in the area), or held_on, title and category."""

    category = serializers.ChoiceField(choices=ActivityCategory.choices, required=False)
    volunteer_activity = serializers.PrimaryKeyRelatedField(
        queryset=Activity.objects.all(), required=False, allow_null=True, help_text="id of a volunteers activity"
    )

    class Meta:
        model = WorkstationActivity
        fields = ["id", "held_on", "title", "category", "participants", "note", "volunteer_activity", "recorded_at"]
        read_only_fields = ["id", "recorded_at"]
        extra_kwargs = {"held_on": {"required": False}, "title": {"required": False}}
        validators = []

    def validate(self, attrs):
        if attrs.get("volunteer_activity") is None:
            missing = {
                name: _("必填（或选择一项志愿服务活动）。")
                for name in ("held_on", "title", "category")
                if not attrs.get(name)
            }
            if missing:
                raise serializers.ValidationError(missing)
        return attrs


class RatingSerializer(serializers.ModelSerializer):
    point = serializers.PrimaryKeyRelatedField(queryset=ServicePoint.objects.all(), required=False, allow_null=True)
    compound = serializers.PrimaryKeyRelatedField(
        queryset=GridUnit.objects.filter(level=GridUnit.Level.COMPOUND), required=False, allow_null=True
    )
    rated_by = serializers.CharField(source="rated_by.username", read_only=True, default=None)

    class Meta:
        model = StarRating
        fields = [
            "id",
            "year",
            "point",
            "compound",
            *[field for field, _label in StarRating.CRITERIA],
            "note",
            "total",
            "stars",
            "is_current",
            "rated_by",
            "rated_at",
        ]
        read_only_fields = ["id", "total", "stars", "is_current", "rated_by", "rated_at"]
        # A re-rating retires the current one (the service's rule), so no uniqueness check here.
        validators = []
        # The range rule (0..10) is the service's, so its message names the criterion.
        extra_kwargs = {field: {"min_value": None, "max_value": None} for field, _label in StarRating.CRITERIA}


class ComplianceSerializer(serializers.Serializer):
    point = serializers.IntegerField(source="point.pk")
    name = serializers.CharField(source="point.name")
    year = serializers.IntegerField(source="assessment.year")
    meetings = serializers.IntegerField(source="assessment.meetings")
    meetings_required = serializers.IntegerField(source="assessment.meetings_required")
    activity_months = serializers.SerializerMethodField()
    missed_months = serializers.ListField(child=serializers.IntegerField(), source="assessment.missed_months")
    flagged = serializers.BooleanField(source="assessment.flagged")

    def get_activity_months(self, row) -> list[int]:
        return sorted(row.assessment.active_months)


class KindLevelSerializer(serializers.Serializer):
    kind = serializers.CharField()
    level = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    with_area = serializers.IntegerField()
    total_area = serializers.DecimalField(max_digits=14, decimal_places=1)
    average_area = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True)


class MonthCountSerializer(serializers.Serializer):
    month = serializers.DateField()
    services = serializers.IntegerField()
    live = serializers.BooleanField()


class NetworkOverviewSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit.pk")
    unit_name = serializers.CharField(source="unit.name")
    total_points = serializers.IntegerField()
    party_centers = serializers.IntegerField()
    rows = KindLevelSerializer(many=True)
    compliance_year = serializers.IntegerField()
    workstations = serializers.IntegerField()
    workstations_flagged = serializers.IntegerField()
    red_months = MonthCountSerializer(many=True)
    red_services_12_months = serializers.IntegerField()
    jobs_offered = serializers.IntegerField()
    star_year = serializers.IntegerField()
    star_counts = serializers.DictField(child=serializers.IntegerField())
