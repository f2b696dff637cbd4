"""The reverse proxy, checked end to end: run by .ci/run (ops/proxy_ci.sh) against nginx with a
self-signed certificate in front of gunicorn.

    DATABASE_URL=... python ops/proxy_check.py HTTPS_PORT HTTP_PORT

- plain HTTP answers only a redirect to HTTPS;
- a grid worker logs in and logs an issue through HTTPS (CSRF, secure cookies, the SSL redirect
  and X-Forwarded-Proto all in play), the issue is in the database;
- the client forges X-Forwarded-For: the portal records the real address (nginx overwrote it);
- static files come from nginx; an oversized upload is refused by nginx (413) before gunicorn.
Exits non-zero with a message on the first failure.
"""

import http.client
import json
import os
import re
import socket
import ssl
import sys
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guilin_portal.settings.development")

import django  # noqa: E402

django.setup()

from axes.models import AccessAttempt, AccessLog  # noqa: E402
from django.urls import reverse  # noqa: E402

from grids.models import User  # noqa: E402
from grids.viewer import Viewer  # noqa: E402
from issues import selectors  # noqa: E402
from issues.models import Issue, IssueCategory  # noqa: E402

# Two hops the client writes itself. gunicorn runs with PORTAL_PROXY_COUNT=2 here (ops/proxy_ci.sh), a
# strict observer: any client-written hop that reached it (passed through or appended to) would be read
# as the client; only a header that nginx replaced leaves the portal with nginx's own address.
FORGED_HOPS = ("198.51.100.7", "203.0.113.66")
FORGED = ", ".join(FORGED_HOPS)
https_port, http_port = int(sys.argv[1]), int(sys.argv[2])
HOST = "localhost"
TLS = ssl._create_unverified_context()  # self-signed in CI; production uses a real certificate


def fail(message: str) -> None:
    print(f"PROXY CHECK FAILED: {message}")
    sys.exit(1)


class Browser:
    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        connection = http.client.HTTPSConnection("127.0.0.1", https_port, context=TLS, timeout=30)
        sent = {"Host": f"{HOST}:{https_port}", "Origin": f"https://{HOST}:{https_port}"} | (headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=data, headers=sent)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            if "Secure" not in header:
                fail(f"cookie without Secure over HTTPS: {header.split(';')[0].split('=')[0]}")
            cookie = SimpleCookie(header)
            self.cookies |= {name: morsel.value for name, morsel in cookie.items()}
        return response, text

    def csrf(self, html: str) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if not match:
            fail("no CSRF token on the page")
        return match.group(1)


# 1. Plain HTTP only redirects.
plain = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
plain.request("GET", "/accounts/login/", headers={"Host": HOST})
answer = plain.getresponse()
if answer.status != 301 or not answer.getheader("Location", "").startswith(f"https://{HOST}"):
    fail(f"HTTP should redirect to HTTPS, got {answer.status} {answer.getheader('Location')}")
print("ok: HTTP redirects to HTTPS")

# 2. Log in through HTTPS with a forged X-Forwarded-For.
browser = Browser()
response, page = browser.request("GET", reverse("login"))
if response.status != 200:
    fail(f"log-in page over HTTPS: {response.status}")
attempts_before = AccessLog.objects.count()
response, page = browser.request(
    "POST",
    reverse("login"),
    {
        "username": "xiufeng_worker",
        "password": os.environ.get("PROXY_CHECK_PASSWORD", "Guilin-demo-2026"),
        "csrfmiddlewaretoken": browser.csrf(page),
    },
    headers={"X-Forwarded-For": FORGED, "X-Forwarded-Proto": "http"},
)
if response.status != 302:
    fail(f"log-in over HTTPS answered {response.status}")
print("ok: logged in over HTTPS (CSRF and secure cookies)")
entry = AccessLog.objects.filter(username="xiufeng_worker").order_by("-attempt_time").first()
if entry is None or AccessLog.objects.count() <= attempts_before:
    fail("the log-in left no access log entry")
if entry.ip_address in FORGED_HOPS or entry.ip_address != "127.0.0.1":
    fail(f"the portal recorded {entry.ip_address!r} as the client: the forged X-Forwarded-For was not replaced")
print(f"ok: forged X-Forwarded-For {FORGED} replaced, the portal saw {entry.ip_address}")

# 3. Log an issue.
worker = Viewer.for_user(User.objects.get(username="xiufeng_worker"))
response, page = browser.request("GET", reverse("issues:issue_create"))
if response.status != 200:
    fail(f"the issue form over HTTPS answered {response.status}")
description = f"代理检查 {uuid.uuid4().hex[:8]}：路灯不亮。"
response, _ = browser.request(
    "POST",
    reverse("issues:issue_create"),
    {
        "csrfmiddlewaretoken": browser.csrf(page),
        "client_key": str(uuid.uuid4()),
        "unit": selectors.default_log_unit(viewer=worker).pk,
        "category": IssueCategory.objects.get(code="opinion-property").pk,
        "description": description,
        "resident_phone": "13907739876",
        "priority": "1",
    },
    headers={"X-Forwarded-For": FORGED},
)
if response.status != 302:
    fail(f"logging an issue over HTTPS answered {response.status}")
if not Issue.objects.filter(description=description).exists():
    fail("the issue logged over HTTPS is not in the database")
print("ok: an issue logged through the proxy over HTTPS")

# 4. A failed log-in with a forged address is throttled by the real one.
browser2 = Browser()
response, page = browser2.request("GET", reverse("login"))
browser2.request(
    "POST",
    reverse("login"),
    {"username": "xiufeng_worker", "password": "wrong-password", "csrfmiddlewaretoken": browser2.csrf(page)},
    headers={"X-Forwarded-For": FORGED},
)
if AccessAttempt.objects.filter(ip_address__in=FORGED_HOPS).exists():
    fail("a failed log-in was recorded under the forged address")
print("ok: failed log-ins are counted against the real address")

# 5. Static files from nginx, oversized bodies refused by nginx.
manifest = Path(os.environ["DJANGO_STATIC_ROOT"]) / "staticfiles.json"
static_path = "/static/" + next(iter(json.loads(manifest.read_text())["paths"].values()))
response, _ = Browser().request("GET", static_path)
if response.status != 200 or "immutable" not in (response.getheader("Cache-Control") or ""):
    fail(f"static file {static_path} via nginx: {response.status} {response.getheader('Cache-Control')}")
print("ok: static files served by nginx")
raw = ssl._create_unverified_context().wrap_socket(
    socket.create_connection(("127.0.0.1", https_port), timeout=10), server_hostname=HOST
)
raw.sendall(
    f"POST {reverse('issues:issue_create')} HTTP/1.1\r\nHost: {HOST}\r\nContent-Length: {100 * 1024 * 1024}\r\n"
    "Content-Type: multipart/form-data; boundary=x\r\n\r\n".encode()
)
status_line = raw.recv(200).decode("latin-1").split("\r\n", 1)[0]
raw.close()
if " 413 " not in status_line:
    fail(f"a 100 MB upload should be refused by nginx with 413, got {status_line!r}")
print("ok: a 100 MB upload is refused by nginx (413)")
print(f"proxy check passed ({urlsplit(f'https://{HOST}:{https_port}').netloc})")
