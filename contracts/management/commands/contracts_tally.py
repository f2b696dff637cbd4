"""`manage.py contracts_tally`: compute a quarter's contract tallies now (the same service the beat job runs)."""

import time

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import timezone

from contracts.models import TallyRun
from contracts.periods import previous_quarter
from contracts.services import tally_quarter
from grids.management.base import SystemCommand


class Command(SystemCommand):
    help = "Compute the quarterly tally of co-building contracts (default: the last quarter that has ended)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="contract year (default: that of the last ended quarter)")
        parser.add_argument("--quarter", type=int, choices=[1, 2, 3, 4], help="quarter 1–4")

    def handle(self, *args, year=None, quarter=None, **options):
        if (year is None) != (quarter is None):
            raise CommandError("Give both --year and --quarter, or neither for the last ended quarter.")
        if year is None:
            year, quarter = previous_quarter(timezone.localdate())
        started = time.monotonic()
        try:
            run = tally_quarter(year=year, quarter=quarter, trigger=TallyRun.Trigger.COMMAND)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Tallied {year} Q{quarter}: {run.rows} rows written or changed in {time.monotonic() - started:.2f} s."
            )
        )
