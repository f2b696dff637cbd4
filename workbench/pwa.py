"""The installable field app (PWA): its manifest, its service worker, the session probe and the queue page.

The service worker is a file of ours (static/js/offline/sw.js) served from the site root so that its
scope is the whole site; this view puts in front of it the list of files of the app shell (their
URLs as `static()` gives them, hashed in production) and a version made of their contents, so each
deploy that changes the shell installs a new worker with new caches (README "Field app").
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from guilin_portal.uploads import MAX_IMAGE_PIXELS, MAX_UPLOAD_BYTES
from issues.models import Issue

SW_SOURCE = "js/offline/sw.js"
# The app shell: what every field page needs to open with no network (pages are cached per user, see sw.js).
SHELL = (
    "css/portal.css",
    "css/offline.css",
    "js/nav.js",
    "js/tables.js",
    "img/favicon.svg",
    "issues/issues.css",
    "issues/issues.js",
    "vendor/idb-8.0.4/umd.js",
    "js/offline/queue.js",
    "js/offline/app.js",
    "pwa/icon-192.png",
    "pwa/icon-512.png",
    "pwa/icon-maskable-512.png",
    "pwa/apple-touch-icon.png",
)
THEME_COLOUR = "#c8161d"
# The longest edge a photo is brought down to on the phone before it is queued or sent: a readable
# photo of a problem at a fraction of the 10 MB the portal accepts (guilin_portal/uploads.py).
PHOTO_LONG_EDGE = 2560


def _read(path: str) -> bytes:
    found = finders.find(path)
    if found:
        with open(found, "rb") as handle:
            return handle.read()
    with staticfiles_storage.open(path) as handle:
        return handle.read()


@lru_cache(maxsize=1)
def _worker_script() -> tuple[str, str]:
    """(version, script): the version is a hash of the worker and of every shell file's content and URL."""
    digest = hashlib.sha256()
    source = _read(SW_SOURCE)
    digest.update(source)
    shell = [static(path) for path in SHELL]
    for path, url in zip(SHELL, shell, strict=True):
        digest.update(url.encode())
        digest.update(_read(path))
    version = digest.hexdigest()[:12]
    config = {
        "version": version,
        "shell": shell,
        "offline": reverse("workbench:app_offline"),
        "session": reverse("workbench:app_session"),
        "idb": static("vendor/idb-8.0.4/umd.js"),
        "queue": static("js/offline/queue.js"),
    }
    script = f"self.PORTAL_SW = {json.dumps(config)};\n" + source.decode()
    return version, script


def shell_version() -> str:
    return _worker_script()[0]


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """/sw.js: the worker, from the root so its scope is the whole site; never cached by HTTP, so an
    update is seen on the next navigation (the browser compares the bytes)."""
    _version, script = _worker_script()
    response = HttpResponse(script, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache, max-age=0"
    return response


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: installs the field app, opening at the workbench."""
    data = {
        "id": "/",
        "name": _("桂林网格党建"),
        "short_name": _("网格党建"),
        "description": _("网格员现场登记居民问题，没有信号也能先存在手机上，来网后自动发送。"),
        "lang": "zh-CN",
        "start_url": reverse("workbench:home") + "?source=pwa",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [
            {"src": static("pwa/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("pwa/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {
                "src": static("pwa/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
        "shortcuts": [
            {"name": _("登记问题"), "url": reverse("issues:issue_create")},
            {"name": _("待发送"), "url": reverse("workbench:app_queue")},
        ],
    }
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/manifest+json; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache, max-age=0"
    return response


@require_GET
@never_cache
def app_session(request: HttpRequest) -> JsonResponse:
    """Who is logged in and a fresh CSRF token: the queue sends only a user's own items, under that user."""
    user = request.user
    return JsonResponse(
        {
            "user": user.pk if user.is_authenticated else None,
            "csrf": get_token(request),
            "version": shell_version(),
            "limits": {
                "max_bytes": MAX_UPLOAD_BYTES,
                "max_pixels": MAX_IMAGE_PIXELS,
                "max_photos": Issue.MAX_PHOTOS,
                "long_edge": PHOTO_LONG_EDGE,
            },
        }
    )


@login_required
@require_GET
def app_queue(request: HttpRequest) -> HttpResponse:
    """待发送: what this phone holds for the logged-in worker (filled from IndexedDB by app.js)."""
    return render(request, "workbench/app_queue.html")


@require_GET
def app_offline(request: HttpRequest) -> HttpResponse:
    """The page the worker sees for a page never opened online on this phone. Kept in the app shell for
    every user of the phone, so it is rendered as for a visitor: no name, no role links."""
    return render(
        request, "workbench/app_offline.html", {"user": AnonymousUser(), "nav": {}, "unread_notifications": 0}
    )
