"""Operations for migrations: kept stable, as migrations import them for as long as they exist."""

from __future__ import annotations

from collections.abc import Callable


def on_postgresql(sql: str) -> Callable:
    """A RunPython function that runs `sql` on PostgreSQL and does nothing elsewhere (the embedded SQLite
    default has no PL/pgSQL functions or statement triggers)."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run
