import django_filters
from rest_framework import viewsets

from grids import selectors
from grids.api.serializers import GridUnitSerializer
from grids.models import GridUnit


class GridUnitFilter(django_filters.FilterSet):
    within = django_filters.NumberFilter(method="filter_within", label="Only units in the subtree of this unit id")

    class Meta:
        model = GridUnit
        fields = ["level", "parent", "is_property_managed"]

    def filter_within(self, queryset, name, value):
        root = GridUnit.objects.filter(pk=value).only("path").first()
        if root is None:
            return queryset.none()
        return queryset.filter(path__startswith=root.path)


class GridUnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Grid units in the caller's jurisdiction (read-only)."""

    serializer_class = GridUnitSerializer
    filterset_class = GridUnitFilter
    search_fields = ["name", "code"]

    def get_queryset(self):
        return selectors.unit_list(viewer=self.request.viewer).order_by("path")
