"""Every figure of issue 17 side by side with its ceiling, on PostgreSQL, at scale 1, at 1,000,000 issues
and at --scale 10; one table, printed and written to bench/results/run.txt.

    .venv/bin/python bench/run.py                       # all three data sets (seeding what is missing)
    .venv/bin/python bench/run.py --sets s1 1m          # some of them
    .venv/bin/python bench/run.py --no-create           # skip issue creation under gunicorn
    .venv/bin/python bench/run.py --drop                # drop the bench databases afterwards

Data sets (each its own database, kept between runs unless --drop, re-seeded only when empty):
- `s1`  (PORTAL_BENCH_PREFIX + "_s1"): `seed_demo --scale 1`;
- `1m`  (+ "_1m"): a copy of s1 grown to 1,000,000 issues set-based (generate_series), roll-up rebuilt;
- `s10` (+ "_s10"): `seed_demo --scale 10` (ten times Guilin's tree).

Reads go through the whole Django stack in-process (middleware, session or token or API key, the
view, templates; no network), so their time is the server's time: p50 and p99 over repeated
requests, and the number of queries of one. Ceilings measured in the same run, per data set:
`/healthz` (a bare view: middleware and SELECT 1) and, per list, the bare SQL of the same first
page (the district's newest 50 issues, no join, no filter beyond the path range). Issue creation
runs under gunicorn (production settings, 2 sync workers, 8 clients) against a bare one-INSERT view
on the same server (bench/issues_api_site.py), as a ratio, with the broker on Redis.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import platform
import sys
import time

from common import ROOT, count_queries, manage, pg_connect, pg_url, recreate_pg, timed

PREFIX = os.environ.get("PORTAL_BENCH_PREFIX", "guilin_h17a")
BROKER = os.environ.get("PORTAL_BENCH_BROKER", "redis://127.0.0.1:6379/5")
RESULTS = ROOT / "bench" / "results" / "run.txt"
MILLION = 1_000_000
RUNS = int(os.environ.get("PORTAL_BENCH_RUNS", "15"))
SETS = ("s1", "1m", "s10")
ROWS: list[tuple[str, str, str, str, str, str]] = []  # (set, figure, p50, p99, queries, ceiling)


def _module(name: str):
    """Another bench script as a module (bench/dashboards.py would shadow the dashboards app by name)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def db_name(data_set: str) -> str:
    return f"{PREFIX}_{data_set}"


def exists(name: str) -> bool:
    connection = pg_connect(autocommit=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cursor.fetchone() is not None
    finally:
        connection.close()


def seeded(name: str) -> bool:
    if not exists(name):
        return False
    connection = pg_connect(name)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('grids_issue') IS NOT NULL")
            if not cursor.fetchone()[0]:
                return False
            cursor.execute("SELECT EXISTS (SELECT 1 FROM grids_gridunit)")
            return bool(cursor.fetchone()[0])
    finally:
        connection.close()


def env_of(name: str) -> dict[str, str]:
    # Reads are measured as production serves them: the roll-up as beat keeps it (no refresh on read).
    return {
        "DATABASE_URL": pg_url(name),
        "PORTAL_DEMO_MODE": "0",
        "PORTAL_LOG_LEVEL": "WARNING",
        "PORTAL_DASHBOARDS_REFRESH_ON_READ": "0",
    }


def prepare(data_set: str) -> None:
    """Seed the data set's database unless it holds a city already; migrate it to this tree either way."""
    name = db_name(data_set)
    env = env_of(name)
    if seeded(name):
        manage(env, "migrate", "-v0")
        # Beat's refresh, as after a deploy: a migration may leave new roll-up rows to the next refresh.
        manage(env, "dashboards_rollup")
        vacuum_analyze(name)
        return
    if data_set == "1m":
        prepare("s1")
        started = time.perf_counter()
        connection = pg_connect(autocommit=True)
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [db_name("s1")]
                )
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
                cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{db_name("s1")}"')
        finally:
            connection.close()
        print(f"({name}: copied from {db_name('s1')} in {time.perf_counter() - started:.1f} s)", flush=True)
        return  # grown in-process by measure() (grow_to)
    recreate_pg(name)
    manage(env, "migrate", "-v0")
    scale = "1" if data_set == "s1" else "10"
    seconds = manage(env, "seed_demo", "--scale", scale, "--no-progress")
    print(f"({name}: seeded at scale {scale} in {seconds:.0f} s)", flush=True)
    vacuum_analyze(name)


