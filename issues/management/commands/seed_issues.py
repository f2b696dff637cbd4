"""`manage.py seed_issues --total 1000000`: grow a seeded city's issues to a benchmark size, set-based."""

import time

from django.core.management.base import CommandError
from django.db import connection, transaction

from grids.management.base import SystemCommand
from grids.models import GridUnit
from issues.demo_bulk import GENERATED, issues_grow


class Command(SystemCommand):
    help = (
        "Add generated issues (INSERT ... SELECT generate_series, PostgreSQL) until the database holds --total; "
        "run after seed_demo, then `dashboards_rollup` (or let the first dashboard read refresh it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--total", type=int, required=True, help="issues the table should hold, e.g. 1000000")
        parser.add_argument("--chunk", type=int, default=250_000, help="rows per INSERT statement")
        parser.add_argument("--remove", action="store_true", help="delete the issues an earlier run generated first")

    def handle(self, *args, total: int, chunk: int, remove: bool, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_issues generates rows with generate_series: run it on PostgreSQL (DATABASE_URL).")
        if not GridUnit.objects.filter(level=GridUnit.Level.ZONE).exists():
            raise CommandError("No grid tree: run `manage.py seed_demo` first.")
        if total < 0 or chunk <= 0:
            raise CommandError("--total must be 0 or more and --chunk more than 0")
        started = time.monotonic()
        with transaction.atomic():
            if remove:
                with connection.cursor() as cursor:
                    cursor.execute("DELETE FROM grids_issue WHERE description LIKE %s", [GENERATED + "%"])
                    self.stdout.write(f"Deleted {cursor.rowcount:,} generated issues.")

            def progress(done: int, wanted: int) -> None:
                self.stderr.write(f"  {done:,} / {wanted:,} issues ({time.monotonic() - started:.0f} s)")

            added = issues_grow(total=total, chunk=chunk, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(f"Added {added:,} issues in {time.monotonic() - started:.1f} s (set-based).")
        )
