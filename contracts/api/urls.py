from rest_framework.routers import DefaultRouter

from .views import (
    AwardViewSet,
    BoardViewSet,
    CoBuildingUnitViewSet,
    CommitmentViewSet,
    ContractViewSet,
    EvaluationViewSet,
    ProgressViewSet,
    QuarterlyTallyViewSet,
)

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("units", CoBuildingUnitViewSet, basename="contracts-unit")
router.register("commitments", CommitmentViewSet, basename="contracts-commitment")
router.register("progress", ProgressViewSet, basename="contracts-progress")
router.register("evaluations", EvaluationViewSet, basename="contracts-evaluation")
router.register("tallies", QuarterlyTallyViewSet, basename="contracts-tally")
router.register("board", BoardViewSet, basename="contracts-board")
router.register("awards", AwardViewSet, basename="contracts-award")
# The contracts themselves live at the root of /api/v1/contracts/ (ids are digits, so no clash).
router.register("", ContractViewSet, basename="contract")

urlpatterns = router.urls
