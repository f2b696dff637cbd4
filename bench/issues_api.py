"""Resident issues: creation through the API under gunicorn, and routing by a real Celery worker on Redis.

    .venv/bin/python bench/issues_api.py [--requests 1500] [--clients 8] [--workers 2] [--scale 0.05]

Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust) and Redis at
127.0.0.1:6379. Recreates the database `guilin_grids` (PORTAL_BENCH_DB to
change it), migrates it and seeds the demo city, then:

1. starts gunicorn (production settings, bench/issues_api_site.py: the
   portal's URLs plus a bare view doing one INSERT, the ceiling) on a free
   port and sends the same bounded number of POSTs to `POST /api/v1/issues/`
   (token auth, a fresh client_key each; routing sent to Redis by the relay,
   `manage.py issues_relay`, running beside it) and to the bare view, from concurrent clients: requests/s, p50 and
   p99, and the ratio to the ceiling;
2. queues issues with no worker consuming, starts a real Celery worker on the
   "routing" queue and times the drain: issues routed per second;
3. logs issues at a steady pace while the worker runs: commit-to-routed
   latency p50/p99 (commit stamped by an on-commit callback that runs before
   the send; routed = the worker's `routed_at`).

Steps 2 and 3 run with the product's settings (workers keep their database
connection across tasks, CELERY_DB_REUSE_MAX=50), then again with
CELERY_DB_REUSE_MAX=0, Celery's own default (--no-compare skips it): its
Django fix-up then closes the connection after every task, and each routing
pays a new PostgreSQL connection.

gunicorn and the worker are started here and stopped by their process ids.
One line per figure on stdout; the same lines go to bench/results/issues_api.txt.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from common import ROOT, percentile, pg_url, prepare_database, printer_to_list, setup_django

DB_NAME = os.environ.get("PORTAL_BENCH_DB", "guilin_grids")
DB_URL = pg_url(DB_NAME)
BROKER_URL = os.environ.get("PORTAL_BENCH_BROKER", "redis://127.0.0.1:6379/1")
# What this process and every process it starts run with (over os.environ).
DJANGO_ENV = {"DATABASE_URL": DB_URL, "CELERY_BROKER_URL": BROKER_URL, "PORTAL_LOG_LEVEL": "WARNING"}
RESULTS = ROOT / "bench" / "results"
LINES: list[str] = []
say = printer_to_list(LINES)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env() -> dict[str, str]:
    return os.environ | DJANGO_ENV | {"PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench'}"}


# ---------------------------------------------------------------------------
# 1. Creation through the API under gunicorn, beside the bare one-INSERT view
# ---------------------------------------------------------------------------
def production_site_env() -> dict[str, str]:
    """The server's environment: production settings (bench/issues_api_site.py) on the bench database."""
    return base_env() | {
        "DJANGO_SETTINGS_MODULE": "issues_api_site",
        "BENCH_SITE_PRODUCTION": "1",
        "DJANGO_SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_CONN_MAX_AGE": "60",
    }


