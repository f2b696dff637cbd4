#!/usr/bin/env bash
# .ci/run's reverse-proxy step: ops/nginx/guilin-portal.conf (ports and paths rewritten) with a
# self-signed certificate in front of gunicorn (ops/gunicorn.conf.py, production settings) on a
# seeded PostgreSQL database; ops/proxy_check.py then logs an issue through it over HTTPS.
#
#   ops/proxy_ci.sh DATABASE_URL [HTTPS_PORT] [HTTP_PORT] [GUNICORN_PORT]
#
# Needs nginx and openssl (.ci/run installs nginx from Debian when missing). Stops what it started.
set -euo pipefail
db_url=${1:?seeded database URL}
https_port=${2:-18443}
http_port=${3:-18080}
app_port=${4:-18000}
repo=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-$repo/.venv/bin/python}
work=$(mktemp -d)
chmod 755 "$work"  # nginx's workers (user nobody) read the collected static files under it
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ "${KEEP:-0}" = 1 ] && echo "kept: $work" || rm -rf "$work"
}
trap cleanup EXIT

# Production settings, as on a server; 2FA off for the demo grid worker the check logs in as.
export DJANGO_SETTINGS_MODULE=guilin_portal.settings.production
export DJANGO_SECRET_KEY="ci-proxy-$("$python" -c 'import secrets; print(secrets.token_urlsafe(40))')"
export DJANGO_ALLOWED_HOSTS=localhost
export DJANGO_CSRF_TRUSTED_ORIGINS="https://localhost:$https_port"
export DATABASE_URL=$db_url
export DJANGO_STATIC_ROOT="$work/static"
export DJANGO_MEDIA_ROOT="$work/uploads"
export PORTAL_REQUIRE_2FA=false
# Production runs with PORTAL_PROXY_COUNT=1. Here 2, to observe strictly: the portal would then take a
# hop the client forged for the client if nginx let it through or appended to it (ops/proxy_check.py).
export PORTAL_PROXY_COUNT=2
export PORTAL_TRUST_X_FORWARDED_PROTO=true
unset CELERY_BROKER_URL DATABASE_REPLICA_URL

(cd "$repo" && "$python" manage.py collectstatic --no-input -v 0)
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
  -keyout "$work/privkey.pem" -out "$work/fullchain.pem" 2>/dev/null

# The production file, with this run's ports and paths.
mkdir -p "$work/nginx/logs"
sed -e "s#listen 80;#listen $http_port;#; s#listen \[::\]:80;#listen [::1]:$http_port;#" \
  -e "s#listen 443 ssl http2;#listen $https_port ssl http2;#; s#listen \[::\]:443 ssl http2;#listen [::1]:$https_port ssl http2;#" \
  -e "s#server_name portal.example.gov.cn;#server_name localhost;#" \
  -e "s#server 127.0.0.1:8000#server 127.0.0.1:$app_port#" \
  -e "s#/etc/ssl/guilin-portal/#$work/#" \
  -e "s#/srv/guilin-portal/staticfiles/#$work/static/#" \
  -e "s#/var/log/nginx/#$work/nginx/logs/#" \
  "${NGINX_CONF:-$repo/ops/nginx/guilin-portal.conf}" >"$work/nginx/site.conf"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    access_log $work/nginx/logs/access.log;
    include $work/nginx/site.conf;
}
CONF
nginx -t -p "$work/nginx" -c "$work/nginx/nginx.conf"

(cd "$repo" && GUNICORN_BIND="127.0.0.1:$app_port" GUNICORN_WORKERS=2 \
  exec "$python" -m gunicorn -c ops/gunicorn.conf.py guilin_portal.wsgi) >"$work/gunicorn.log" 2>&1 &
pids+=($!)
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g "daemon off;" &
pids+=($!)
for _ in $(seq 1 60); do
  curl -skf -o /dev/null -H "Host: localhost" "https://127.0.0.1:$https_port/healthz/live" && break
  sleep 1
done

if ! (cd "$repo" && "$python" ops/proxy_check.py "$https_port" "$http_port"); then
  echo "--- gunicorn log (tail)"; tail -n 40 "$work/gunicorn.log"
  echo "--- nginx error log (tail)"; tail -n 20 "$work/nginx/logs/error.log" || true
  exit 1
fi
# gunicorn's lines are JSON too (the access line of the check's requests among them).
if grep -v '^{' "$work/gunicorn.log" | grep -q .; then
  echo "PROXY CHECK FAILED: gunicorn wrote lines that are not JSON:"; grep -v '^{' "$work/gunicorn.log" | head
  exit 1
fi
echo "gunicorn log: $(grep -c '"gunicorn.access"' "$work/gunicorn.log") JSON access lines"
