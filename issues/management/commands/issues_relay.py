"""`manage.py issues_relay`: send logged issues for routing, woken by their commit (PostgreSQL LISTEN).

One long-running process (ops/systemd/guilin-issues-relay.service). A committed INSERT of issues
sends `NOTIFY issues_logged` (issues/migrations/0007); each wake-up sends every issue still waiting
and never sent as one routing task (issues.services.routing.issues_relay_waiting). It also looks
every --poll seconds without a notice, and at start, so nothing waits on a notice it missed. Under
load the sends are at least --gather seconds apart: one task carries the issues logged meanwhile.
A lost database connection ends the command with an error; systemd starts it again.
"""

import select
import time

from django.core.management.base import CommandError
from django.db import connection

from grids.management.base import SystemCommand
from issues import services

CHANNEL = "issues_logged"
BATCH = 500  # issues per routing task


class Command(SystemCommand):
    help = "Send logged issues for routing as they commit (LISTEN issues_logged), in batches; PostgreSQL."

    def add_arguments(self, parser):
        parser.add_argument("--gather", type=float, default=0.25, help="seconds at least between two sends")
        parser.add_argument("--poll", type=float, default=5.0, help="seconds to wait for a notice before looking")
        parser.add_argument("--once", action="store_true", help="send what waits now and stop")

    def handle(self, *args, gather: float, poll: float, once: bool, **options):
        if once:
            self._send_all()
            return
        if connection.vendor != "postgresql":
            raise CommandError("issues_relay listens for commits with PostgreSQL's LISTEN: run it on PostgreSQL.")
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute(f"LISTEN {CHANNEL}")
        raw = connection.connection
        while True:
            started = time.monotonic()
            self._send_all()
            if select.select([raw], [], [], poll)[0]:
                raw.poll()
                raw.notifies.clear()
            time.sleep(max(0.0, gather - (time.monotonic() - started)))

    def _send_all(self) -> None:
        while len(services.issues_relay_waiting(limit=BATCH)) == BATCH:
            pass
