"""`manage.py seed_demo`: the report's city as demo data, every app's step in order."""

import json
import resource
import secrets
import time
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from grids.management.base import SystemCommand
from grids.models import GridUnit, User
from guilin_portal.demo import DEMO_PASSWORD, DemoContext, demo_steps

OVERRIDE_FLAG = "--i-know-this-is-not-production"


def _random_passwords() -> dict[str, str]:
    """Every account the demo gave the published password gets a random one instead (a staging copy).

    Only the demo's named accounts have a usable password (everyone else is created without one):
    a dozen or so, each hashed once.
    """
    passwords = {}
    for user in User.objects.exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX).order_by("username"):
        passwords[user.username] = secrets.token_urlsafe(15)
        user.set_password(passwords[user.username])
        user.save(update_fields=["password"])
    return passwords


def _peak_memory_mb() -> float:
    """This process's peak resident memory so far (Linux reports kilobytes): seeding must stay flat as it grows."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Command(SystemCommand):
    help = "Build demo data at the report's scale (--scale 1), deterministic for a given --seed."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1 = the report's figures; 0.01 for tests")
        parser.add_argument("--seed", type=int, default=2021, help="random seed: the same seed gives the same data")
        parser.add_argument("--reset", action="store_true", help="delete all existing data first")
        parser.add_argument("--no-progress", action="store_true", help="no progress bars")
        parser.add_argument(
            OVERRIDE_FLAG,
            dest="not_production",
            action="store_true",
            help="under production settings, seed a STAGING copy anyway: every demo account gets a random "
            "password, printed once",
        )

    def handle(self, *args, scale: float, seed: int, reset: bool, no_progress: bool, not_production: bool, **options):
        # Production settings: the published demo accounts would be a door in. Refuse before touching anything.
        production = settings.PORTAL_ENVIRONMENT == "production"
        if production and not not_production:
            raise CommandError(
                "seed_demo refuses to run under production settings: the demo accounts are published. "
                "Create the first administrator with `manage.py create_first_admin`. For a staging copy "
                f"only, {OVERRIDE_FLAG} seeds it with random passwords printed once."
            )
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
        with transaction.atomic(), _foreign_keys_checked_after_load(timings):
            _load_settings()
            for step in demo_steps():
                step_started = time.monotonic()
                with _indexes_built_after_load(_tables_of(step)):
                    step.seed(ctx)
                timings.append((step.__name__, time.monotonic() - step_started, _peak_memory_mb()))
            staging_passwords = _random_passwords() if production else None
        analyze_started = time.monotonic()
        _analyze()
        timings.append(("analyze", time.monotonic() - analyze_started, _peak_memory_mb()))
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Demo data at scale {scale:g} (seed {seed}) built in {elapsed:.1f} s."))
        for name, seconds, peak in timings:
            self.stdout.write(f"  {name:<24} {seconds:6.1f} s   peak memory {peak:6.0f} MB")
        if staging_passwords is not None:
            self._print_staging_accounts(ctx, staging_passwords)
        else:
            self._print_accounts(ctx)

    def _print_staging_accounts(self, ctx: DemoContext, passwords: dict[str, str]) -> None:
        """Shown once, written nowhere: the operator hands them out."""
        described = {account.username: account for account in ctx.accounts}
        self.stdout.write("")
        self.stdout.write("Staging copy: random passwords, shown ONLY NOW (stored nowhere):")
        for username, password in sorted(passwords.items()):
            account = described.get(username)
            self.stdout.write(f"  {username:<22} {password}   {account.description if account else ''}")
        for account in ctx.accounts:
            if account.secret:
                self.stdout.write(f"  {account.username:<22} {account.description}   {account.secret}")

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


LOAD_SETTINGS = {
    # One transaction commits the whole seed: nothing gained by waiting for its WAL to reach the disk.
    "synchronous_commit": "off",
    # Sorts and hashes in memory: the staged service records ordered by verification (a million at
    # --scale 10), the roll-ups' groupings, the foreign keys' checks (one join over each table).
    "work_mem": "64MB",
    "maintenance_work_mem": "256MB",  # each index built after its step's load sorts in memory
}


def _load_settings() -> None:
    """PostgreSQL: settings for the seed's transaction only (SET LOCAL: gone at its end)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for name, value in LOAD_SETTINGS.items():
            cursor.execute(f"SET LOCAL {name} = '{value}'")


@contextmanager
def _foreign_keys_checked_after_load(timings: list):
    """PostgreSQL: the foreign keys dropped for the load and added back after it, as pg_restore orders a
    restore. Django's keys are DEFERRABLE INITIALLY DEFERRED: kept, every row queued a check that ran
    one by one at COMMIT (minutes at --scale 10); added back, each key is checked by one join over its
    table. All in the seed's transaction: if anything fails, the keys are back as they were."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # checks already queued in this transaction run now
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND connamespace = current_schema()::regnamespace ORDER BY conrelid, conname"
        )
        keys = cursor.fetchall()
        for table, name, _definition in keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    yield
    started = time.monotonic()
    with connection.cursor() as cursor:
        for table, name, definition in keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # as Django expects for the rest of the transaction
    timings.append(("foreign keys", time.monotonic() - started, _peak_memory_mb()))


def _tables_of(step) -> list[str]:
    """The tables a demo step fills: its app's (grids.demo fills grids' tables)."""
    app = apps.get_containing_app_config(step.__name__)
    return [model._meta.db_table for model in app.get_models(include_auto_created=True)]


@contextmanager
def _indexes_built_after_load(tables: list[str]):
    """PostgreSQL: the tables' plain (non-unique) indexes dropped while a step fills them and built after
    it, as pg_restore orders a restore: one sorted build per index instead of an insertion per row into
    indexes that outgrow the shared buffers (the tree's bounding boxes, the records and postings by
    volunteer and date). Unique indexes stay: they hold the data to its keys during the load. Step by step,
    so the next step reads what this one wrote by its indexes. In the seed's transaction: if anything
    fails, the indexes are back as they were."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT index.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class index ON index.oid = i.indexrelid "
            "WHERE NOT i.indisunique AND i.indrelid = ANY(%s::regclass[]) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = i.indexrelid) "
            "ORDER BY i.indrelid, index.relname",
            [tables],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for _name, definition in indexes:  # maintenance_work_mem: see LOAD_SETTINGS
            cursor.execute(definition)


def _analyze() -> None:
    """Planner statistics for the tables just filled (PostgreSQL). Autovacuum gets to them only later:
    until then every list and dashboard is planned as if the tables were nearly empty (a freshly seeded
    scale-1 city read a district's first page by a sequential scan and hash join, planned in 14 ms)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            if not connection.in_atomic_block:
                # Subtree filters read unit ids by an index-only scan (gridunit_path_ids), which reads the
                # table too until a vacuum has marked its pages all-visible.
                cursor.execute("VACUUM grids_gridunit")
