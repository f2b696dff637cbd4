from django.urls import path

from . import views

app_name = "command_centre"

urlpatterns = [
    path("command-centre/links/", views.link_list, name="link_list"),
    path("command-centre/links/<int:pk>/revoke/", views.link_revoke, name="link_revoke"),
    path("screen/<str:token>/", views.screen, name="screen"),
    path("screen/<str:token>/data.json", views.screen_data, name="screen_data"),
]
