from django.urls import path

from . import pwa, views

app_name = "workbench"

urlpatterns = [
    path("", views.home, name="home"),
    # The installable field app (workbench/pwa.py): the worker must sit at the root for a site-wide scope.
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("app/session/", pwa.app_session, name="app_session"),
    path("app/queue/", pwa.app_queue, name="app_queue"),
    path("app/offline/", pwa.app_offline, name="app_offline"),
]
