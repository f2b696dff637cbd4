from django.urls import path, re_path

from . import views

app_name = "party"

urlpatterns = [
    path("", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/members/", views.member_add, name="member_add"),
    path("organisations/<int:pk>/members/<int:member_pk>/remove/", views.member_remove, name="member_remove"),
    path("organisations/<int:pk>/meetings/new/", views.meeting_create, name="meeting_create"),
    re_path(r"^organisations/(?P<pk>[0-9]+)/(?P<kind>brand|post|team)/new/$", views.owned_create, name="owned_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meeting-photos/<int:pk>/", views.meeting_photo, name="meeting_photo"),
    path("overdue/", views.overdue_list, name="overdue_list"),
    path("timeliness/", views.timeliness_page, name="timeliness"),
    path("brand-photos/<int:pk>/", views.brand_photo, name="brand_photo"),
    path("public/brands/", views.public_brands, name="public_brands"),
    path("public/brand-photos/<int:pk>/", views.public_brand_photo, name="public_brand_photo"),
    re_path(r"^(?P<kind>brand|post|team)s/$", views.owned_list, name="owned_list"),
    re_path(r"^(?P<kind>brand|post|team)s/(?P<pk>[0-9]+)/$", views.owned_detail, name="owned_detail"),
    re_path(r"^(?P<kind>brand|post|team)s/(?P<pk>[0-9]+)/edit/$", views.owned_edit, name="owned_edit"),
]
