from rest_framework.routers import DefaultRouter

from .views import GridUnitViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("units", GridUnitViewSet, basename="unit")

urlpatterns = router.urls
