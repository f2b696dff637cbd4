"""Settings and URLs of the server `issues_api.py` benchmarks: the portal's own, plus the ceiling.

The ceiling is a bare Django view that does one INSERT and nothing else (no
DRF, no authentication, no validation), served by the same gunicorn, through
the same middleware, into the same database. It lives here, never in the
product's URLs. Run as DJANGO_SETTINGS_MODULE=issues_api_site with bench/ on
the Python path: on the production settings with BENCH_SITE_PRODUCTION=1 (gunicorn),
else on the development ones (the routing workers).
"""

import os

if os.environ.get("BENCH_SITE_PRODUCTION") == "1":
    from guilin_portal.settings.production import *  # noqa: F403
else:
    from guilin_portal.settings.development import *  # noqa: F403

ROOT_URLCONF = "issues_api_site"

# The routing figures are also measured with another CELERY_DB_REUSE_MAX than the product's
# (0: Celery's default, a new database connection per task).
if os.environ.get("BENCH_DB_REUSE_MAX"):
    CELERY_DB_REUSE_MAX = int(os.environ["BENCH_DB_REUSE_MAX"])


def bare_insert(request):
    """One INSERT of the request body, answered with its id."""
    from django.db import connection
    from django.http import JsonResponse

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_ping (at, body) VALUES (now(), %s) RETURNING id", [request.body[:2000].decode()]
        )
        (row_id,) = cursor.fetchone()
    return JsonResponse({"id": row_id}, status=201)


def __getattr__(name: str):
    # The URL patterns are built when Django first resolves a URL, after the apps are loaded.
    if name == "urlpatterns":
        from django.urls import include, path
        from django.views.decorators.csrf import csrf_exempt

        return [path("bench/bare-insert/", csrf_exempt(bare_insert)), path("", include("guilin_portal.urls"))]
    raise AttributeError(name)
