from django.urls import path

from . import views

app_name = "grids"

urlpatterns = [
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
]
