"""The district dashboard and the statistics API at the report's scale and at 1,000,000 issues, on PostgreSQL;
the streamed XLSX export of 1,000,000 issues.

    .venv/bin/python bench/dashboards.py                    # recreate guilin_dashboards, seed --scale 1, measure,
                                                            # grow to 1,000,000 issues, measure, export
    .venv/bin/python bench/dashboards.py --reuse            # measure the database an earlier run left
    .venv/bin/python bench/dashboards.py --issues 200000    # grow to another number of issues
    .venv/bin/python bench/dashboards.py --reuse --regrow   # back to the demo's issues, measure, generate again

Requests go through the whole Django stack in-process (middleware, session or
API key, template rendering; no network): p50/p99 over repeated requests and the
number of queries of one. Each figure is printed beside ceilings measured in the
same run: `/healthz` (a bare view: middleware and one SELECT 1) and a bare COUNT
of the district's issues (what live counting would start from). Issues beyond
the demo's are inserted set-based (INSERT ... SELECT ... FROM generate_series),
then the roll-up is rebuilt (timed) and refreshed once as the five-minute job
would be (right after a bulk load every generated issue counts as changed, so
that refresh recounts them all; in steady state it recounts a few minutes'
changes). The export runs in a subprocess that
reports its wall time and peak resident memory (ru_maxrss) beside a 10,000-row
export's. Figures go to stdout and to bench/results/dashboards.txt.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, count_queries, manage, pg_url, printer_to_file, recreate_pg, setup_django, timed

DB_NAME = "guilin_dashboards"
PG_URL = pg_url(DB_NAME)
RESULTS = ROOT / "bench" / "results" / "dashboards.txt"
DEFAULT_ISSUES = 1_000_000
out = printer_to_file(RESULTS)


# ---------------------------------------------------------------------------
# Growing the issue table, set-based
# ---------------------------------------------------------------------------
GENERATED = "基准测试问题 "  # the description prefix of the issues this script adds
# Outcomes as a city that keeps up would show them: 62 % closed after feedback (50 % satisfied,
# 12 % basically), 33.5 % resolved and waiting for feedback, 4 % rejected, 0.5 % still being
# handled (logged in the last ten days, so mostly within their time limit or just past it).
GROW_SQL = """
WITH units AS (
    SELECT array_agg(u.id ORDER BY u.id) AS unit_ids, array_agg(c.id ORDER BY u.id) AS office_ids
    FROM grids_gridunit u JOIN grids_gridunit c ON c.path = substr(u.path, 1, 16)
    WHERE u.level >= 5
), cats AS (
    SELECT array_agg(id ORDER BY id) AS ids, array_agg(kind ORDER BY id) AS kinds,
           array_agg(time_limit_hours ORDER BY id) AS hours
    FROM grids_issuecategory
), reporter AS (
    SELECT user_id AS id FROM grids_post WHERE role = 'grid_worker' ORDER BY user_id LIMIT 1
), fated AS (
    SELECT g,
           1 + floor(random() * array_length(units.unit_ids, 1))::int AS u,
           1 + floor(random() * array_length(cats.ids, 1))::int AS c,
           random() AS fate,
           1 + random() * 200 AS took
    FROM generate_series(1, %(n)s) g, units, cats
), drawn AS (
    SELECT f.*,
           CASE WHEN f.fate >= 0.955 AND f.fate < 0.96 THEN now() - random() * interval '10 days'
                ELSE now() - random() * interval '730 days' END AS created
    FROM fated f
)
INSERT INTO grids_issue (
    unit_id, category_id, kind, description, location_text, resident_name, resident_phone, priority, reporter_id,
    status, version, created_at, updated_at, due_at, remind_at, routed_at, routing_no_rule, handler_kind,
    handler_unit_id, resolution, resolved_at, satisfaction, closed_at, reopen_count, reject_reason,
    escalation_level)
