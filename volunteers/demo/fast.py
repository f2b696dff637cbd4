"""Explicit keys for the demo's large tables (hundreds of thousands of ledger postings).

The rows go in as plain tuples through `guilin_portal.demo.insert_rows`; rows that others refer to get
explicit ids (handed out by `IdBlock`), and the PostgreSQL sequences are moved past them afterwards.
Only the demo uses this: the services write one row at a time, through the ORM, under their locks.
"""

from __future__ import annotations

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

from guilin_portal.demo import CHUNK, insert_rows  # noqa: F401 - the volunteer steps import them from here


class IdBlock:
    """Consecutive primary keys after the table's current maximum."""

    def __init__(self, model: type[models.Model]) -> None:
        self.next = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value


def reset_sequences(*models_: type[models.Model]) -> None:
    """After explicit ids: move PostgreSQL's sequences past them (SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def analyze_tables() -> None:
    """Fresh statistics for the tables just filled (PostgreSQL): without them the planner estimates one row
    per table and picks nested loops over 100,000 records until autovacuum comes by."""
    if connection.vendor != "postgresql":
        return
    from django.apps import apps

    with connection.cursor() as cursor:
        for model in apps.get_app_config("volunteers").get_models():
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
