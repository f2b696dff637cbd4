"""Helpers the bench scripts share: manage.py, the PostgreSQL database, Django set-up, timing and output.

Each script runs as `.venv/bin/python bench/<name>.py` (and re-runs itself by its
file name), so bench/ is sys.path[0] and `from common import ...` finds this
module. Everything here is a plain function; what differs between the scripts
(the database name, the environment, the results file) is a parameter.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------------
# manage.py and the database
# ---------------------------------------------------------------------------
def manage(env: dict[str, str], *args: str, capture: bool = True) -> float:
    """Run `manage.py *args` in the project root with `env` over os.environ; its wall time in seconds.

    Raises CalledProcessError if the command fails. Its output is captured (not
    shown) unless `capture` is false.
    """
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=os.environ | env, check=True, capture_output=capture
    )
    return time.perf_counter() - started


def pg_url(db_name: str) -> str:
    """The DATABASE_URL of the database `db_name` on the local PostgreSQL (127.0.0.1:5432, user postgres)."""
    return f"postgres://postgres@127.0.0.1:5432/{db_name}"


def production_env(db_name: str) -> dict[str, str]:
    """Production settings on the local PostgreSQL database `db_name`, as a bench serves requests.

    DEBUG off (no query log in memory, hashed static names collected once into the ignored results
    folder), no broker, no second factor, warnings only.
    """
    return {
        "DATABASE_URL": pg_url(db_name),
        "DJANGO_SETTINGS_MODULE": "guilin_portal.settings.production",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
        "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "PORTAL_REQUIRE_2FA": "false",
        "PORTAL_LOG_LEVEL": "WARNING",
        "CELERY_BROKER_URL": "",
        "DJANGO_STATIC_ROOT": str(ROOT / "bench" / "results" / "static"),
    }


def pg_connect(db_name: str = "postgres", *, autocommit: bool = False):
    """A psycopg2 connection to `db_name` on the local PostgreSQL as user postgres (the caller closes it)."""
    import psycopg2

    connection = psycopg2.connect(f"dbname={db_name} user=postgres host=127.0.0.1")
    if autocommit:
        connection.autocommit = True
    return connection


def recreate_pg(db_name: str) -> None:
    """Drop the database `db_name` if it exists and create it empty.

    Sessions still connected to it are terminated first (DROP DATABASE refuses
    otherwise), and the name is quoted as an identifier.
    """
    from psycopg2 import sql

    connection = pg_connect(autocommit=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [db_name],
            )
            name = sql.Identifier(db_name)
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(name))
    finally:
        connection.close()


def prepare_database(db_name: str, env: dict[str, str], scale: float) -> None:
    """Recreate `db_name`, migrate it and seed the demo city at `scale`; prints the seed time.

    `env` is the environment of the manage.py runs (over os.environ); it names the
    same database in DATABASE_URL. The migration's output is shown, the seed's is not.
    """
    recreate_pg(db_name)
    manage(env, "migrate", "-v0", capture=False)
    seconds = manage(env, "seed_demo", "--scale", str(scale), "--no-progress")
    print(f"(seeded the demo city at scale {scale} on PostgreSQL in {seconds:.1f} s)")


def setup_django(env: dict[str, str] | None = None, *, defaults: dict[str, str] | None = None) -> None:
    """Set Django up in this process, on the project's settings unless DJANGO_SETTINGS_MODULE names others.

    `env` is written into os.environ first; `defaults` only where a variable is
    not set already. The project root goes to the front of sys.path.
    """
    os.environ.update(env or {})
    for name, value in (defaults or {}).items():
        os.environ.setdefault(name, value)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guilin_portal.settings.development")
    import django

    django.setup()


# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------
def samples_ms(fn: Callable[[], object], runs: int, *, warm: int = 0) -> list[float]:
    """Call `fn` `warm` times untimed, then `runs` times; the timed calls' wall times in ms, in call order."""
    for _ in range(warm):
        fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def timed(fn: Callable[[], object], runs: int, *, warm: int = 0) -> tuple[float, float]:
    """p50 and p99 in ms of `runs` calls of `fn` after `warm` untimed ones.

    The p99 is the sorted sample at index int(0.99 * runs) - 1 (the first one for
    a single run), so below 100 runs it leaves the slowest call out.
    """
    samples = sorted(samples_ms(fn, runs, warm=warm))
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.99) - 1)]


def percentile(samples: list[float], fraction: float) -> float:
    """The sample at `fraction` of the sorted samples: index int(n * fraction), at most the largest."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def count_queries(fn: Callable[[], object]) -> int:
    """How many statements one call of `fn` sends to Django's default database (an execute wrapper, no query log)."""
    from django.db import connection

    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        fn()
    return count


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------
def printer_to_file(path: Path) -> Callable[[str], None]:
    """An `out(line)` that prints the line (flushed) and appends it to the results file `path`."""

    def out(line: str) -> None:
        print(line, flush=True)
        path.parent.mkdir(exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    return out


def printer_to_list(lines: list[str]) -> Callable[[str], None]:
    """A `say(line)` that prints the line (flushed) and keeps it in `lines`, for the script to write out at the end."""

    def say(line: str) -> None:
        print(line, flush=True)
        lines.append(line)

    return say
