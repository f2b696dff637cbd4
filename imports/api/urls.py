from rest_framework.routers import DefaultRouter

from .views import JobViewSet, KindViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("kinds", KindViewSet, basename="import-kind")
router.register("jobs", JobViewSet, basename="import-job")

urlpatterns = router.urls
