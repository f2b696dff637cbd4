from rest_framework.routers import DefaultRouter

from .views import PersonViewSet, PostViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("posts", PostViewSet, basename="people-post")
# The people themselves live at the root of /api/v1/people/ (ids are digits, so no clash with posts/).
router.register("", PersonViewSet, basename="person")

urlpatterns = router.urls
