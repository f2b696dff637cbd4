"""`seed_demo` at scale: wall time, CPU (this process and the PostgreSQL backend's) and peak memory, beside a
bare set-based write of as many rows in the same run.

    .venv/bin/python bench/seed_demo.py                      # SQLite at scale 1, PostgreSQL at 1 and 10
    .venv/bin/python bench/seed_demo.py --runs pg:1 sqlite:1  # some of them
    .venv/bin/python bench/seed_demo.py --keep                # leave the databases (guilin_bench_seed_*)

Each run seeds a fresh database in a child process under `/usr/bin/time -v` (its "Maximum resident set
size" is the peak memory) and reports its steps' times and peak memory as seed_demo prints them. The
PostgreSQL backend's CPU is read from /proc (same machine), because on a shared machine the wall time
says more about the neighbours than about the seed. The ceiling: `CREATE TABLE ... AS SELECT` of as
many rows as the seed wrote (four columns: an id, a text, a time, a number), the bare cost of putting
that many rows on disk in one statement. Figures go to stdout and bench/results/seed_demo.txt.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, manage, pg_connect, pg_url, printer_to_file, recreate_pg

RESULTS = ROOT / "bench" / "results" / "seed_demo.txt"
DB_PREFIX = "guilin_bench_seed"
out = printer_to_file(RESULTS)

# Run inside the child: seed_demo through call_command, then this process's CPU and the backend's.
CHILD = r"""
import os, resource, sys, time
sys.path.insert(0, os.getcwd())
import django
django.setup()
from django.core.management import call_command
from django.db import connection

def backend_cpu():
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = open(f"/proc/{pid}/stat").read().split(")")[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

before = backend_cpu()
started = time.monotonic()
call_command("seed_demo", scale=float(sys.argv[1]), no_progress=True, skip_checks=True)
wall = time.monotonic() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
rows = 0
with connection.cursor() as cursor:
    for table in connection.introspection.django_table_names(only_existing=True):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        rows += cursor.fetchone()[0]
print(f"RESULT wall={wall:.1f} cpu={usage.ru_utime + usage.ru_stime:.1f} backend={backend_cpu() - before:.1f} rows={rows}")
"""


def run(vendor: str, scale: str, keep: bool) -> None:
    name = f"{DB_PREFIX}_{vendor}_{scale.replace('.', '_')}"
    if vendor == "pg":
        recreate_pg(name)
        url = pg_url(name)
        sqlite_file = None
    else:
        sqlite_file = Path(tempfile.gettempdir()) / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{sqlite_file}"
    env = {
        "DATABASE_URL": url,
        "PORTAL_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "guilin_portal.settings.development",
    }
    manage(env, "migrate", "-v0")
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as script:
        script.write(CHILD)
    try:
        done = subprocess.run(
            ["/usr/bin/time", "-v", sys.executable, script.name, scale],
            cwd=ROOT,
            env=os.environ | env,
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(script.name)
    text = done.stdout + done.stderr
    result = dict(re.findall(r"(\w+)=([\d.]+)", re.search(r"RESULT .*", text)[0]))
    peak_mb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)[1]) / 1024
    steps = re.findall(r"^\s+(\S+\.demo)\s+([\d.]+) s\s+peak memory\s+(\d+) MB", text, re.M)
    ceiling = _ceiling(int(result["rows"])) if vendor == "pg" else None
    label = f"{'postgresql' if vendor == 'pg' else 'sqlite'} scale {scale}"
    out(
        f"{label}: {result['wall']} s wall, {result['cpu']} s CPU + {result['backend']} s database backend CPU, "
        f"peak RSS {peak_mb:.0f} MB, {int(result['rows']):,} rows"
        + (f"; ceiling (bare CREATE TABLE AS of as many rows): {ceiling:.1f} s" if ceiling is not None else "")
    )
    for step, seconds, peak in steps:
        out(f"    {step:<24} {seconds:>7} s   peak {peak:>5} MB")
    if not keep:
        if vendor == "pg":
            connection = pg_connect(autocommit=True)
            try:
                with connection.cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            finally:
                connection.close()
        elif sqlite_file is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)


def _ceiling(rows: int) -> float:
    """Seconds to write `rows` rows of four columns in one set-based statement, in a scratch database."""
    name = f"{DB_PREFIX}_ceiling"
    recreate_pg(name)
    connection = pg_connect(name)
    try:
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(
                "CREATE TABLE bare AS SELECT g AS id, md5(g::text) AS note, now() AS at, g %% 97 AS n "
                "FROM generate_series(1, %s) g",
                [rows],
            )
            connection.commit()
            return time.perf_counter() - started
    finally:
        connection.close()
        admin = pg_connect(autocommit=True)
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", nargs="*", default=["sqlite:1", "pg:1", "pg:10"], help="vendor:scale, vendor pg|sqlite"
    )
    parser.add_argument("--keep", action="store_true", help="keep the seeded databases")
    args = parser.parse_args()
    out(f"# seed_demo at scale, {time.strftime('%Y-%m-%d %H:%M')} on {os.uname().nodename} ({os.cpu_count()} CPUs)")
    for spec in args.runs:
        vendor, _colon, scale = spec.partition(":")
        run(vendor, scale or "1", args.keep)


if __name__ == "__main__":
    main()
