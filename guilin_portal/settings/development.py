"""The embedded default: what manage.py, wsgi.py, asgi.py and celery.py use when nothing else is named.

With no variables set: a SQLite file beside the project (DATABASE_URL names another database),
Celery tasks run eagerly in-process (CELERY_BROKER_URL names a broker), DEBUG on, demo mode on,
no second factor, plain HTTP, runserver serving static files. Never for a server reachable by
others: production is `DJANGO_SETTINGS_MODULE=guilin_portal.settings.production`.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, env_list

# DJANGO_DEBUG used to switch production mode on. It no longer does: refuse it rather than run
# a server that meant to be in production on these settings (demo mode, a public secret key).
if not env_bool("DJANGO_DEBUG", True):
    raise ImproperlyConfigured(
        "DJANGO_DEBUG=false no longer selects production. "
        "Set DJANGO_SETTINGS_MODULE=guilin_portal.settings.production instead (and unset DJANGO_DEBUG)."
    )
DEBUG = True

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "insecure-embedded-default-key-only-for-local-demo"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

# Demo mode prints and accepts the fixed demo accounts (`seed_demo`).
DEMO_MODE = env_bool("PORTAL_DEMO_MODE", True)
PORTAL_REQUIRE_2FA = env_bool("PORTAL_REQUIRE_2FA", False)