def vacuum_analyze(name: str) -> None:
    """The whole database vacuumed and analyzed, as autovacuum keeps a server in production: the
    measurements are of a steady state. (Autovacuum may be off on a bench machine: without this, tables
    the roll-up refresh rewrites kept a tenth of their rows in the planner's statistics, and the
    dashboards were planned as index scans per row: 150 ms for the city at 1,000,000 issues, 106 after.)"""
    connection = pg_connect(name, autocommit=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    finally:
        connection.close()


def grow_to(target: int) -> None:
    """Issues up to `target`, set-based (bench/dashboards.py's generator), then the roll-up rebuilt."""
    from django.db import connection

    from dashboards.services import issue_rollup_rebuild
    from issues.models import Issue

    existing = Issue.objects.count()
    if existing >= target:
        return
    started = time.perf_counter()
    grow_sql = _module("dashboards").GROW_SQL
    with connection.cursor() as cursor:
        cursor.execute(grow_sql, {"n": target - existing, "prefix": "基准测试问题 "})
        cursor.execute("ANALYZE grids_issue")
    issue_rollup_rebuild()
    vacuum_analyze(connection.settings_dict["NAME"])
    print(f"(grew to {target:,} issues and rebuilt the roll-up in {time.perf_counter() - started:.0f} s)", flush=True)


# ---------------------------------------------------------------------------
# Measuring one data set (in a child process: one Django set-up per database)
# ---------------------------------------------------------------------------
def row(data_set: str, figure: str, p50: float | None, p99: float | None, queries, ceiling: str) -> None:
    line = (
        data_set,
        figure,
        "" if p50 is None else f"{p50:.1f}",
        "" if p99 is None else f"{p99:.1f}",
        "" if queries is None else str(queries),
        ceiling,
    )
    print("ROW\t" + "\t".join(line), flush=True)


def measure(data_set: str) -> None:
    import django

    os.environ.update(env_of(db_name(data_set)))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guilin_portal.settings.development")
    sys.path.insert(0, str(ROOT))
    django.setup()

    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.db.models import Count
    from django.db.models.functions import Substr
    from django.test import Client
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from dashboards.api.auth import StatsKeyThrottle
    from dashboards.services import api_key_issue, issue_rollup_state
    from grids.models import PATH_STEP, GridUnit, Post, User
    from grids.models.tree import path_upper_bound
    from issues.models import Issue, IssueCategory

    if data_set == "1m":
        grow_to(MILLION)
    from dashboards.models import RollupState

    if issue_rollup_state() is None or not RollupState.objects.filter(name="figures").exists():
        # Never built, or built before the other domains had their roll-up (a database seeded earlier).
        from dashboards.services import issue_rollup_rebuild

        issue_rollup_rebuild()
    settings.DEBUG = False  # as in production: no query log, no template debug information
    StatsKeyThrottle.THROTTLE_RATES = {"stats_key": "100000000/hour"}  # measure the work, not the throttle
    cache.clear()
    session_client = _module("dashboards").session_client

    total = Issue.objects.count()
    busiest = (
        Issue.objects.annotate(d=Substr("unit__path", 1, 2 * PATH_STEP))
        .values("d")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    district = GridUnit.objects.get(path=busiest["d"])
    street = GridUnit.objects.filter(parent=district).order_by("path").first()
    staff = User.objects.filter(posts__unit=district, posts__role=Post.Role.DISTRICT_STAFF).order_by("pk").first()
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    token, _created = Token.objects.get_or_create(user=staff)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    page = session_client(staff)
    city_page = session_client(admin)
    _key, plaintext = api_key_issue(
        name=f"bench {data_set}", unit=district, expires_at=timezone.now() + dt.timedelta(days=1), created_by=None
    )
    stats = Client(HTTP_AUTHORIZATION=f"Api-Key {plaintext}")
    category = (
        Issue.objects.filter(unit__path__startswith=district.path)
        .values("category_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()["category_id"]
    )
    rare_category = IssueCategory.objects.order_by("-pk").first().pk
    print(
        f"INFO\t{data_set}: {total:,} issues, {GridUnit.objects.count():,} units; "
        f"district {district.name} {busiest['n']:,} issues",
        flush=True,
    )

    health = Client()
    h50, h99 = timed(lambda: health.get("/healthz"), RUNS, warm=3)
    row(data_set, "ceiling: bare view /healthz", h50, h99, 1, "")
    low, high = district.path, path_upper_bound(district.path)

    def bare_page() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.* FROM grids_issue i JOIN grids_gridunit u ON u.id = i.unit_id "
                "WHERE u.path >= %s AND u.path < %s ORDER BY i.created_at DESC, i.id DESC LIMIT 50",
                [low, high],
            )
            cursor.fetchall()

    b50, b99 = timed(bare_page, RUNS, warm=3)
    row(data_set, "ceiling: bare SQL of a district's first page", b50, b99, 1, "")

    only = os.environ.get("PORTAL_BENCH_ONLY", "")  # measure only the figures whose name holds this text

    def case(figure: str, client: Client, url: str, params: dict | None = None, ceiling: float = h50) -> None:
        if only and only not in figure:
            return
        params = params or {}
        response = client.get(url, params)  # warm, and check
        assert response.status_code == 200, (url, params, response.status_code, response.content[:300])
        queries = count_queries(lambda: client.get(url, params))
        p50, p99 = timed(lambda: client.get(url, params), RUNS, warm=1)
        row(data_set, figure, p50, p99, queries, f"{p50 / ceiling:.1f}x")

    now = timezone.now()
    lists = [
        ("API issues: district, first page", {}),
        ("API issues: ?status=in_progress&status=allocated", {"status": ["in_progress", "allocated"]}),
        ("API issues: ?status=closed&status=resolved", {"status": ["closed", "resolved"]}),
        ("API issues: ?category (commonest)", {"category": category}),
        ("API issues: ?category (rarest) &status=collected", {"category": rare_category, "status": "collected"}),
        ("API issues: ?overdue=true", {"overdue": "true"}),
        ("API issues: ?unit=street&kind=opinion", {"unit": street.pk, "kind": "opinion"}),
        (
            "API issues: ?created_after=-30d&status=resolved&priority=1",
            {"created_after": (now - dt.timedelta(days=30)).isoformat(), "status": "resolved", "priority": 1},
        ),
        ("API issues: ?updated_after=-1d", {"updated_after": (now - dt.timedelta(days=1)).isoformat()}),
    ]
    for figure, params in lists:
        case(figure, api, "/api/v1/issues/", params, b50)
    case("page: dashboard issue list (district, this year)", page, f"/dashboards/units/{district.pk}/issues/", {}, b50)
    case(
        "page: dashboard issue list (city, status=closed)",
        city_page,
        f"/dashboards/units/{GridUnit.objects.get(level=1).pk}/issues/",
        {"status": "closed"},
        b50,
    )
    case("page: my issues (district staff)", page, "/issues/mine/", {}, b50)
    case("page: inbox (district staff)", page, "/issues/inbox/", {}, b50)
    city = GridUnit.objects.get(level=GridUnit.Level.CITY)
    case("dashboard: district (this year)", page, f"/dashboards/units/{district.pk}/")
    case("dashboard: city (this year)", city_page, f"/dashboards/units/{city.pk}/")
    case("dashboard: city overview", city_page, "/dashboards/city/")
    for name, url, params in [
        ("stats/issues/", "/api/v1/stats/issues/", {}),
        ("stats/issues/?group_by=child", "/api/v1/stats/issues/", {"group_by": "child"}),
        ("stats/issues/?group_by=month", "/api/v1/stats/issues/", {"group_by": "month"}),
        ("stats/overview/", "/api/v1/stats/overview/", {}),
        ("stats/volunteers/", "/api/v1/stats/volunteers/", {}),
        ("stats/service-points/", "/api/v1/stats/service-points/", {}),
        ("stats/contracts/", "/api/v1/stats/contracts/", {}),
    ]:
        case(f"API {name}", stats, url, params)


def creation(data_set: str) -> None:
    """Issue creation under gunicorn beside the bare one-INSERT view (bench/issues_api.py's harness)."""
    os.environ["PORTAL_BENCH_DB"] = db_name(data_set)
    os.environ["PORTAL_BENCH_BROKER"] = BROKER
    issues_api = _module("issues_api")
    os.environ.update(issues_api.DJANGO_ENV)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guilin_portal.settings.development")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    issues_api.RESULTS.mkdir(exist_ok=True)
    issues_api.bench_api(int(os.environ.get("PORTAL_BENCH_REQUESTS", "1200")), 8, 2)
    for line in issues_api.LINES:
        print("INFO\t" + line, flush=True)


# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------
def run_child(mode: str, data_set: str) -> None:
    import subprocess

    log = (RESULTS.parent / f"run-{mode}-{data_set}.log").open("w")  # the child's log lines, not the table
    process = subprocess.Popen(
        [sys.executable, __file__, f"--{mode}", data_set],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env=os.environ | {"PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench'}"},
    )
    for line in process.stdout:
        line = line.rstrip("\n")
        if line.startswith("ROW\t"):
            ROWS.append(tuple(line.split("\t")[1:]))
            print("  " + " | ".join(ROWS[-1]), flush=True)
        elif line.startswith("INFO\t"):
            INFO.append(line.split("\t", 1)[1])
            print("  " + INFO[-1], flush=True)
        elif not line.startswith("{"):  # JSON log lines go to the log file only
            print(line, flush=True)
    log.close()
    if process.wait() != 0:
        raise SystemExit(f"{mode} {data_set} failed ({process.returncode}); see {log.name}")


INFO: list[str] = []


def table() -> str:
    header = ("set", "figure", "p50 ms", "p99 ms", "queries", "x ceiling")
    lines = [
        f"Issue 17 benchmark, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {platform.node()} "
        f"({os.cpu_count()} cores, {platform.processor() or platform.machine()}), PostgreSQL, {RUNS} runs per figure",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    lines += ["| " + " | ".join(r) + " |" for r in ROWS]
    if INFO:
        lines += ["", *[f"- {line}" for line in INFO]]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", nargs="+", choices=SETS, default=list(SETS))
    parser.add_argument("--no-create", action="store_true", help="skip issue creation under gunicorn")
    parser.add_argument("--drop", action="store_true", help="drop the bench databases at the end")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--create", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return measure(args.measure)
    if args.create:
        return creation(args.create)
    RESULTS.parent.mkdir(exist_ok=True)
    for data_set in args.sets:
        prepare(data_set)
        run_child("measure", data_set)
    if not args.no_create:
        run_child("create", "s1")
    text = table()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print()
    print(text)
    print(f"(written to {RESULTS.relative_to(ROOT)})")
    if args.drop:
        for data_set in args.sets:
            connection = pg_connect(autocommit=True)
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{db_name(data_set)}"')
            connection.close()


if __name__ == "__main__":
    main()
    sys.exit(0)
