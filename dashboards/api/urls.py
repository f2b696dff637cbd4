from django.urls import path

from . import party, views

urlpatterns = [
    path("overview/", views.OverviewView.as_view(), name="stats_overview"),
    path("issues/", views.IssuesView.as_view(), name="stats_issues"),
    path("volunteers/", views.VolunteersView.as_view(), name="stats_volunteers"),
    path("service-points/", views.ServicePointsView.as_view(), name="stats_service_points"),
    path("contracts/", views.ContractsView.as_view(), name="stats_contracts"),
    path("party/", party.PartyView.as_view(), name="stats_party"),
]
