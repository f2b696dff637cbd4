"""Open311 GeoReport v2 under /open311/v2/: every resource as `.json` or `.xml` (the spec's extensions)."""

from django.urls import path
from rest_framework.urlpatterns import format_suffix_patterns

from . import views

app_name = "open311"

urlpatterns = format_suffix_patterns(
    [
        path("discovery", views.DiscoveryView.as_view(), name="discovery"),
        path("services", views.ServiceListView.as_view(), name="services"),
        path("services/<slug:service_code>", views.ServiceDefinitionView.as_view(), name="service"),
        path("requests", views.RequestListView.as_view(), name="requests"),
        path("requests/<int:pk>", views.RequestDetailView.as_view(), name="request"),
    ],
    suffix_required=True,
    allowed=["json", "xml"],
)
