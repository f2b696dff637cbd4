from django.http import HttpRequest


def header(request: HttpRequest) -> dict:
    """Values the page header shows on every page (filled by the resident-issue work: unread notifications)."""
    return {}
