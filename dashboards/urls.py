from django.urls import path

from . import issue_map, views

app_name = "dashboards"

urlpatterns = [
    path("", views.home, name="home"),
    path("city/", views.city_overview, name="city"),
    path("units/<int:pk>/", views.unit_dashboard, name="unit"),
    path("units/<int:pk>/overview/", views.unit_overview_page, name="unit_overview"),
    path("units/<int:pk>/tables/<slug:name>.<slug:fmt>", views.table_export, name="table_export"),
    path("units/<int:pk>/issues/", views.unit_issues, name="issues"),
    path("units/<int:pk>/issues/export.xlsx", views.unit_issues_export, name="issues_export"),
    path("units/<int:pk>/issues/map.json", issue_map.unit_issue_points, name="issues_map_points"),
]
