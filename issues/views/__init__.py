"""Pages of resident issues: issues.py (log, lists, detail, actions), notifications.py, exports.py."""

from .exports import issue_export
from .issues import (
    extension_decide,
    issue_action,
    issue_bulk_assign,
    issue_create,
    issue_detail,
    issue_inbox,
    issue_mine,
    issue_photo,
    issue_similar,
    issue_supervision,
    staged_photo,
    task_complete,
)
from .notifications import notification_list, notification_open, notifications_read_all

__all__ = [
    "extension_decide",
    "issue_action",
    "issue_bulk_assign",
    "issue_create",
    "issue_detail",
    "issue_export",
    "issue_inbox",
    "issue_mine",
    "issue_photo",
    "issue_similar",
    "issue_supervision",
    "notification_list",
    "notification_open",
    "notifications_read_all",
    "staged_photo",
    "task_complete",
]
