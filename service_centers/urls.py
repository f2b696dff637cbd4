"""Pages under /service-points/: the public directory first, staff pages under staff/."""

from django.urls import path

from .views import public, staff

app_name = "service_centers"

urlpatterns = [
    path("", public.directory, name="directory"),
    path("<int:pk>/", public.point_public, name="point_public"),
    path("staff/", staff.staff_home, name="staff_home"),
    path("staff/units/<int:unit_pk>/", staff.network, name="network"),
    path("staff/units/<int:unit_pk>/points/", staff.point_list, name="point_list"),
    path("staff/units/<int:unit_pk>/compliance/", staff.compliance, name="compliance"),
    path("staff/units/<int:unit_pk>/ratings/", staff.ratings, name="ratings"),
    path("staff/compounds/<int:unit_pk>/rate/", staff.compound_rate, name="compound_rate"),
    path("staff/points/<int:pk>/", staff.point_detail, name="point_detail"),
    path("staff/points/<int:pk>/log/", staff.red_station_log, name="red_station_log"),
    path("staff/points/<int:pk>/log/<int:entry_pk>/undo/", staff.red_station_undo, name="red_station_undo"),
    path("staff/points/<int:pk>/meetings/new/", staff.meeting_create, name="meeting_create"),
    path("staff/points/<int:pk>/activities/new/", staff.activity_create, name="activity_create"),
    path("staff/points/<int:pk>/rate/", staff.point_rate, name="point_rate"),
]
