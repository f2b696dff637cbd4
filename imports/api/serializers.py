"""Serializers of the import API: the caller's import jobs, their row-by-row dry run and progress."""

from __future__ import annotations

from rest_framework import serializers

from ..models import ImportJob


class ImportColumnSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="the English key of the template's second row")
    header = serializers.CharField(help_text="the Chinese header of the template's first row")
    required = serializers.BooleanField()


class ImportKindSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    columns = ImportColumnSerializer(many=True)


class ImportCountsSerializer(serializers.Serializer):
    create = serializers.IntegerField(required=False)
    update = serializers.IntegerField(required=False)
    unchanged = serializers.IntegerField(required=False)
    refuse = serializers.IntegerField(required=False)


class ImportJobSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    counts = ImportCountsSerializer(read_only=True)
    can_apply = serializers.BooleanField(read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "file_name",
            "status",
            "status_label",
            "total",
            "done",
            "counts",
            "can_apply",
            "error",
            "created_at",
            "checked_at",
            "applied_at",
        ]
        read_only_fields = fields


class ImportRowSerializer(serializers.Serializer):
    """One row of the dry run: its spreadsheet row number, its key, what happens to it and why."""

    row = serializers.IntegerField()
    key = serializers.CharField()
    action = serializers.ChoiceField(choices=["create", "update", "unchanged", "refuse"])
    reason = serializers.CharField(allow_blank=True)


class ImportJobDetailSerializer(ImportJobSerializer):
    """A job with the rows of its dry run: every refused row first, then the others (at most 500; the
    report has every row)."""

    rows = ImportRowSerializer(many=True, source="preview", read_only=True)

    class Meta(ImportJobSerializer.Meta):
        fields = [*ImportJobSerializer.Meta.fields, "rows"]
        read_only_fields = fields


class ImportJobCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[])
    file = serializers.FileField(help_text=".xlsx or .csv in the template's layout")
    boundaries = serializers.FileField(
        required=False,
        help_text="grid_tree only: a GeoJSON FeatureCollection, each feature's properties.code a unit code of "
        "the file, Polygon or MultiPolygon in WGS-84",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from ..kinds import KINDS

        self.fields["kind"].choices = list(KINDS)


class ImportProgressSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ImportJob.Status.choices)
    status_label = serializers.CharField()
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    percent = serializers.IntegerField()
    counts = ImportCountsSerializer()
    finished = serializers.BooleanField()
    error = serializers.CharField(allow_blank=True)
