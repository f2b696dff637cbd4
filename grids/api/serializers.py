from rest_framework import serializers

from grids.models import GridUnit


class GridUnitSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = GridUnit
        # The centroid (WGS-84, inside the boundary) when the unit has a boundary; the boundary itself is served
        # to maps as GeoJSON (grids:unit_map), not in this list.
        fields = [
            "id",
            "code",
            "name",
            "level",
            "level_label",
            "parent",
            "path",
            "is_property_managed",
            "centroid_lat",
            "centroid_lng",
        ]
        read_only_fields = fields
