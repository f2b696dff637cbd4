"""`manage.py seed_demo`: the report's city as demo data, every app's step in order."""

import json
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from grids.management.base import SystemCommand
from grids.models import GridUnit
from guilin_portal.demo import DEMO_PASSWORD, DemoContext, demo_steps


class Command(SystemCommand):
    help = "Build demo data at the report's scale (--scale 1), deterministic for a given --seed."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1 = the report's figures; 0.01 for tests")
        parser.add_argument("--seed", type=int, default=2021, help="random seed: the same seed gives the same data")
        parser.add_argument("--reset", action="store_true", help="delete all existing data first")
        parser.add_argument("--no-progress", action="store_true", help="no progress bars")

    def handle(self, *args, scale: float, seed: int, reset: bool, no_progress: bool, **options):
        if scale <= 0:
            raise CommandError("--scale must be greater than 0")
        if GridUnit.objects.exists():
            if not reset:
                raise CommandError(
                    "The database already holds a grid tree; seed_demo refuses to run twice. "
                    "Use --reset to delete everything and seed again."
                )
            self.stderr.write("Deleting existing data (--reset)...")
            call_command("flush", interactive=False, verbosity=0)

        started = time.monotonic()
        ctx = DemoContext(
            scale=scale,
            seed=seed,
            now=timezone.now(),
            stderr=self.stderr._out,
            show_progress=not no_progress,
        )
        timings = []
        with transaction.atomic():
            for step in demo_steps():
                step_started = time.monotonic()
                step.seed(ctx)
                timings.append((step.__name__, time.monotonic() - step_started))
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Demo data at scale {scale:g} (seed {seed}) built in {elapsed:.1f} s."))
        for name, seconds in timings:
            self.stdout.write(f"  {name:<24} {seconds:6.1f} s")
        self._print_accounts(ctx)

    def _print_accounts(self, ctx: DemoContext) -> None:
        if not settings.DEMO_MODE:
            self.stdout.write("Demo accounts were created without usable passwords (not in demo mode).")
            return
        # Kept beside the database so `dev.py start` can show them again on the next start.
        accounts_file = settings.BASE_DIR / "var" / "demo_accounts.json"
        accounts_file.parent.mkdir(parents=True, exist_ok=True)
        accounts_file.write_text(
            json.dumps(
                {"password": DEMO_PASSWORD, "accounts": [vars(account) for account in ctx.accounts]},
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for account in ctx.accounts:
            secret = f"   {account.secret}" if account.secret else ""
            self.stdout.write(f"  {account.username:<22} {account.description}{secret}")
