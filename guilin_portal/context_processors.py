from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict:
    """Values every page template may use."""
    return {"DEMO_MODE": settings.DEMO_MODE}
