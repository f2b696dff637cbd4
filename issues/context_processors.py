from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from issues.selectors import unread_notification_count


def header(request: HttpRequest) -> dict:
    """Values the page header shows on every page: the unread notification count.

    One COUNT query, run only when a template shows it; none for anonymous visitors.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    viewer = getattr(request, "viewer", None) or user
    return {"unread_notifications": SimpleLazyObject(lambda: unread_notification_count(viewer=viewer))}
