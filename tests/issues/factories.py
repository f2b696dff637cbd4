"""Issues for tests, made through the services so tests exercise the same rules as the product."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from grids.models import GridUnit, User
from issues import selectors, services
from issues.models import Issue, IssueCategory


def category(code: str) -> IssueCategory:
    return IssueCategory.objects.get(code=code)


def log(reporter: User, *, code: str = "opinion-property", unit: GridUnit | None = None, **kwargs) -> Issue:
    """A logged issue, still waiting for routing (on-commit work does not run inside a test transaction)."""
    unit = unit or selectors.default_log_unit(viewer=reporter)
    kwargs.setdefault("description", "楼道灯坏了，晚上看不见。")
    issue, _created = services.issue_log(reporter=reporter, unit=unit, category=category(code), **kwargs)
    return issue


def log_routed(reporter: User, **kwargs) -> Issue:
    issue = log(reporter, **kwargs)
    services.issue_route(issue_id=issue.pk)
    return Issue.objects.select_related("unit", "category").get(pk=issue.pk)


def fresh(issue: Issue) -> Issue:
    return Issue.objects.select_related("unit", "category").get(pk=issue.pk)


def jpeg_with_gps(name: str = "photo.jpg", size=(64, 48)) -> SimpleUploadedFile:
    """A small JPEG whose EXIF holds a GPS position (which must not survive the upload)."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (25.0, 17.0, 0.0), 3: "E", 4: (110.0, 17.0, 0.0)}  # GPSInfo
    exif[0x010F] = "PhoneMaker"
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def executable_named_jpg() -> SimpleUploadedFile:
    content = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 2048
    return SimpleUploadedFile("holiday.jpg", content, content_type="image/jpeg")


def huge_jpg(megabytes: int = 20) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16)).save(buffer, format="JPEG")
    content = buffer.getvalue() + b"\x00" * (megabytes * 1024 * 1024)
    return SimpleUploadedFile("big.jpg", content, content_type="image/jpeg")


def session_client(user: User):
    """A test client logged in by writing its session directly.

    `Client.force_login()` fires the log-in signal with a bare request (no
    client address), which the security log and django-axes record; on
    PostgreSQL that address column is `inet` and refuses the placeholder. The
    worker and concurrency tests only need a logged-in session.
    """
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.test import Client

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client
