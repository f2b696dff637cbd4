"""The verified service records on their way to the ledger (`ledger.seed_ledger`), which takes them in the
order they were verified, so that each posting's balance-after is what the services would have written.

They are made in another order (activity by activity, then member by member): a million of them at
--scale 10. On PostgreSQL they wait in a temporary table as they are made, which sorts them, and Python
holds one chunk at a time: the seed's memory stays flat as the scale grows. On SQLite (the embedded
default, seeded at scale 1) they wait in a list.
"""

from __future__ import annotations

from collections.abc import Iterator
from operator import attrgetter

from django.db import connection

from guilin_portal.demo import CHUNK, copy_rows

from .ledger import Rec

# What a record knows before the ledger has posted it (its points and entry come from the posting).
STAGED = (
    "volunteer_id", "team_id", "source", "activity_id", "signup_id", "category_id", "kind", "unit_id",
    "started_at", "ended_at", "hours", "description", "solved_difficulty", "status", "verified_by_id",
    "verified_at", "issue_id",
)  # fmt: skip
_TABLE = "volunteers_demo_record_stage"


class ListStage:
    def __init__(self) -> None:
        self.count = 0
        self._records: list[Rec] = []

    def add(self, record: Rec) -> None:
        self._records.append(record)
        self.count += 1

    def in_verification_order(self) -> Iterator[Rec]:
        # Stable: records verified at the same moment keep the order they were made in.
        records, self._records = self._records, []
        return iter(sorted(records, key=attrgetter("verified_at")))


class TableStage:
    def __init__(self) -> None:
        self.count = 0
        self._rows: list[tuple] = []
        self._values = attrgetter(*STAGED)
        with connection.cursor() as cursor:
            # Typed like the records' own columns, without their constraints; gone when the seed commits.
            cursor.execute(
                f"CREATE TEMPORARY TABLE {_TABLE} ON COMMIT DROP AS "
                f"SELECT 0::bigint AS seq, {', '.join(_columns())} FROM volunteers_servicerecord WITH NO DATA"
            )

    def add(self, record: Rec) -> None:
        self._rows.append((self.count, *self._values(record)))
        self.count += 1
        if len(self._rows) >= CHUNK:
            self._write()

    def _write(self) -> None:
        copy_rows(_TABLE, ["seq", *STAGED], self._rows)
        self._rows.clear()

    def in_verification_order(self) -> Iterator[Rec]:
        """The records rebuilt a chunk at a time from a server-side cursor; the table dropped after the last."""
        self._write()
        with connection.chunked_cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(_columns())} FROM {_TABLE} ORDER BY verified_at, seq")
            while rows := cursor.fetchmany(CHUNK):
                for row in rows:
                    yield _record(row)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {_TABLE}")


def record_stage() -> ListStage | TableStage:
    return TableStage() if connection.vendor == "postgresql" else ListStage()


def _columns() -> list[str]:
    return [connection.ops.quote_name(name) for name in STAGED]


def _record(row: tuple) -> Rec:
    record = Rec(*row[:12])
    (
        record.solved_difficulty,
        record.status,
        record.verified_by_id,
        record.verified_at,
        record.issue_id,
    ) = row[12:]
    return record
