from django.urls import path

from . import views

app_name = "grids"

urlpatterns = [
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    # What the maps read (grids.geography.maps; the shapes are in docs/integration.md, "Maps").
    path("grids/<int:pk>/map.geojson", views.unit_map, name="unit_map"),
    path("grids/locate/", views.locate, name="locate"),
]
