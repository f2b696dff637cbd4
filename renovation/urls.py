"""Staff pages under /renovation/."""

from django.urls import path

from . import views

app_name = "renovation"

urlpatterns = [
    path("", views.home, name="home"),
    path("units/<int:unit_pk>/", views.project_list, name="project_list"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/progress/", views.project_progress, name="project_progress"),
    path("projects/<int:pk>/photos/", views.photo_add, name="photo_add"),
    path("photos/<int:pk>/", views.photo_file, name="photo_file"),
]
