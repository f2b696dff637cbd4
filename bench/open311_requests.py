"""Open311 GeoReport v2: server time and queries of each endpoint over a large issue table, on PostgreSQL.

    .venv/bin/python bench/open311_requests.py [--issues 1000000] [--scale 1] [--runs 60] [--keep]

Recreates the database `guilin_open311` (PORTAL_BENCH_DB to change it),
migrates it, seeds the demo city, then adds `--issues` issues spread over
every micro-grid and the last two years in one INSERT … SELECT
generate_series, plus 1,500 in the last 90 days in the demo key's
micro-grid so that `requests.json` hits its 1,000-request cap. `--keep`
reuses a database prepared by an earlier run.

Each endpoint is called in-process through Django's test client (the whole
middleware stack, no network) `--runs` times after a warm-up: p50, p99 and
the number of queries. The ceiling is the bare query of the same 1,000 rows
(same filter, same columns) serialised with json.dumps, in the same run.
One line per figure on stdout; the same lines go to bench/results/open311_requests.txt.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import time
from datetime import timedelta

from common import ROOT, percentile, pg_url, prepare_database, printer_to_list, samples_ms, setup_django

DB_NAME = os.environ.get("PORTAL_BENCH_DB", "guilin_open311")
DB_URL = pg_url(DB_NAME)
# What manage.py and this process run with (over os.environ).
DJANGO_ENV = {"DATABASE_URL": DB_URL, "PORTAL_LOG_LEVEL": "WARNING", "CELERY_BROKER_URL": ""}
RESULTS = ROOT / "bench" / "results"
LINES: list[str] = []
say = printer_to_list(LINES)


def add_issues(count: int, *, unit_ids: list[int], days: int, now) -> None:
    """`count` allocated or closed issues over `unit_ids` and the last `days` days, in one statement."""
    from django.db import connection

    from grids.models import GridUnit, User
    from issues.models import Issue, IssueCategory

    categories = list(IssueCategory.objects.values_list("pk", "kind", "time_limit_hours"))
    reporter = User.objects.get(username="xiufeng_worker").pk
    # Each issue's community office handles it (the office rule's most common outcome).
    unit_community = {pk: path[:16] for pk, path in GridUnit.objects.filter(pk__in=unit_ids).values_list("pk", "path")}
    community_pk = dict(GridUnit.objects.filter(path__in=set(unit_community.values())).values_list("path", "pk"))
    offices = [community_pk[unit_community[pk]] for pk in unit_ids]
    table = Issue._meta.db_table
    sql = f"""
        INSERT INTO {table} (
            unit_id, category_id, kind, description, location_text, resident_name, resident_phone,
            priority, reporter_id, status, version, created_at, updated_at, due_at, remind_at,
            routed_at, routing_no_rule, handler_kind, handler_unit_id, resolution, satisfaction,
            reopen_count, reject_reason, escalation_level, next_escalation_at, resolved_at, closed_at
        )
        SELECT
            u.unit_id, c.category_id, c.kind, '楼道灯坏了，晚上看不见。', (i %% 12 + 1)::text || '栋', '', '',
            1, %(reporter)s, CASE WHEN i %% 4 = 0 THEN 'allocated' ELSE 'closed' END, 2, t.at, t.at,
            t.at + c.hours * interval '1 hour', t.at + c.hours * interval '48 minutes',
            t.at, false, 'office', u.office_id, '', CASE WHEN i %% 4 = 0 THEN '' ELSE 'satisfied' END,
            0, '', 0, t.at + c.hours * interval '1 hour',
            CASE WHEN i %% 4 = 0 THEN NULL ELSE t.at + interval '1 day' END,
            CASE WHEN i %% 4 = 0 THEN NULL ELSE t.at + interval '2 days' END
        FROM generate_series(1, %(count)s) AS i
        CROSS JOIN LATERAL (
            SELECT (%(unit_ids)s::bigint[])[1 + (i::bigint * 7919) %% %(units)s] AS unit_id,
                   (%(offices)s::bigint[])[1 + (i::bigint * 7919) %% %(units)s] AS office_id
        ) AS u
        CROSS JOIN LATERAL (
            SELECT (%(category_ids)s::bigint[])[1 + i %% %(n_categories)s] AS category_id,
                   (%(kinds)s::text[])[1 + i %% %(n_categories)s] AS kind,
                   (%(hours)s::int[])[1 + i %% %(n_categories)s] AS hours
        ) AS c
        CROSS JOIN LATERAL (
            SELECT %(now)s::timestamptz - (i::float / %(count)s) * %(days)s * interval '1 day' AS at
        ) AS t
    """
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "reporter": reporter,
                "count": count,
                "unit_ids": unit_ids,
                "offices": offices,
                "units": len(unit_ids),
                "category_ids": [c[0] for c in categories],
                "kinds": [c[1] for c in categories],
                "hours": [c[2] for c in categories],
                "n_categories": len(categories),
                "now": now - timedelta(seconds=1),
                "days": days,
            },
        )
        cursor.execute(f"ANALYZE {table}")


def timed(call, runs: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    samples = samples_ms(call, runs, warm=3)
    with CaptureQueriesContext(connection) as queries:
        call()
    return statistics.median(samples), percentile(samples, 0.99), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--issues", type=int, default=1_000_000)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--keep", action="store_true", help="reuse the database of an earlier run")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    if not args.keep:
        prepare_database(DB_NAME, DJANGO_ENV, args.scale)
    setup_django(DJANGO_ENV)
    logging.getLogger("portal.security").setLevel(logging.WARNING)  # one line per filed request otherwise
    if args.keep:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # a database kept from an earlier run may predate a migration

    from django.test import Client
    from django.utils import timezone

    from grids.models import GridUnit
    from issues.models import Issue
    from open311 import selectors, services
    from open311.auth import client_viewer
    from open311.demo import demo_units
    from open311.views import Open311Throttle

    # The throttle stays in the path (its cache read and write are part of every answer) with room for the runs.
    Open311Throttle.THROTTLE_RATES = {"open311": "1000000/minute"}

    _community, area = demo_units()
    now = timezone.now()
    if not args.keep:
        started = time.perf_counter()
        micro = list(GridUnit.objects.filter(level__in=[5, 6]).order_by("path").values_list("pk", flat=True))
        add_issues(args.issues, unit_ids=micro, days=730, now=now)
        add_issues(1500, unit_ids=[area.pk], days=89, now=now)
        print(f"(added {args.issues + 1500:,} issues in {time.perf_counter() - started:.1f} s)")
    total = Issue.objects.count()
    client_row, plaintext = services.open311_client_issue(name="bench", unit=area, created_by=None)
    in_range = selectors.requests_list(viewer=client_viewer(client_row), query=selectors.RequestQuery())
    say(
        f"open311 bench: {total:,} issues on PostgreSQL; the key's micro-grid has "
        f"{len(in_range)} requests in the default answer (cap {selectors.MAX_REQUESTS})"
    )
    browser = Client()
    one = in_range[0]["pk"]

    def get(path: str, **params):
        def call():
            response = browser.get(f"/open311/v2/{path}", {"api_key": plaintext, **params})
            assert response.status_code == 200, response.content[:300]
            return response

        return call

    results = {}
    for label, call in [
        ("GET requests.json (1,000 requests)", get("requests.json")),
        ("GET requests.xml (1,000 requests)", get("requests.xml")),
        (
            "GET requests.json?status=open&service_code=…",
            get("requests.json", status="open", service_code="opinion-property,hazard-fire"),
        ),
        ("GET requests/{id}.json", get(f"requests/{one}.json")),
        ("GET services.json", get("services.json")),
        ("GET discovery.json", get("discovery.json")),
    ]:
        p50, p99, queries = timed(call, args.runs)
        results[label] = p50
        say(f"{label}: p50 {p50:.1f} ms, p99 {p99:.1f} ms, {queries} queries")

    # The ceiling: the same 1,000 rows' columns by a bare query, serialised with json.dumps.
    def bare():
        start = timezone.now() - selectors.MAX_SPAN
        units = GridUnit.objects.filter(path__startswith=area.path).values("pk")
        rows = list(
            Issue.objects.filter(unit_id__in=units, created_at__gte=start)
            .order_by("-created_at", "-pk")
            .values_list(*selectors.REQUEST_COLUMNS)[: selectors.MAX_REQUESTS]
        )
        return json.dumps(rows, default=str, ensure_ascii=False)

    p50, p99, queries = timed(bare, args.runs)
    say(f"bare query + json.dumps of the same 1,000 rows, ceiling: p50 {p50:.1f} ms, p99 {p99:.1f} ms, {queries} query")
    api_p50 = results["GET requests.json (1,000 requests)"]
    say(f"requests.json / ceiling: {api_p50 / p50:.1f}x the bare query's p50")

    counter = iter(range(10_000))

    def post():
        response = browser.post(
            "/open311/v2/requests.json",
            {
                "api_key": plaintext,
                "service_code": "opinion-property",
                "description": f"电梯停运 {next(counter)}",
                "address_string": "2栋",
            },
        )
        assert response.status_code == 201, response.content[:300]

    p50, p99, queries = timed(post, max(10, args.runs // 3))
    say(
        f"POST requests.json (issue_log + eager routing in-process): p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
        f"{queries} queries"
    )
    (RESULTS / "open311_requests.txt").write_text("\n".join(LINES) + "\n")


if __name__ == "__main__":
    main()
