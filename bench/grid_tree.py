"""Seed time at the report's scale, and subtree counts over the full tree.

    .venv/bin/python bench/grid_tree.py

Seeds a fresh SQLite file and a fresh PostgreSQL database (guilin_bench_tree)
at --scale 1, then times subtree counts (a district, a street, a community)
beside a bare COUNT(*) of the whole table, the ceiling no subtree count can beat
by much without an index.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:5432/guilin_bench_tree"


def manage(env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=os.environ | env, check=True, capture_output=True
    )
    return time.perf_counter() - started


def recreate_pg() -> None:
    import psycopg2

    connection = psycopg2.connect("dbname=postgres user=postgres host=127.0.0.1")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("DROP DATABASE IF EXISTS guilin_bench_tree")
        cursor.execute("CREATE DATABASE guilin_bench_tree")
    connection.close()


def measure_queries() -> None:
    """Runs inside a subprocess whose DATABASE_URL names the seeded database."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guilin_portal.settings")
    import django

    django.setup()
    from django.db import connection

    from grids.models import GridUnit

    vendor = connection.vendor

    def timed(fn, runs: int = 30) -> tuple[float, float]:
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - started) * 1000)
        samples.sort()
        return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]

    total = GridUnit.objects.count()
    bare = timed(lambda: GridUnit.objects.count())
    print(f"{vendor}: bare COUNT(*) over {total} units (ceiling): p50 {bare[0]:.2f} ms, p99 {bare[1]:.2f} ms")
    for level, label in (
        (GridUnit.Level.DISTRICT, "district"),
        (GridUnit.Level.STREET, "street"),
        (GridUnit.Level.COMMUNITY, "community"),
    ):
        # The largest unit of the level: the worst case for a subtree count.
        unit = max(
            GridUnit.objects.filter(level=level).only("path")[:40], key=lambda u: GridUnit.objects.subtree_of(u).count()
        )
        size = GridUnit.objects.subtree_of(unit).count()
        p50, p99 = timed(lambda u=unit: GridUnit.objects.subtree_of(u).count())
        print(
            f"{vendor}: subtree count of a {label} ({size} units): p50 {p50:.2f} ms, p99 {p99:.2f} ms, "
            f"{p50 / bare[0]:.2f}x the bare COUNT(*), 1 query"
        )


def main() -> None:
    if sys.argv[1:] == ["--measure"]:
        measure_queries()
        return
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = {"DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"}
        manage(sqlite, "migrate", "-v", "0")
        seconds = manage(sqlite, "seed_demo", "--scale", "1", "--no-progress")
        print(f"sqlite: seed_demo --scale 1: {seconds:.1f} s (wall, including interpreter start)")
        subprocess.run([sys.executable, __file__, "--measure"], env=os.environ | sqlite, check=True)
    recreate_pg()
    pg = {"DATABASE_URL": PG_URL}
    manage(pg, "migrate", "-v", "0")
    seconds = manage(pg, "seed_demo", "--scale", "1", "--no-progress")
    print(f"postgresql: seed_demo --scale 1: {seconds:.1f} s (wall, including interpreter start)")
    subprocess.run([sys.executable, __file__, "--measure"], env=os.environ | pg, check=True)


if __name__ == "__main__":
    main()
