"""What every environment shares. Reads the environment; chooses nothing by DEBUG.

The environment itself is chosen by DJANGO_SETTINGS_MODULE, never by a variable
read here: `guilin_portal.settings.development` (the embedded default of
manage.py, wsgi.py, asgi.py and celery.py), `guilin_portal.settings.production`
(named explicitly on a server) or `guilin_portal.settings.test` (pytest). Each of
them starts with `from .base import *` and then sets what differs: DEBUG, the
secret key and allowed hosts, demo mode, two-factor authentication, static file
serving and the HTTPS settings.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.utils.translation import gettext_lazy as _

# guilin_portal/settings/base.py -> the project root, two folders up from this package.
BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# ---------------------------------------------------------------------------
# Core (DEBUG, SECRET_KEY, ALLOWED_HOSTS, DEMO_MODE: in each environment's module)
# ---------------------------------------------------------------------------
DEBUG = False
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the built-in widget templates, behind templates/django/forms/ (FORM_RENDERER)
    # Third party
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Ours: the spine first, then the domains that hang from it
    "guilin_portal",
    "grids",
    "issues",
    "volunteers",
    "service_centers",
    "contracts",
    "party",  # party organisations, 三会一课, brands and pioneer posts
    "dashboards",
    "open311",
    "audit",
    "people",
    "imports",
    "workbench",  # the home of every role and the header's links: reads every app below
    "command_centre",  # the wall screen (大屏) of a city or district, opened by a revocable link
    "renovation",  # urban-village and no-property compound renovation projects (改造提升)
]

# production.py adds WhiteNoise right after SecurityMiddleware (runserver serves static files in development).
MIDDLEWARE = [
    "guilin_portal.observability.RequestIdMiddleware",
    "guilin_portal.observability.AccessLogMiddleware",  # the user's id for gunicorn's access log
    "guilin_portal.metrics.MetricsMiddleware",
    "guilin_portal.errors_middleware.DatabaseUnavailableMiddleware",  # lost database: 503 + Retry-After
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "workbench.middleware.PortalNotFoundMiddleware",  # the portal's 404 page with DEBUG on too (inside CSP)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "grids.middleware.ViewerMiddleware",  # request.viewer: who is asking, with every role and where
    "django_otp.middleware.OTPMiddleware",
    "guilin_portal.security.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes last, so it sees the authenticated user and can lock out attackers.
    "axes.middleware.AxesMiddleware",
    "dashboards.api.auth.ApiCallLogMiddleware",
]

ROOT_URLCONF = "guilin_portal.urls"
WSGI_APPLICATION = "guilin_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "guilin_portal.context_processors.portal",
                "issues.context_processors.header",
                "workbench.context_processors.navigation",
            ],
        },
    },
]

# Form widgets are rendered by the engine above, so templates/django/forms/widgets/ overrides Django's own:
# select.html writes its options inline instead of an include per option (a list page's category filter
# has twenty: its widgets took a tenth of the page).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# ---------------------------------------------------------------------------
# Database: DATABASE_URL, else the SQLite file of the embedded default
# ---------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a seed or an eager task writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# Dashboards may read from a replica (guilin_portal/db_router.py); the rest uses the primary.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=True
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# The planner's price of a random page read, sent with each PostgreSQL connection (no statement of its
# own). The default 4 is a spinning disk's; on SSD with the hot tables in memory 1.1, the common
# setting, lets it probe an index per row where it would hash a district's 73,000 units (the
# dashboards at --scale 10: 17 % less time, a street's issue list 44 %; bench/run.py).
DATABASE_RANDOM_PAGE_COST = float(os.environ.get("DATABASE_RANDOM_PAGE_COST", "1.1"))
# JIT off: PostgreSQL compiles a statement to machine code once its estimated cost passes 100,000, as the
# dashboards' one-statement aggregates do at 1,000,000 issues, and the compiling took 47 ms of the city
# dashboard's 114 (the work itself 46). A portal's statements are short: compiling never pays back.
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _database.setdefault("OPTIONS", {})["options"] = f"-c random_page_cost={DATABASE_RANDOM_PAGE_COST} -c jit=off"
DATABASE_ROUTERS = ["guilin_portal.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------------------
# Authentication (PORTAL_REQUIRE_2FA: in each environment's module)
# ---------------------------------------------------------------------------
AUTH_USER_MODEL = "grids.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): five failures lock the user+IP pair for an hour.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Two-factor authentication for staff and administrators (guilin_portal/security.py): on unless an
# environment turns it off (development and test do; production reads PORTAL_REQUIRE_2FA, default on).
PORTAL_REQUIRE_2FA = True
# Which standings call for the second factor (needs_second_factor in guilin_portal/security.py): Django
# staff, staff posts, department members, team leaders and grid posts all see residents' full contacts.
PORTAL_SECOND_FACTOR_FOR = frozenset(
    env_list("PORTAL_SECOND_FACTOR_FOR", "admin,staff,departments,team_leaders,grid_posts")
)
PORTAL_STAFF_SESSION_SECONDS = int(os.environ.get("PORTAL_STAFF_SESSION_SECONDS", str(2 * 3600)))
OTP_TOTP_ISSUER = "桂林网格党建门户"
# Behind reverse proxies, set PORTAL_PROXY_COUNT to how many stand in front of
# gunicorn; the client address is then read from X-Forwarded-For (guilin_portal/security.py).
PORTAL_PROXY_COUNT = int(os.environ.get("PORTAL_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "guilin_portal.security.client_address"

# ---------------------------------------------------------------------------
# Internationalisation: Chinese first, English available
# ---------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# ---------------------------------------------------------------------------
# Cache: shared by every process (throttle counters) when CACHE_URL names Redis
# ---------------------------------------------------------------------------
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["CACHE_URL"]}
    if os.environ.get("CACHE_URL")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# ---------------------------------------------------------------------------
# Static files and uploads
# ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
# Uploads (issue photos, contract evidence) hold residents' data: they live
# outside static and are only ever served by views that check access.
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "var" / "uploads"))
MEDIA_URL = "/uploads/"  # never routed directly; see the protected download views
# production.py serves hashed, compressed names through WhiteNoise instead.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 70 * 1024 * 1024  # six photos of at most 10 MB each

# ---------------------------------------------------------------------------
# Celery
# ---------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
# No broker configured: tasks run eagerly, in-process (as Saleor does).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Dashboards: with no broker there is no beat either, so nothing refreshes the issue roll-up on a
# schedule; a dashboard read then brings it up to date first when an issue changed since (one indexed
# EXISTS when nothing did). With a broker, beat refreshes it (guilin_portal/schedules.py).
DASHBOARDS_REFRESH_ON_READ = env_bool("PORTAL_DASHBOARDS_REFRESH_ON_READ", CELERY_TASK_ALWAYS_EAGER)
# The command-centre screen asks for new figures this often (seconds); displays of one unit share a
# read for half of it.
COMMAND_CENTRE_REFRESH_SECONDS = int(os.environ.get("PORTAL_COMMAND_CENTRE_REFRESH_SECONDS", "30"))
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
# A task is acknowledged only after it finished; a worker killed mid-task gets
# its task redelivered. Tasks are idempotent, so a second run changes nothing.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redelivery after this many seconds without an ack: longer than our longest
# task (the quarterly tally at 100x scale takes minutes, not an hour).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
    # Fail fast when Redis is down, so a page never hangs on the broker.
    "max_retries": 1,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
# A worker keeps its database connection across tasks, as a web worker does across requests
# (Celery's default opens a new PostgreSQL connection for every task: half the routing rate).
# guilin_portal/celery.py gives each task what Django gives each request: a connection past
# CONN_MAX_AGE or broken by an error is dropped, and CONN_HEALTH_CHECKS pings it before reuse.
CELERY_DB_REUSE_MAX = int(os.environ.get("CELERY_DB_REUSE_MAX", "50"))
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ROUTES = {
    "issues.tasks.*": {"queue": "routing"},
    "contracts.tasks.*": {"queue": "tallies"},
}
CELERY_TASK_DEFAULT_QUEUE = "default"

# ---------------------------------------------------------------------------
# REST API
# ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "grids.api.authentication.ViewerSessionAuthentication",
        "grids.api.authentication.ViewerTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "guilin_portal.api.exception_handler",
    # Throttles key on the proxy-aware client address (guilin_portal/throttles.py); DRF's own get_ident
    # then trusts exactly as many X-Forwarded-For hops as that does.
    "NUM_PROXIES": PORTAL_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        # A district's daily BI refresh in one hour: 739 units x 40 calls = 29,560 (README, "Integrating").
        "stats_key": os.environ.get("PORTAL_STATS_KEY_RATE", "36000/hour"),
        "anon": "120/minute",
    },
}
SPECTACULAR_SETTINGS = {
    # Mock requests for the schema carry a Viewer, as every real request does.
    "GET_MOCK_REQUEST": "grids.api.schema.build_mock_request",
    "TITLE": "Guilin grid and party-service portal API",
    "DESCRIPTION": "Resident issues, volunteers, service points, co-building contracts and statistics. "
    "Every endpoint is scoped to the caller's jurisdiction.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Docs are served from the sidecar package: no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a field named kind, level or status with different choices: name each set
    # after its model so the components do not collide (`manage.py spectacular --validate --fail-on-warn`).
    "ENUM_NAME_OVERRIDES": {
        "ServicePointKindEnum": "service_centers.models.ServicePoint.Kind",
        "ServicePointLevelEnum": "service_centers.models.ServicePoint.Level",
        "PostRoleEnum": "grids.models.Post.Role",
        "ImportJobStatusEnum": "imports.models.ImportJob.Status",
    },
    # The error answers every operation can give, documented by rule in one place (guilin_portal/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "guilin_portal.schema.document_errors",
        # What client generators need (tests/integrators/): ASCII class names, one body per operation,
        # CSV and XML described as text, Open311's .json and .xml as paths of their own.
        "guilin_portal.schema.ascii_names",
        "guilin_portal.schema.one_body_per_operation",
        "guilin_portal.schema.text_answers",
        "open311.schema.explicit_formats",
    ],
}

# ---------------------------------------------------------------------------
# Security shared by every environment (HTTPS-only settings: production.py)
# ---------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("PORTAL_SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy: no inline script anywhere, everything from our own origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],  # blob: the log form's thumbnails of chosen photos
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# ---------------------------------------------------------------------------
# Operations: health, metrics, logs
# ---------------------------------------------------------------------------
# /metrics answers only `Authorization: Bearer <token>`; unset = endpoint off.
PORTAL_METRICS_TOKEN = os.environ.get("PORTAL_METRICS_TOKEN", "")
# /healthz/ready: a worker must answer on each of these queues within the timeout; the verdict is
# shared for the cache seconds so probes cannot pile up (guilin_portal/health.py).
PORTAL_HEALTH_QUEUES = env_list("PORTAL_HEALTH_QUEUES", "routing,tallies,default")
PORTAL_HEALTH_TIMEOUT_SECONDS = float(os.environ.get("PORTAL_HEALTH_TIMEOUT_SECONDS", "1.0"))
PORTAL_HEALTH_CACHE_SECONDS = float(os.environ.get("PORTAL_HEALTH_CACHE_SECONDS", "5"))
# One JSON object per log line, times with their offset, and the request id.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "guilin_portal.observability.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "guilin_portal.observability.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("PORTAL_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler (DEBUG only) would write plain text beside the JSON: none.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "portal.security": {"level": "INFO"},
    },
}

# ---------------------------------------------------------------------------
# Portal
# ---------------------------------------------------------------------------
# Demo mode prints and accepts the fixed demo accounts: off unless an environment turns it on.
DEMO_MODE = False
# "production" in production.py: seed_demo refuses to run there.
PORTAL_ENVIRONMENT = "development"
# How long an issue list may spend counting its matches (PostgreSQL statement timeout) before it shows
# the planner's estimate instead ("about N", count_exact false): issues/pagination.py.
ISSUE_LIST_COUNT_BUDGET_MS = int(os.environ.get("ISSUE_LIST_COUNT_BUDGET_MS", "10"))
# Seconds after which an issue still waiting for routing is sent again by the sweep.
ISSUE_ROUTING_RETRY_SECONDS = int(os.environ.get("ISSUE_ROUTING_RETRY_SECONDS", "120"))
# The routing relay (`manage.py issues_relay`, PostgreSQL): a logged issue is sent for routing by the relay,
# woken by the commit's NOTIFY, not by the process that logged it (issues.services.routing.route_after_commit).
ISSUE_ROUTING_RELAY = env_bool("ISSUE_ROUTING_RELAY", False)
# Readiness (/healthz/ready, issues.health): with the relay, an issue waiting unsent longer than this is late.
ISSUE_ROUTING_RELAY_LATE_SECONDS = int(os.environ.get("ISSUE_ROUTING_RELAY_LATE_SECONDS", "60"))
# 督办: one urge 催办 per issue within this many hours (the handler is not nagged twice a day).
ISSUE_URGE_INTERVAL_HOURS = int(os.environ.get("ISSUE_URGE_INTERVAL_HOURS", "24"))
# A red-station tap can be undone by whoever logged it within this many seconds (a mistaken tap).
RED_STATION_UNDO_SECONDS = int(os.environ.get("RED_STATION_UNDO_SECONDS", "120"))
# 三会一课: secretaries are reminded this many days before a meeting of their organisation falls due.
PARTY_MEETING_REMINDER_DAYS = int(os.environ.get("PARTY_MEETING_REMINDER_DAYS", "7"))

# Maps (grids.geography; README, "Geography"). No tile URL: the maps draw boundaries and points as plain
# vectors, with no request leaving the portal (a fresh machine, the tests). With one, e.g. 天地图's WMTS
# with a key, `{s}`/`{x}`/`{y}`/`{z}` as Leaflet takes them; the attribution is shown on every map.
MAP_TILE_URL = os.environ.get("PORTAL_MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("PORTAL_MAP_TILE_ATTRIBUTION", "")
# The datum the tiles are drawn in: "wgs84" (天地图, OpenStreetMap) or "gcj02" (Amap/高德, Tencent).
# Stored points are always WGS-84; the server converts at serialisation time (grids.geography.crs).
MAP_COORDINATE_SYSTEM = os.environ.get("PORTAL_MAP_COORDINATE_SYSTEM", "wgs84").strip().lower() or "wgs84"


def _tile_source(url: str) -> str:
    """The CSP source of a tile URL template: its scheme and host, a `{s}` subdomain label as `*`."""
    parts = urlsplit(url)
    labels = parts.netloc.split(".")
    if "{" in labels[0]:
        labels[0] = "*"
    return f"{parts.scheme}://{'.'.join(labels)}"


# With tiles configured, their server's images are the one thing a map fetches from elsewhere.
if MAP_TILE_URL:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(_tile_source(MAP_TILE_URL))
