"""The service network on PostgreSQL at the report's scale.

    .venv/bin/python bench/service_points.py            # seeds guilin_service_centers at --scale 1 if empty
    .venv/bin/python bench/service_points.py --reseed   # drops and seeds it again

Two figures, each beside a ceiling measured in the same run:
- red-station service log: entries per second through the phone page's endpoint
  (POST /service-points/staff/points/<id>/log/ as `yangshuo_station`, Django's test
  client, in-process, sequential, bounded by --seconds), beside a bare view that
  only checks the log-in and redirects, and a bare view that inserts the row
  with no rules (the database ceiling);
- the network overview for the city (GET /service-points/staff/units/<city>/ as
  `admin`): p50/p99 over --runs requests and the query count, beside the bare
  view and the selector alone.

Production-like settings: DEBUG off (no query log), no 2FA redirect for the
bench session. Bench entries are deleted afterwards, so the database stays as seeded.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid

from common import (
    ROOT,
    count_queries,
    manage,
    pg_connect,
    pg_url,
    printer_to_list,
    production_env,
    recreate_pg,
    setup_django,
    timed,
)

DB_NAME = "guilin_service_centers"
PG_URL = pg_url(DB_NAME)
RESULTS = ROOT / "bench" / "results" / "service_points.txt"
BENCH_ENV = production_env(DB_NAME)


def database_state() -> str:
    """'missing', 'empty' or 'seeded'."""
    import psycopg2

    try:
        connection = pg_connect(DB_NAME)
    except psycopg2.OperationalError:
        return "missing"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('service_centers_redstationservice')")
            if cursor.fetchone()[0] is None:
                return "empty"
            cursor.execute("SELECT count(*) FROM service_centers_redstationservice")
            return "seeded" if cursor.fetchone()[0] >= 150_000 else "empty"
    finally:
        connection.close()


def seed() -> None:
    recreate_pg(DB_NAME)
    started = time.perf_counter()
    manage(BENCH_ENV, "migrate", "-v", "0")
    manage(BENCH_ENV, "seed_demo", "--scale", "1", "--no-progress")
    print(f"seeded {DB_NAME} at --scale 1 in {time.perf_counter() - started:.1f} s", flush=True)


# ---------------------------------------------------------------------------
# Measurement (in a subprocess with BENCH_ENV)
# ---------------------------------------------------------------------------
def _bare(request):
    from django.http import HttpResponse, HttpResponseRedirect

    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    return HttpResponseRedirect(request.path) if request.method == "POST" else HttpResponse("ok")


def _bare_insert(request, pk: int):
    """The database ceiling for one log entry: the same row, no rules, no form."""
    from django.http import HttpResponseRedirect
    from django.utils import timezone

    from service_centers.models import RedStationService

    now = timezone.now()
    RedStationService.objects.create(
        point_id=pk, service_kind_id=int(request.POST["service_kind"]), served_at=now, logged_at=now, note="bench"
    )
    return HttpResponseRedirect(request.path)


def _urlpatterns():
    from django.urls import include, path

    return [
        path("bench/bare/", _bare),
        path("bench/insert/<int:pk>/", _bare_insert),
        path("", include("guilin_portal.urls")),
    ]


def measure(seconds: float, entries: int, runs: int) -> list[str]:
    setup_django()
    from django.conf import settings
    from django.test import Client

    from grids.models import GridUnit, User
    from guilin_portal.demo import DEMO_PASSWORD
    from service_centers import selectors
    from service_centers.models import RedStationService, ServicePointStaff

    global urlpatterns  # the bench's own URLconf: the portal plus two bare views
    urlpatterns = _urlpatterns()
    settings.ROOT_URLCONF = __name__
    lines: list[str] = []
    say = printer_to_list(lines)

    def client_for(username: str) -> Client:
        client = Client(REMOTE_ADDR="127.0.0.1")
        response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, f"log-in of {username} failed ({response.status_code})"
        return client

    # --- Red-station log ---------------------------------------------------
    station = ServicePointStaff.objects.select_related("point").get(user__username="yangshuo_station").point
    kind = station.menu.order_by("sort_order").first()
    staff = client_for("yangshuo_station")
    log_url = f"/service-points/staff/points/{station.pk}/log/"
    started_count = RedStationService.objects.filter(point=station).count()

    def rate(post) -> tuple[float, int]:
        done, started = 0, time.perf_counter()
        while done < entries and time.perf_counter() - started < seconds:
            response = post()
            assert response.status_code == 302, response.status_code
            done += 1
        return done / (time.perf_counter() - started), done

    def tap():
        response = staff.post(log_url, {"service_kind": kind.pk, "client_key": str(uuid.uuid4()), "note": "bench"})
        # The phone follows the redirect and reads the "logged" message; without that read the message
        # cookie would grow with every tap, so drop it as the page load would.
        staff.cookies.pop("messages", None)
        return response

    for _warm in range(20):
        tap()
    page_rate, page_n = rate(tap)
    bare_rate, bare_n = rate(lambda: staff.post("/bench/bare/", {"service_kind": kind.pk}))
    insert_rate, insert_n = rate(lambda: staff.post(f"/bench/insert/{station.pk}/", {"service_kind": kind.pk}))
    tap_queries = count_queries(tap)
    logged = RedStationService.objects.filter(point=station).count() - started_count
    say(
        f"red-station log via the page (POST {log_url}): {page_rate:.0f} entries/s over {page_n} taps, "
        f"{tap_queries} queries per tap"
    )
    say(f"ceiling, bare logged-in view (no database write): {bare_rate:.0f} requests/s over {bare_n}")
    say(
        f"ceiling, bare insert view (same row, no rules): {insert_rate:.0f} entries/s over {insert_n}; "
        f"the page runs at {page_rate / insert_rate:.0%} of it"
    )
    RedStationService.objects.filter(point=station, note="bench").delete()
    say(f"(bench entries written and deleted again: {logged + insert_n})")

    # --- Network overview for the city -------------------------------------
    city = GridUnit.objects.get(level=GridUnit.Level.CITY)
    admin = client_for("admin")
    overview_url = f"/service-points/staff/units/{city.pk}/"

    def get_overview():
        response = admin.get(overview_url)
        assert response.status_code == 200, response.status_code

    overview_queries = count_queries(get_overview)
    page = timed(get_overview, runs, warm=5)
    bare = timed(lambda: admin.get("/bench/bare/"), runs, warm=5)
    viewer = User.objects.get(username="admin")
    alone = timed(lambda: selectors.network_overview(viewer=viewer, unit=city), runs, warm=5)
    points = selectors.network_overview(viewer=viewer, unit=city).total_points
    services = RedStationService.objects.count()
    say(
        f"network overview for the city ({points} points, {services} red-station services): "
        f"p50 {page[0]:.1f} ms, p99 {page[1]:.1f} ms over {runs} requests, {overview_queries} queries"
    )
    say(f"ceiling, bare logged-in view: p50 {bare[0]:.1f} ms, p99 {bare[1]:.1f} ms")
    say(f"the overview selector alone (no template): p50 {alone[0]:.1f} ms, p99 {alone[1]:.1f} ms")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reseed", action="store_true", help="drop and seed the database again")
    parser.add_argument("--seconds", type=float, default=20.0, help="time bound per log measurement")
    parser.add_argument("--entries", type=int, default=3000, help="entries bound per log measurement")
    parser.add_argument("--runs", type=int, default=200, help="requests for the overview percentiles")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        lines = measure(args.seconds, args.entries, args.runs)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return
    if args.reseed or database_state() != "seeded":
        seed()
    manage(BENCH_ENV, "migrate", "-v", "0")
    manage(BENCH_ENV, "collectstatic", "--noinput", "-v", "0")
    connection = pg_connect(DB_NAME, autocommit=True)
    with connection.cursor() as cursor:
        # Statistics and visibility maps as autovacuum keeps them on a live system (index-only scans).
        cursor.execute("VACUUM ANALYZE")
    connection.close()
    subprocess.run(
        [
            sys.executable,
            __file__,
            "--measure",
            "--seconds",
            str(args.seconds),
            "--entries",
            str(args.entries),
            "--runs",
            str(args.runs),
        ],
        env=os.environ | BENCH_ENV,
        check=True,
    )


if __name__ == "__main__":
    main()
