"""Serializers of the volunteers API. Writes go through the services; these only shape input and output."""

from __future__ import annotations

from rest_framework import serializers

from ..models import (
    Activity,
    ActivityKind,
    ActivitySignup,
    Currency,
    LedgerAccount,
    LedgerPosting,
    ServiceCategory,
    ServiceRecord,
    Team,
    TeamMember,
    Volunteer,
)


class VolCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceCategory
        fields = ["id", "code", "name", "name_en", "sort_order", "is_active"]
        read_only_fields = fields


class VolTeamSerializer(serializers.ModelSerializer):
    # Plain strings (values listed in the help text): one enum per field name across the whole schema.
    kind = serializers.CharField(read_only=True, help_text="party_volunteer, organ, red_property, vanguard, commando")
    category_name = serializers.CharField(source="category.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    leader_name = serializers.CharField(read_only=True, allow_null=True)
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Team
        fields = [
            "id",
            "name",
            "category",
            "category_name",
            "kind",
            "kind_label",
            "unit",
            "unit_name",
            "description",
            "is_active",
            "leader_name",
            "member_count",
        ]
        read_only_fields = fields


class VolTeamMemberSerializer(serializers.ModelSerializer):
    role = serializers.CharField(read_only=True, help_text="leader, deputy, member")
    volunteer_name = serializers.CharField(source="volunteer.full_name", read_only=True)
    is_party_member = serializers.BooleanField(source="volunteer.is_party_member", read_only=True)
    organisation = serializers.CharField(source="volunteer.organisation.name", read_only=True, allow_null=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = TeamMember
        fields = [
            "id",
            "volunteer",
            "volunteer_name",
            "role",
            "role_label",
            "is_party_member",
            "organisation",
            "joined_on",
        ]
        read_only_fields = fields


class VolTeamMemberAddSerializer(serializers.Serializer):
    volunteer = serializers.IntegerField(help_text="Volunteer id")
    role = serializers.ChoiceField(choices=TeamMember.Role.choices, default=TeamMember.Role.MEMBER)


class VolunteerSerializer(serializers.ModelSerializer):
    phone = serializers.CharField(source="masked_phone", read_only=True, help_text="Masked: 138****1234")
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, allow_null=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Volunteer
        fields = [
            "id",
            "full_name",
            "phone",
            "is_party_member",
            "organisation",
            "organisation_name",
            "unit",
            "unit_name",
        ]
        read_only_fields = fields


class VolActivitySerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="regular, elderly_care, emergency, demand, report")
    status = serializers.CharField(read_only=True, help_text="open, cancelled")
    category_name = serializers.CharField(source="category.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True, allow_null=True)
    places_left = serializers.IntegerField(read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "title",
            "team",
            "team_name",
            "category",
            "category_name",
            "kind",
            "unit",
            "unit_name",
            "place",
            "starts_at",
            "ends_at",
            "capacity",
            "places_taken",
            "places_left",
            "description",
            "status",
            "issue",
            "issue_task",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "issue": {"help_text": "a resident demand (grids issue) this activity is a shift of"},
            "issue_task": {"help_text": "the issue's sub-task the shift carries out"},
        }


class VolActivityCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    team = serializers.IntegerField(required=False, allow_null=True, help_text="Team id (its leaders publish for it)")
    category = serializers.IntegerField(help_text="Service category id")
    kind = serializers.ChoiceField(choices=ActivityKind.choices, default=ActivityKind.REGULAR)
    unit = serializers.IntegerField(help_text="Grid unit id where it takes place")
    place = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField(min_value=1)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class VolSignupSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="signed_up, cancelled, checked_in, checked_out")
    volunteer_name = serializers.CharField(source="volunteer.full_name", read_only=True)

    class Meta:
        model = ActivitySignup
        fields = [
            "id",
            "activity",
            "volunteer",
            "volunteer_name",
            "status",
            "signed_up_at",
            "cancelled_at",
            "checked_in_at",
            "checked_out_at",
        ]
        read_only_fields = fields


class VolSignupCreateSerializer(serializers.Serializer):
    volunteer = serializers.IntegerField(
        required=False, help_text="Volunteer id; leave out to sign yourself up (leaders may sign members up)"
    )


class VolServiceRecordSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="regular, elderly_care, emergency, demand, report")
    source = serializers.CharField(read_only=True, help_text="activity, issue, report")
    status = serializers.CharField(read_only=True, help_text="pending, verified, rejected, reversed")
    volunteer_name = serializers.CharField(source="volunteer.full_name", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True, allow_null=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = ServiceRecord
        fields = [
            "id",
            "volunteer",
            "volunteer_name",
            "team",
            "team_name",
            "source",
            "activity",
            "issue",
            "category",
            "kind",
            "unit",
            "unit_name",
            "started_at",
            "ended_at",
            "hours",
            "points",
            "description",
            "solved_difficulty",
            "status",
            "verified_by",
            "verified_at",
            "review_note",
        ]
        read_only_fields = fields


class VolServiceRecordCreateSerializer(serializers.Serializer):
    volunteer = serializers.IntegerField(required=False, help_text="Volunteer id; leave out for your own service")
    team = serializers.IntegerField(
        required=False, allow_null=True, help_text="Team id (its leaders register for members)"
    )
    category = serializers.IntegerField()
    unit = serializers.IntegerField(required=False, allow_null=True, help_text="Defaults to the registered community")
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=2)
    description = serializers.CharField(max_length=500, allow_blank=True, default="")
    solved_difficulty = serializers.BooleanField(default=False)


class VolReviewSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, allow_blank=True, default="")


class VolAccountSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="personal, issuance, redemption")
    currency = serializers.CharField(read_only=True, help_text="hours, points")
    currency_label = serializers.CharField(source="get_currency_display", read_only=True)

    class Meta:
        model = LedgerAccount
        fields = ["id", "kind", "currency", "currency_label", "volunteer", "name", "balance", "allow_negative"]
        read_only_fields = fields


class VolPostingSerializer(serializers.ModelSerializer):
    currency = serializers.CharField(read_only=True, help_text="hours, points")
    entry_kind = serializers.CharField(source="entry.kind", read_only=True)
    memo = serializers.CharField(source="entry.memo", read_only=True)
    created_at = serializers.DateTimeField(source="entry.created_at", read_only=True)

    class Meta:
        model = LedgerPosting
        fields = ["id", "entry", "entry_kind", "memo", "created_at", "currency", "amount", "balance_after"]
        read_only_fields = fields


class VolTransferSerializer(serializers.Serializer):
    target = serializers.IntegerField(help_text="Receiving volunteer id")
    currency = serializers.ChoiceField(choices=Currency.choices)
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    memo = serializers.CharField(max_length=200, allow_blank=True, default="")


class VolWithdrawSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    memo = serializers.CharField(max_length=200, allow_blank=True, default="")


class VolLeaderboardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    key = serializers.IntegerField(help_text="Volunteer, team or unit id")
    name = serializers.CharField()
    hours = serializers.DecimalField(max_digits=12, decimal_places=2)
    points = serializers.DecimalField(max_digits=12, decimal_places=2)
    services = serializers.IntegerField()
