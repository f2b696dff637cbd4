"""Point-to-grid lookup and served boundary sizes over the demo city's tree at scale 1, on PostgreSQL.

    .venv/bin/python bench/geography.py              # seeds the grid tree (grids' demo step only) if empty
    PORTAL_BENCH_GEO_DB=guilin_h14a .venv/bin/python bench/geography.py --reseed

The tree is the demo's at scale 1: 73,500 units with boundaries, 56,000 responsibility zones and 5,200
micro-grids (片区), every one a cell of its parent (grids/demo_geometry.py). Figures, each beside a ceiling
measured in the same run:

- `units_containing` (the box prefilter in SQL, then Shapely) for 400 points drawn inside random zones and
  across the city's box, as the system and as a grid worker (jurisdiction-scoped): p50/p99, queries;
- `suggest_micro_grid` for a grid worker (what the log form asks);
- GET /grids/locate/ and GET /api/v1/units/?contains= through the whole Django stack;
- the ceiling: the bare bounding-box SELECT of the same points (ids only, no jurisdiction, no geometry);
- the size of /grids/<pk>/map.geojson per level (a district, and the city's districts), raw and gzipped.

Results go to bench/results/geography.txt.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import sys
import time

from common import ROOT, count_queries, manage, pg_connect, production_env, recreate_pg, setup_django, timed

DB_NAME = os.environ.get("PORTAL_BENCH_GEO_DB", "guilin_geography")
RESULTS = ROOT / "bench" / "results" / "geography.txt"
POINTS = 400
BENCH_ENV = production_env(DB_NAME)


def has_tree() -> bool:
    import psycopg2

    try:
        connection = pg_connect(DB_NAME)
    except psycopg2.OperationalError:
        return False
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('grids_gridunit')")
            if cursor.fetchone()[0] is None:
                return False
            cursor.execute("SELECT count(*) FROM grids_gridunit WHERE boundary IS NOT NULL")
            return cursor.fetchone()[0] >= 70_000
    finally:
        connection.close()


def seed_tree() -> None:
    """Only the grid tree and its people (grids' demo step): what the lookup reads."""
    from django.db import transaction
    from django.utils import timezone

    from grids import demo
    from guilin_portal.demo import DemoContext

    started = time.perf_counter()
    with transaction.atomic():
        demo.seed(DemoContext(scale=1, seed=7, now=timezone.now(), show_progress=False))
    print(f"(seeded the grid tree at scale 1 in {time.perf_counter() - started:.1f} s)", flush=True)


def measure(lines: list[str]) -> None:
    setup_django(BENCH_ENV)
    from django.db import connection
    from django.test import Client

    from grids.geography import suggest_micro_grid, units_containing
    from grids.models import GridUnit, Post, User
    from grids.viewer import Viewer

    if not GridUnit.objects.filter(boundary__isnull=False).exists():
        seed_tree()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE grids_gridunit")

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    rng = random.Random(14)
    zones = GridUnit.objects.filter(level=GridUnit.Level.ZONE)
    counts = {level: GridUnit.objects.filter(level=level).count() for level in GridUnit.Level.values}
    say(f"tree: {sum(counts.values()):,} units; zones {counts[7]:,}; micro-grids (片区) {counts[5]:,}")
    boxes = list(zones.order_by("?")[: POINTS // 2].values_list("bbox_south", "bbox_west", "bbox_north", "bbox_east"))
    points = [(rng.uniform(s, n), rng.uniform(w, e)) for s, w, n, e in boxes]
    points += [(rng.uniform(24.3, 26.4), rng.uniform(109.6, 111.5)) for _ in range(POINTS - len(points))]
    cycle = iter(points * 1000)

    def bare_box() -> None:
        lat, lng = next(cycle)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM grids_gridunit WHERE bbox_south <= %s AND bbox_north >= %s "
                "AND bbox_west <= %s AND bbox_east >= %s",
                [lat, lat, lng, lng],
            )
            cursor.fetchall()

    def figure(name: str, fn, ceiling: float | None) -> float:
        queries = count_queries(fn)
        p50, p99 = timed(fn, POINTS, warm=20)
        ratio = "" if ceiling is None else f"  ({p50 / ceiling:.1f}x the bare box query)"
        say(f"{name:<62} p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  queries {queries}{ratio}")
        return p50

    ceiling = figure("ceiling: bare bounding-box SELECT (ids only)", bare_box, None)
    system = Viewer.system()
    figure("units_containing, system (every level)", lambda: units_containing(system, *next(cycle)), ceiling)
    figure(
        "units_containing, system, zones only",
        lambda: units_containing(system, *next(cycle), level=GridUnit.Level.ZONE),
        ceiling,
    )
    worker_post = Post.objects.filter(role=Post.Role.GRID_WORKER).select_related("unit", "user").order_by("pk").first()
    worker = Viewer.for_user(worker_post.user)
    worker.standing  # noqa: B018 (read once per request, as the middleware does)
    area = worker_post.unit
    inside = [
        (rng.uniform(area.bbox_south, area.bbox_north), rng.uniform(area.bbox_west, area.bbox_east)) for _ in range(50)
    ]
    mine = iter(inside * 1000)
    figure(
        "suggest_micro_grid, a grid worker, points in their grid",
        lambda: suggest_micro_grid(worker, *next(mine)),
        ceiling,
    )
    figure(
        "suggest_micro_grid, a grid worker, points anywhere", lambda: suggest_micro_grid(worker, *next(cycle)), ceiling
    )
    district_user = User.objects.filter(posts__role=Post.Role.DISTRICT_STAFF).order_by("pk").first()
    staff = Client()
    staff.force_login(district_user)
    field = Client()
    field.force_login(worker_post.user)
    figure(
        "GET /grids/locate/ (grid worker, whole stack)",
        lambda: field.get("/grids/locate/", dict(zip(("lat", "lng"), next(mine), strict=True))),
        ceiling,
    )
    figure(
        "GET /api/v1/units/?contains= (district staff, whole stack)",
        lambda: staff.get("/api/v1/units/", {"contains": "{},{}".format(*next(cycle))}),
        ceiling,
    )
    # Served boundaries per level: the biggest district's map at a zoom where the level is what one looks at.
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser("bench_geo_admin")
    client = Client()
    client.force_login(admin)
    city = GridUnit.objects.get(level=GridUnit.Level.CITY)
    district = max(
        GridUnit.objects.filter(level=GridUnit.Level.DISTRICT),
        key=lambda d: GridUnit.objects.filter(path__startswith=d.path, level=GridUnit.Level.ZONE).count(),
    )
    say("")
    say(
        f"served boundaries (map.geojson), raw / gzipped (what a browser receives: the view gzips); district = {district.name} (the most zones)"
    )
    # A desk screen (1920 x 1080 px) at zoom 14 over the district's centre: the window a zone map asks for.
    half_w, half_h = 1920 / 2 * 360 / (256 * 2**14), 1080 / 2 * 360 / (256 * 2**14)
    lat, lng = district.centroid_lat, district.centroid_lng
    desk = {"bbox": f"{lng - half_w},{lat - half_h},{lng + half_w},{lat + half_h}"}
    for unit, level, zoom, window in [
        (city, 2, 8, {}),
        (district, 3, 10, {}),
        (district, 4, 11, {}),
        (district, 5, 12, {}),
        (district, 6, 13, {}),
        (district, 7, 14, {}),
        (district, 7, 14, desk),
    ]:
        started = time.perf_counter()
        response = client.get(f"/grids/{unit.pk}/map.geojson", {"level": level, "zoom": zoom, **window})
        assert "gzip" not in response.get("Content-Encoding", "")  # no Accept-Encoding sent: the raw size
        seconds = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        body = response.content
        features = body.count(b'"Feature"')
        say(
            f"  {unit.name} level {level} zoom {zoom}{' desk window' if window else ''}: {features:>6,} features"
            f"  {len(body) / 1024:8.0f} KB"
            f"  gzip {len(gzip.compress(body)) / 1024:6.0f} KB  {seconds * 1000:6.0f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reseed", action="store_true", help="drop the database and seed the tree again")
    args = parser.parse_args()
    if args.reseed or not has_tree():
        recreate_pg(DB_NAME)
        manage(BENCH_ENV, "migrate", "-v", "0")
    lines: list[str] = [f"Geography bench (issue 14), PostgreSQL {DB_NAME}, {POINTS} points per figure", ""]
    measure(lines)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"(written to {RESULTS.relative_to(ROOT)})")


if __name__ == "__main__":
    main()
    sys.exit(0)
