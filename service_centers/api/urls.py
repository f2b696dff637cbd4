"""API under /api/v1/service-points/: the directory at the root, then ratings, kinds, overview, compliance."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from .views import ComplianceView, NetworkOverviewView, RatingViewSet, ServiceKindViewSet, ServicePointViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("ratings", RatingViewSet, basename="service-point-rating")
router.register("service-kinds", ServiceKindViewSet, basename="service-kind")
router.register("", ServicePointViewSet, basename="service-point")

urlpatterns = [
    path("network/", NetworkOverviewView.as_view(), name="service-point-network"),
    path("compliance/", ComplianceView.as_view(), name="service-point-compliance"),
    *router.urls,
]