def start_relay() -> subprocess.Popen:
    """The routing relay production runs beside gunicorn (ISSUE_ROUTING_RELAY): it sends what the
    server logs, on the same cores, so its work counts in the figure."""
    log = open(RESULTS / "issues_api_relay.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [sys.executable, "manage.py", "issues_relay"],
        cwd=ROOT,
        env=production_site_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    env = production_site_env()
    log = open(RESULTS / "issues_api_gunicorn.log", "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "guilin_portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--backlog",
            "256",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    import requests

    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log.name}")
            try:
                # Any answer below 500 (401: no credentials) means Django is serving.
                if requests.get(f"http://127.0.0.1:{port}/api/v1/issue-categories/", timeout=5).status_code < 500:
                    return process
            except requests.RequestException:
                pass
            time.sleep(0.2)
    except BaseException:
        stop(process)
        raise
    stop(process)
    raise RuntimeError("gunicorn did not answer within 30 s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def hammer(url: str, headers: dict, make_body, total: int, clients: int, expect: set[int]) -> tuple[float, list[float]]:
    """POST `total` requests from `clients` threads; wall time and per-request latencies (ms)."""
    import requests

    counter = iter(range(total))
    lock = threading.Lock()
    latencies: list[float] = []
    failures: list[str] = []

    def client() -> None:
        session = requests.Session()
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            body = make_body()
            started = time.perf_counter()
            response = session.post(url, data=body, headers=headers, timeout=30)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if response.status_code not in expect:
                    failures.append(f"{response.status_code} {response.text[:200]}")

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        for _ in range(clients):
            pool.submit(client)
    wall = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} unexpected responses, first: {failures[0]}")
    return wall, latencies


def bench_api(requests_count: int, clients: int, workers: int) -> None:
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from grids.models import User
    from issues import selectors
    from issues.models import IssueCategory

    worker = User.objects.get(username="xiufeng_worker")
    token, _created = Token.objects.get_or_create(user=worker)
    unit = selectors.default_log_unit(viewer=worker)
    category = IssueCategory.objects.get(code="opinion-property")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_ping (id bigserial PRIMARY KEY, at timestamptz, body text)")
    connection.close()

    def issue_body() -> str:
        return json.dumps(
            {
                "unit": unit.pk,
                "category": category.pk,
                "description": "楼道灯坏了，晚上出行不便。",
                "location_text": "3栋2单元",
                "resident_name": "李秀英",
                "resident_phone": "13907731234",
                "client_key": str(uuid.uuid4()),
            }
        )

    port = free_port()
    relay = start_relay()
    server = start_gunicorn(port, workers)
    try:
        base = f"http://127.0.0.1:{port}"
        api_headers = {"Authorization": f"Token {token.key}", "Content-Type": "application/json"}
        bare_headers = {"Content-Type": "application/json"}
        warm = max(50, requests_count // 10)
        hammer(f"{base}/api/v1/issues/", api_headers, issue_body, warm, clients, {201})
        hammer(f"{base}/bench/bare-insert/", bare_headers, issue_body, warm, clients, {201})
        # Alternate the two so drift on this machine hits both alike.
        api_runs, bare_runs = [], []
        for _round in range(2):
            api_runs.append(
                hammer(f"{base}/api/v1/issues/", api_headers, issue_body, requests_count // 2, clients, {201})
            )
            bare_runs.append(
                hammer(f"{base}/bench/bare-insert/", bare_headers, issue_body, requests_count // 2, clients, {201})
            )
    finally:
        stop(server)
        stop(relay)

    def summary(runs):
        wall = sum(w for w, _l in runs)
        latencies = [x for _w, lat in runs for x in lat]
        return len(latencies) / wall, statistics.median(latencies), percentile(latencies, 0.99)

    api = summary(api_runs)
    bare = summary(bare_runs)
    shape = f"gunicorn {workers} sync workers, {clients} clients, {requests_count} requests, PostgreSQL"
    say(f"POST /api/v1/issues/ ({shape}): {api[0]:.0f} req/s, p50 {api[1]:.1f} ms, p99 {api[2]:.1f} ms")
    say(f"bare one-INSERT view, ceiling ({shape}): {bare[0]:.0f} req/s, p50 {bare[1]:.1f} ms, p99 {bare[2]:.1f} ms")
    say(f"issue creation / ceiling: {api[0] / bare[0]:.2f} of the bare view's throughput")


# ---------------------------------------------------------------------------
# 2 and 3. Routing by a real worker on Redis
# ---------------------------------------------------------------------------
def start_worker(concurrency: int, reuse_db: int | None = None) -> tuple[subprocess.Popen, str]:
    from guilin_portal.celery import app

    hostname = f"bench-issues-{os.getpid()}@localhost"
    log = open(RESULTS / "issues_api_worker.log", "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "guilin_portal",
            "worker",
            "-Q",
            "routing",
            "--concurrency",
            str(concurrency),
            "--hostname",
            hostname,
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=base_env()
        | (
            {"DJANGO_SETTINGS_MODULE": "issues_api_site", "BENCH_DB_REUSE_MAX": str(reuse_db)}
            if reuse_db is not None
            else {}
        ),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the worker exited with {process.returncode}; see {log.name}")
            if app.control.ping(destination=[hostname], timeout=1):
                return process, hostname
    except BaseException:
        stop(process)
        raise
    stop(process)
    raise RuntimeError("the worker did not answer a ping within 60 s")


def log_issues(count: int, pace: float | None = None) -> dict[int, float]:
    """Log `count` issues in this process; returns issue id -> commit time (epoch seconds)."""
    from django.db import transaction

    from grids.models import User
    from issues import selectors, services
    from issues.models import IssueCategory

    worker = User.objects.get(username="xiufeng_worker")
    unit = selectors.default_log_unit(viewer=worker)
    category = IssueCategory.objects.get(code="opinion-property")
    stamps: dict[int, float] = {}
    for n in range(count):
        slot = time.perf_counter()
        holder: dict[str, float] = {}
        with transaction.atomic():
            # Registered before issue_log's own callback, so it runs first: the moment of COMMIT.
            transaction.on_commit(lambda h=holder: h.__setitem__("t", time.time()))
            issue, _created = services.issue_log(
                reporter=worker, unit=unit, category=category, description=f"基准测试问题 {n}", client_key=uuid.uuid4()
            )
        stamps[issue.pk] = holder["t"]
        if pace:
            time.sleep(max(0.0, 1 / pace - (time.perf_counter() - slot)))
    return stamps


def wait_routed(ids: list[int], seconds: float = 300) -> dict[int, datetime]:
    from issues.models import Issue

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        rows = dict(Issue.objects.filter(pk__in=ids, routed_at__isnull=False).values_list("pk", "routed_at"))
        if len(rows) == len(ids):
            return rows
        time.sleep(0.2)
    raise RuntimeError(f"only {len(rows)} of {len(ids)} issues were routed within {seconds} s")


def bench_routing(queued: int, paced: int, pace: float, concurrency: int, reuse_db: int | None = None) -> None:
    from guilin_portal.celery import app

    setting = f", CELERY_DB_REUSE_MAX={reuse_db}" if reuse_db is not None else ", product settings"
    app.control.purge()  # whatever an earlier phase queued has no worker to wait for
    # Throughput: queue issues with no worker consuming, then let one drain them.
    stamps = log_issues(queued)
    process, _hostname = start_worker(concurrency, reuse_db)
    try:
        routed = wait_routed(list(stamps))
        times = sorted(r.timestamp() for r in routed.values())
        rate = (len(times) - 1) / (times[-1] - times[0])
        say(
            f"routing by a real worker on Redis ({concurrency} processes, {queued} queued issues{setting}): "
            f"{rate:.0f} issues routed/s"
        )
        # Latency: a steady stream while the worker runs.
        stamps = log_issues(paced, pace=pace)
        routed = wait_routed(list(stamps))
        latencies = [(routed[pk].timestamp() - committed) * 1000 for pk, committed in stamps.items()]
        say(
            f"commit-to-routed latency ({paced} issues at {pace:.0f}/s{setting}): "
            f"p50 {statistics.median(latencies):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms"
        )
    finally:
        stop(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1500, help="POSTs per endpoint (bounded)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn sync workers")
    parser.add_argument("--scale", type=float, default=0.05, help="demo city scale to seed")
    parser.add_argument("--queued", type=int, default=600, help="issues queued for the drain")
    parser.add_argument("--paced", type=int, default=300, help="issues logged at a steady pace for latency")
    parser.add_argument("--pace", type=float, default=20.0, help="issues per second for the latency run")
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--no-seed", action="store_true", help="reuse the database as it is")
    parser.add_argument(
        "--no-compare",
        action="store_true",
        help="skip measuring routing again with CELERY_DB_REUSE_MAX=0 (a new connection per task)",
    )
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    if not args.no_seed:
        prepare_database(DB_NAME, base_env(), args.scale)
    setup_django(DJANGO_ENV)
    bench_api(args.requests, args.clients, args.workers)
    bench_routing(args.queued, args.paced, args.pace, args.worker_concurrency)
    if not args.no_compare:
        bench_routing(args.queued, args.paced, args.pace, args.worker_concurrency, reuse_db=0)
    stamp = datetime.now().strftime("%Y-%m-%d %H:%M")
    (RESULTS / "issues_api.txt").write_text(f"# {stamp} on {os.cpu_count()} CPUs\n" + "\n".join(LINES) + "\n")


if __name__ == "__main__":
    main()