SELECT units.unit_ids[d.u], cats.ids[d.c], cats.kinds[d.c], %(prefix)s || d.g, '', '张三',
       '138' || lpad((d.g %% 100000000)::text, 8, '0'), 1, reporter.id,
       CASE WHEN d.fate < 0.62 THEN 'closed' WHEN d.fate < 0.955 THEN 'resolved'
            WHEN d.fate < 0.96 THEN 'in_progress' ELSE 'rejected' END,
       1, d.created, now(),
       d.created + make_interval(hours => cats.hours[d.c]),
       d.created + make_interval(hours => cats.hours[d.c]) * 0.8,
       d.created, false, 'office', units.office_ids[d.u],
       CASE WHEN d.fate < 0.955 THEN '已处理' ELSE '' END,
       CASE WHEN d.fate < 0.955 THEN LEAST(d.created + make_interval(secs => d.took * 3600), now()) END,
       CASE WHEN d.fate < 0.50 THEN 'satisfied' WHEN d.fate < 0.62 THEN 'basic' ELSE '' END,
       CASE WHEN d.fate < 0.62 THEN LEAST(d.created + make_interval(secs => d.took * 3600), now()) END,
       0, CASE WHEN d.fate >= 0.96 THEN 'out_of_scope' ELSE '' END, 0
