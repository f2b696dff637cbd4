from rest_framework.routers import DefaultRouter

from .views import (
    DeadlineExtensionViewSet,
    IssueCategoryViewSet,
    IssueTaskViewSet,
    IssueViewSet,
    NotificationViewSet,
)

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("issues", IssueViewSet, basename="issue")
router.register("issue-categories", IssueCategoryViewSet, basename="issue-category")
router.register("issue-tasks", IssueTaskViewSet, basename="issue-task")
router.register("issue-extensions", DeadlineExtensionViewSet, basename="issue-extension")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = router.urls
