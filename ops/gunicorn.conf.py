"""gunicorn's configuration: `gunicorn -c ops/gunicorn.conf.py guilin_portal.wsgi` (ops/systemd/guilin-web.service).

Error and access logs are one JSON object a line on stderr (journald), written by
guilin_portal.observability.GunicornLogger: time with +08:00, level, logger, request id;
access lines carry method, path (no query string, token-like segments masked), status,
duration and the user's id. Every value can be overridden with a GUNICORN_* variable.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
# Sync workers: a slow request holds one; the proxy's timeouts (ops/nginx/) are a little longer.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(
    os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30")
)  # `systemctl reload`: finish in-flight requests
keepalive = 5
# Recycle workers now and then (memory), staggered so they never all restart at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Only the local proxy may say which scheme the client used (X-Forwarded-Proto); see the README.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips

logger_class = "guilin_portal.observability.GunicornLogger"
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
capture_output = False
# gunicorn 25+'s control socket lives in $HOME, which the unit keeps read-only (ProtectHome): unused, off.
control_socket_disable = True
