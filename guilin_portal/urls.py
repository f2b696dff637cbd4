"""Root URLs. Each app owns its pages (`<app>/urls.py`) and its API (`<app>/api/urls.py`)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from . import health, metrics, security, tokens

api_v1 = [
    path("", include("grids.api.urls")),
    path("", include("issues.api.urls")),
    path("volunteers/", include("volunteers.api.urls")),
    path("service-points/", include("service_centers.api.urls")),
    path("contracts/", include("contracts.api.urls")),
    path("stats/", include("dashboards.api.urls")),
    path("people/", include("people.api.urls")),
    path("imports/", include("imports.api.urls")),
    path("tokens/", tokens.TokenListView.as_view(), name="api_token_list"),
    path("tokens/<str:prefix>/", tokens.TokenDetailView.as_view(), name="api_token_detail"),
]

urlpatterns = [
    path("", include("workbench.urls")),
    path("", include("grids.urls")),
    path("", include("issues.urls")),
    path("volunteers/", include("volunteers.urls")),
    path("service-points/", include("service_centers.urls")),
    path("contracts/", include("contracts.urls")),
    path("party/", include("party.urls")),
    path("open311/v2/", include("open311.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("audit/", include("audit.urls")),
    path("", include("command_centre.urls")),
    path("people/", include("people.urls")),
    path("renovation/", include("renovation.urls")),
    path("imports/", include("imports.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/2fa/setup/", security.otp_setup, name="otp_setup"),
    path("accounts/2fa/verify/", security.otp_verify, name="otp_verify"),
    path("accounts/tokens/", tokens.api_tokens, name="api_tokens"),
    path("healthz", health.healthz, name="healthz"),
    path("healthz/live", health.live, name="healthz_live"),
    path("healthz/ready", health.ready, name="healthz_ready"),
    path("metrics", metrics.metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api_docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api_redoc"),
]

admin.site.site_header = admin.site.site_title = gettext_lazy("桂林市网格治理与党群服务门户")
