import django_filters
from django.core.exceptions import ValidationError
from rest_framework import serializers, viewsets

from grids import selectors
from grids.api.serializers import GridUnitSerializer
from grids.geography import parse_lat_lng_pair, units_containing
from grids.models import GridUnit


class GridUnitFilter(django_filters.FilterSet):
    within = django_filters.NumberFilter(method="filter_within", label="Only units in the subtree of this unit id")
    contains = django_filters.CharFilter(
        method="filter_contains",
        label="Only units whose boundary covers this WGS-84 point, `<lat>,<long>` (e.g. 25.2736,110.2900)",
    )

    class Meta:
        model = GridUnit
        fields = ["level", "parent", "is_property_managed"]

    def filter_within(self, queryset, name, value):
        root = GridUnit.objects.filter(pk=value).only("path").first()
        if root is None:
            return queryset.none()
        return queryset.filter(path__startswith=root.path)

    def filter_contains(self, queryset, name, value):
        """The units of the caller's jurisdiction covering the point (grids.geography: box prefilter, exact test)."""
        try:
            lat, lng = parse_lat_lng_pair(value, field=name)
        except ValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        return queryset.filter(pk__in=[unit.pk for unit in units_containing(self.request.viewer, lat, lng)])


class GridUnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Grid units in the caller's jurisdiction (read-only)."""

    serializer_class = GridUnitSerializer
    filterset_class = GridUnitFilter
    search_fields = ["name", "code"]

    def get_queryset(self):
        # The boundary is for maps (grids:unit_map): a list of 56,000 zones need not read it.
        return selectors.unit_list(viewer=self.request.viewer).defer("boundary").order_by("path")
