from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("new/", views.person_create, name="person_create"),
    path("<id:pk>/", views.person_detail, name="person_detail"),
    path("<id:pk>/posts/", views.post_add, name="post_add"),
    path("<id:pk>/link/", views.person_send_link, name="person_send_link"),
    path("<id:pk>/lock/", views.person_lock, name="person_lock"),
    path("posts/<id:pk>/move/", views.post_move, name="post_move"),
    path("posts/<id:pk>/retire/", views.post_retire, name="post_retire"),
    # Public: the one-time link a person opens to set their own password.
    path("activate/<str:token>/", views.activate, name="activate"),
]
