from rest_framework.routers import DefaultRouter

from .issue_views import (
    DeadlineExtensionViewSet,
    IssueCategoryViewSet,
    IssueTaskViewSet,
    IssueViewSet,
    NotificationViewSet,
)
from .views import GridUnitViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("units", GridUnitViewSet, basename="unit")
router.register("issues", IssueViewSet, basename="issue")
router.register("issue-categories", IssueCategoryViewSet, basename="issue-category")
router.register("issue-tasks", IssueTaskViewSet, basename="issue-task")
router.register("issue-extensions", DeadlineExtensionViewSet, basename="issue-extension")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = router.urls
