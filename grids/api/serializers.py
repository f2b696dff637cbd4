from rest_framework import serializers

from grids.models import GridUnit


class GridUnitSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = GridUnit
        fields = ["id", "code", "name", "level", "level_label", "parent", "path", "is_property_managed"]
        read_only_fields = fields
