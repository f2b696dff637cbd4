"""Serializers of the people API: people in the caller's staff subtrees, their posts over time, the acts."""

from __future__ import annotations

from rest_framework import serializers

from grids.models import Post, User


class PersonPostSerializer(serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    unit = serializers.IntegerField(source="unit_id", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    person = serializers.IntegerField(source="user_id", read_only=True)

    class Meta:
        model = Post
        fields = [
            "id",
            "person",
            "role",
            "role_label",
            "unit",
            "unit_code",
            "unit_name",
            "is_full_time",
            "started_on",
            "ended_on",
        ]
        read_only_fields = fields


class PersonSerializer(serializers.ModelSerializer):
    """A person of the list: their current posts inside the caller's subtrees."""

    posts = PersonPostSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "phone", "is_party_member", "is_active", "posts"]
        read_only_fields = fields


class PostHistorySerializer(serializers.Serializer):
    """One version of one of the person's posts: who created, moved or retired it, and when."""

    post = serializers.IntegerField(source="id")
    change = serializers.ChoiceField(choices=["created", "moved", "retired", "changed", "deleted"])
    at = serializers.DateTimeField(source="history_date")
    by = serializers.SerializerMethodField()
    role = serializers.CharField()
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.SerializerMethodField()
    from_unit = serializers.SerializerMethodField()
    ended_on = serializers.DateField(allow_null=True)

    def get_by(self, row) -> str:
        user = row.history_user
        return user.display_name if user is not None else ""

    def get_unit_name(self, row) -> str:
        return row.unit.name if row.unit is not None else ""

    def get_from_unit(self, row) -> int | None:
        unit = getattr(row, "from_unit", None)
        return unit.pk if unit is not None else None


class PersonDetailSerializer(serializers.Serializer):
    """A person's page: posts now and over time, the audit history of them, and what the caller may do."""

    id = serializers.IntegerField(source="person.pk")
    username = serializers.CharField(source="person.username")
    full_name = serializers.CharField(source="person.full_name")
    phone = serializers.CharField(source="person.phone")
    is_party_member = serializers.BooleanField(source="person.is_party_member")
    is_active = serializers.BooleanField(source="person.is_active")
    current = PersonPostSerializer(many=True)
    past = PersonPostSerializer(many=True)
    history = PostHistorySerializer(many=True)
    actions = serializers.ListField(child=serializers.CharField())
    manageable_posts = serializers.ListField(child=serializers.IntegerField())


# -- bodies ------------------------------------------------------------------------------------------


class PostGrantSerializer(serializers.Serializer):
    unit = serializers.IntegerField(help_text="grid unit id, inside the caller's subtrees")
    role = serializers.ChoiceField(choices=Post.Role.choices)
    is_full_time = serializers.BooleanField(default=False)


class PersonCreateSerializer(PostGrantSerializer):
    full_name = serializers.CharField(max_length=60)
    phone = serializers.CharField(max_length=20, help_text="11-digit mobile: the person's user name")
    is_party_member = serializers.BooleanField(default=False)


class PostMoveSerializer(serializers.Serializer):
    unit = serializers.IntegerField(help_text="the new grid unit id, inside the caller's subtrees")


class PersonSuccessorSerializer(serializers.Serializer):
    successor = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="id of an active person of the caller's subtrees who takes over the open work; "
        "none: the office of the post's unit takes it",
    )


class PostRetireSerializer(PersonSuccessorSerializer):
    ended_on = serializers.DateField(required=False, allow_null=True, help_text="default: today")


# -- answers -----------------------------------------------------------------------------------------


class PersonActivationLinkSerializer(serializers.Serializer):
    """The one-time link (shown once: only its hash is kept) where the person sets their own password."""

    person = serializers.IntegerField()
    url = serializers.URLField()
    expires_at = serializers.DateTimeField()


class PersonCreatedSerializer(serializers.Serializer):
    person = PersonSerializer()
    activation = PersonActivationLinkSerializer()


class PersonHandoverSerializer(serializers.Serializer):
    """What a closed account handed over: items moved per kind (grids.handover)."""

    deactivated = serializers.BooleanField()
    handed_over = serializers.DictField(child=serializers.IntegerField())


class PostRetirementSerializer(PersonHandoverSerializer):
    post = PersonPostSerializer()
