"""`manage.py dashboards_rollup [--full]`: refresh the issue roll-up now (the same services the beat jobs run)."""

from dashboards.services import issue_rollup_rebuild, issue_rollup_refresh
from grids.management.base import SystemCommand


class Command(SystemCommand):
    help = (
        "Refresh the dashboards' issue roll-up: the months changed since the last refresh, or everything with --full."
    )

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="recount every month (as the nightly job does)")

    def handle(self, *args, full=False, **options):
        result = issue_rollup_rebuild() if full else issue_rollup_refresh()
        months = "every month" if result.months == 0 else f"{result.months} month(s)"
        self.stdout.write(
            self.style.SUCCESS(
                f"Issue roll-up: {months} recounted, {result.rows} rows written in {result.seconds:.2f} s."
            )
        )
