"""Production: `DJANGO_SETTINGS_MODULE=guilin_portal.settings.production`, named explicitly on every process.

Refuses to start without DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS. DEBUG is off whatever
DJANGO_DEBUG says (it is not read here). Secure cookies, HSTS, the SSL redirect, WhiteNoise
serving the collected static files and two-factor authentication for staff are on by default;
`manage.py check --deploy --fail-level WARNING` passes (HSTS preload is left to the domain owner).
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import MIDDLEWARE, STORAGES, env_bool, env_list

DEBUG = False

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set with DJANGO_SETTINGS_MODULE=guilin_portal.settings.production. "
        "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS must be set with DJANGO_SETTINGS_MODULE=guilin_portal.settings.production, "
        "e.g. DJANGO_ALLOWED_HOSTS=portal.example.gov.cn"
    )

# seed_demo refuses to run here (grids/management/commands/seed_demo.py).
PORTAL_ENVIRONMENT = "production"
# Uploads (residents' photos, evidence) live outside the code checkout, beside the database's
# backups rather than the code's (ops/backup.sh takes both together).
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", "/var/lib/guilin-portal/uploads"))

# Demo mode prints and accepts the fixed demo accounts: off unless a demo server asks for it.
DEMO_MODE = env_bool("PORTAL_DEMO_MODE", False)
# A logged issue is sent for routing by the relay (ops/systemd/guilin-issues-relay.service), not by gunicorn:
# the web process never talks to the broker on the way (README, "Creation (item 3)").
ISSUE_ROUTING_RELAY = env_bool("ISSUE_ROUTING_RELAY", True)
# Staff and administrators confirm a TOTP code after the password (guilin_portal/security.py).
PORTAL_REQUIRE_2FA = env_bool("PORTAL_REQUIRE_2FA", True)

# Static files: collected (`collectstatic`), hashed, compressed, served by WhiteNoise.
MIDDLEWARE = [*MIDDLEWARE]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}

# HTTPS only. X-Forwarded-Proto is trusted only because the documented proxy (ops/nginx/) overwrites
# it on every request; with gunicorn reachable in any other way set PORTAL_TRUST_X_FORWARDED_PROTO=false.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("PORTAL_TRUST_X_FORWARDED_PROTO", True) else None
)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
# Probes call gunicorn directly over HTTP on the host: no redirect for them.
SECURE_REDIRECT_EXEMPT = [r"^healthz(/|$)"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SILENCED_SYSTEM_CHECKS = ["security.W021"]  # HSTS preload is the domain owner's choice
