from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("categories", views.CategoryViewSet, basename="volunteer-category")
router.register("teams", views.TeamViewSet, basename="volunteer-team")
router.register("members", views.VolunteerViewSet, basename="volunteer-member")
router.register("activities", views.ActivityViewSet, basename="volunteer-activity")
router.register("signups", views.SignupViewSet, basename="volunteer-signup")
router.register("service-records", views.ServiceRecordViewSet, basename="volunteer-record")
router.register("accounts", views.AccountViewSet, basename="volunteer-account")

urlpatterns = [
    path("leaderboard/", views.LeaderboardView.as_view(), name="volunteer-leaderboard"),
    *router.urls,
]
