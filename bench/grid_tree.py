"""Seed time at the report's scale, and subtree counts over the full tree.

    .venv/bin/python bench/grid_tree.py

Seeds a fresh SQLite file and a fresh PostgreSQL database (guilin_bench_tree)
at --scale 1, then times subtree counts (a district, a street, a community)
beside a bare COUNT(*) of the whole table, the ceiling no subtree count can beat
by much without an index.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

from common import manage, pg_url, recreate_pg, setup_django, timed

DB_NAME = "guilin_bench_tree"
PG_URL = pg_url(DB_NAME)


def measure_queries() -> None:
    """Runs inside a subprocess whose DATABASE_URL names the seeded database."""
    setup_django()
    from django.db import connection

    from grids.models import GridUnit

    vendor = connection.vendor

    total = GridUnit.objects.count()
    bare = timed(lambda: GridUnit.objects.count(), 30)
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
        p50, p99 = timed(lambda u=unit: GridUnit.objects.subtree_of(u).count(), 30)
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
    recreate_pg(DB_NAME)
    pg = {"DATABASE_URL": PG_URL}
    manage(pg, "migrate", "-v", "0")
    seconds = manage(pg, "seed_demo", "--scale", "1", "--no-progress")
    print(f"postgresql: seed_demo --scale 1: {seconds:.1f} s (wall, including interpreter start)")
    subprocess.run([sys.executable, __file__, "--measure"], env=os.environ | pg, check=True)


if __name__ == "__main__":
    main()
