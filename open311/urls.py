"""Open311 GeoReport v2 under /open311/v2/: every resource as `.json` or `.xml` (the spec's extensions)."""

from django.urls import path, re_path
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
) + [
    # The photo behind a request's media_url: its own type, so no format extension.
    path("requests/<int:pk>/media/<int:photo_pk>", views.RequestMediaView.as_view(), name="request_media"),
    # Last: anything else under /open311/v2/ is the spec's 404, in the format its extension asks for.
    re_path(r"^(?P<rest>.*?)(?:\.(?P<format>json|xml))?$", views.NotFoundView.as_view(), name="not_found"),
]
