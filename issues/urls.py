from django.urls import path

from . import views

app_name = "issues"

urlpatterns = [
    path("issues/new/", views.issue_create, name="issue_create"),
    path("issues/similar/", views.issue_similar, name="issue_similar"),
    path("issues/staged/<uuid:token>/", views.staged_photo, name="staged_photo"),
    path("issues/mine/", views.issue_mine, name="issue_mine"),
    path("issues/inbox/", views.issue_inbox, name="issue_inbox"),
    path("issues/inbox/assign/", views.issue_bulk_assign, name="issue_bulk_assign"),
    path("issues/supervision/", views.issue_supervision, name="issue_supervision"),
    path("issues/export.xlsx", views.issue_export, name="issue_export"),
    path("issues/<int:pk>/", views.issue_detail, name="issue_detail"),
    path("issues/<int:pk>/do/<slug:action>/", views.issue_action, name="issue_action"),
    path("issues/<int:pk>/photos/<int:photo_pk>/", views.issue_photo, name="issue_photo"),
    path("issue-tasks/<int:pk>/done/", views.task_complete, name="task_complete"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
    # Notifications
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
]