FROM drawn d, units, cats, reporter
"""


def grow(target: int, *, regrow: bool = False) -> None:
    from django.db import connection

    from dashboards.services import issue_rollup_rebuild, issue_rollup_refresh
    from issues.models import Issue

    if regrow:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM grids_issue WHERE description LIKE %s", [GENERATED + "%%"])
            out(f"postgresql: deleted {cursor.rowcount:,} issues an earlier run generated")
    existing = Issue.objects.count()
    if existing < target:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(GROW_SQL, {"n": target - existing, "prefix": GENERATED})
            cursor.execute("ANALYZE grids_issue")
        seconds = time.perf_counter() - started
        out(f"postgresql: inserted {target - existing:,} issues set-based (generate_series) in {seconds:.1f} s")
    result = issue_rollup_rebuild()
    out(
        f"postgresql: roll-up rebuilt over {Issue.objects.count():,} issues: {result.rows:,} rows "
        f"in {result.seconds:.2f} s"
    )
    with connection.cursor() as cursor:
        # What autovacuum does after a rebuild: statistics and the visibility map (index-only scans).
        cursor.execute("VACUUM ANALYZE dashboards_issuemonthlyrollup")
        cursor.execute("VACUUM ANALYZE dashboards_issuefact")
    result = issue_rollup_refresh()
    out(
        f"postgresql: roll-up five-minute refresh: {result.months} months, {result.rows:,} rows in {result.seconds:.2f} s"
    )


# ---------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------
def session_client(user):
    """A logged-in client through the session store (force_login's signal wants a client address)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.test import Client

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client


def measure(label: str, runs: int) -> None:
    import datetime as dt

    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.db.models import Count
    from django.db.models.functions import Substr
    from django.test import Client
    from django.utils import timezone

    from dashboards.api.auth import StatsKeyThrottle
    from dashboards.services import api_key_issue
    from grids.models import PATH_STEP, GridUnit, Post, User
    from grids.models.tree import path_upper_bound
    from issues.models import Issue

    # As in production: no query log, no template debug information (the embedded default runs DEBUG on).
    settings.DEBUG = False
    StatsKeyThrottle.THROTTLE_RATES = {"stats_key": "1000000/hour"}  # measure the work, not the throttle
    cache.clear()
    issues = Issue.objects.count()
    busiest = (
        Issue.objects.annotate(d=Substr("unit__path", 1, 2 * PATH_STEP))
        .values("d")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    district = GridUnit.objects.get(path=busiest["d"])
    staff = User.objects.filter(posts__unit=district, posts__role=Post.Role.DISTRICT_STAFF).order_by("pk").first()
    page_client = session_client(staff)
    _key, plaintext = api_key_issue(
        name=f"bench {label}", unit=district, expires_at=timezone.now() + dt.timedelta(days=1), created_by=None
    )
    key_client = Client(HTTP_AUTHORIZATION=f"Api-Key {plaintext}")
    out(f"postgresql [{label}]: {issues:,} issues; district {district.name}: {busiest['n']:,} issues")

    def bare_count() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM grids_issue i JOIN grids_gridunit u ON u.id = i.unit_id "
                "WHERE u.path >= %s AND u.path < %s",
                [district.path, path_upper_bound(district.path)],
            )
            cursor.fetchone()

    health = Client()
    h50, h99 = timed(lambda: health.get("/healthz"), runs)
    c50, c99 = timed(bare_count, runs)
    out(
        f"postgresql [{label}]: ceilings: bare view /healthz p50 {h50:.1f} ms, p99 {h99:.1f} ms; "
        f"bare COUNT of the district's issues p50 {c50:.1f} ms, p99 {c99:.1f} ms"
    )
    year = timezone.localdate().year
    cases = [
        ("district dashboard (this year)", page_client, f"/dashboards/units/{district.pk}/", {}),
        (
            "district dashboard (custom range, ragged edges)",
            page_client,
            f"/dashboards/units/{district.pk}/",
            {"period": "custom", "from": f"{year - 1}-03-17", "to": f"{year}-02-09"},
        ),
        ("stats/issues/", key_client, "/api/v1/stats/issues/", {}),
        ("stats/issues/?group_by=child", key_client, "/api/v1/stats/issues/", {"group_by": "child"}),
        ("stats/issues/?group_by=month", key_client, "/api/v1/stats/issues/", {"group_by": "month"}),
        ("stats/issues/?group_by=category", key_client, "/api/v1/stats/issues/", {"group_by": "category"}),
        ("stats/overview/", key_client, "/api/v1/stats/overview/", {}),
        ("stats/volunteers/", key_client, "/api/v1/stats/volunteers/", {}),
        ("stats/service-points/", key_client, "/api/v1/stats/service-points/", {}),
        ("stats/contracts/", key_client, "/api/v1/stats/contracts/", {}),
    ]
    for name, client, url, params in cases:
        response = client.get(url, params)  # warm
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        queries = count_queries(lambda c=client, u=url, p=params: c.get(u, p))
        p50, p99 = timed(lambda c=client, u=url, p=params: c.get(u, p), runs)
        out(
            f"postgresql [{label}]: {name}: p50 {p50:.1f} ms, p99 {p99:.1f} ms, {queries} queries; "
            f"{p50 / h50:.1f}x the bare view, {p50 / c50:.2f}x the bare COUNT"
        )


def export(limit: int | None) -> None:
    """Runs in its own process: time and peak memory of one streamed export."""
    from dashboards.exports import write_issue_workbook
    from grids.models import User
    from issues.selectors import IssueFilters, issue_list

    viewer = User.objects.get(username="admin")
    queryset = issue_list(viewer=viewer, filters=IssueFilters())
    if limit:
        queryset = queryset[:limit]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    path = Path("/tmp") / f"guilin-dashboards-bench-{os.getpid()}.xlsx"
    rows = write_issue_workbook(viewer, queryset, path)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    size = path.stat().st_size
    path.unlink()
    out(
        f"postgresql: export of {rows:,} issues to XLSX: {seconds:.1f} s ({rows / seconds:,.0f} rows/s), "
        f"{size / 1e6:.0f} MB file; peak RSS {peak / 1024:.0f} MB (after start-up {before / 1024:.0f} MB)"
    )


def main() -> None:
    args = sys.argv[1:]
    target = DEFAULT_ISSUES
    if "--issues" in args:
        target = int(args[args.index("--issues") + 1])
    if "--child" in args:
        setup_django()
        step = args[args.index("--child") + 1]
        if step == "measure-demo":
            measure("scale 1 demo", 40)
        elif step == "grow":
            grow(target, regrow="--regrow" in args)
        elif step == "measure-grown":
            measure(f"{target:,} issues", 40)
        elif step == "export":
            limit = int(args[args.index("--limit") + 1]) if "--limit" in args else None
            export(limit)
        return
    pg = {"DATABASE_URL": PG_URL}
    if "--reuse" not in args:
        recreate_pg(DB_NAME)
    manage(pg, "migrate", "-v", "0")
    if "--reuse" not in args:
        seconds = manage(pg, "seed_demo", "--scale", "1", "--no-progress")
        out(f"postgresql: seed_demo --scale 1: {seconds:.1f} s")

    def child(*extra: str) -> None:
        subprocess.run(
            [sys.executable, __file__, "--issues", str(target), "--child", *extra], env=os.environ | pg, check=True
        )

    if "--reuse" in args and "--regrow" in args:
        # Back to the demo's own issues first, so the scale-1 figures are measured again too.
        subprocess.run(
            [sys.executable, __file__, "--issues", "0", "--child", "grow", "--regrow"], env=os.environ | pg, check=True
        )
    if "--reuse" not in args or "--regrow" in args:
        child("measure-demo")
    child("grow")
    child("measure-grown")
    child("export", "--limit", "10000")
    child("export")


if __name__ == "__main__":
    main()
