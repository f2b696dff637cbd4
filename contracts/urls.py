from django.urls import path

from .views import awards, board, evaluation
from .views import contracts as views

app_name = "contracts"

urlpatterns = [
    path("", views.contract_list, name="contract_list"),
    path("new/", views.contract_create, name="contract_create"),
    path("<int:pk>/", views.contract_detail, name="contract_detail"),
    path("<int:pk>/demands/", views.demand_add, name="demand_add"),
    path("<int:pk>/resources/", views.resource_add, name="resource_add"),
    path("<int:pk>/commitments/new/", views.commitment_create, name="commitment_create"),
    path("<int:pk>/status/", views.contract_status, name="contract_status"),
    path(
        "<int:pk>/commitments/<int:commitment_pk>/progress/<int:year>/<int:quarter>/",
        views.progress_entry,
        name="progress_entry",
    ),
    path("<int:pk>/evaluation/", evaluation.evaluation_act, name="evaluation_act"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("evaluations/", evaluation.evaluation_inbox, name="evaluation_inbox"),
    path("units/", views.unit_list, name="unit_list"),
    path("tallies/", board.tally_overview, name="tally_overview"),
    path("tallies/publish/", board.board_publish, name="board_publish"),
    path("board/", board.board_index, name="board_index"),
    path("board/<int:community_pk>/", board.board_community, name="board_community"),
    path("board/<int:community_pk>/<int:year>/<int:quarter>/", board.board_quarter, name="board_quarter"),
    path("board/publications/<int:pk>/correct/", board.board_correct, name="board_correct"),
    path("awards/", awards.award_manage, name="award_manage"),
    path("awards/entries/", awards.award_entry_add, name="award_entry_add"),
    path("awards/entries/<int:pk>/remove/", awards.award_entry_remove, name="award_entry_remove"),
    path("awards/<int:pk>/publish/", awards.award_publish, name="award_publish"),
    path("awards/published/", awards.award_public, name="award_public"),
]
