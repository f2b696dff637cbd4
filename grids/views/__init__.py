"""Pages of the grids app: tree.py (home, units), issues.py (resident issues), notifications.py, exports.py."""

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
    task_complete,
)
from .notifications import notification_list, notification_open, notifications_read_all
from .tree import home, unit_detail

__all__ = [
    "extension_decide",
    "home",
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
    "task_complete",
    "unit_detail",
]
