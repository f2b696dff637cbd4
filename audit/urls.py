from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.history_list, name="home"),
    path("<slug:kind>/", views.history_list, name="list"),
    path("<slug:kind>/<int:pk>/", views.object_history, name="object"),
]
