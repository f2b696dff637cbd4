"""A fast path for the demo's large tables (hundreds of thousands of ledger postings).

`ctx.bulk_create` builds a model instance per row and, on SQLite, one INSERT
per 999 parameters; at 400,000 postings that alone would take half a minute.
Here rows are plain tuples sent with one prepared statement (`executemany` on
SQLite, `COPY ... FROM STDIN` on PostgreSQL: no SQL text per row to build and parse, a fifth of
`execute_values`'s time). Rows that others refer to get
explicit ids (handed out by `IdBlock`), and the PostgreSQL sequences are moved
past them afterwards. Only the demo uses this: the services write one row at a
time, through the ORM, under their locks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO
from itertools import islice

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

from guilin_portal.demo import DemoContext

CHUNK = 20_000


class IdBlock:
    """Consecutive primary keys after the table's current maximum."""

    def __init__(self, model: type[models.Model]) -> None:
        self.next = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value


def _sqlite_datetime(value: datetime) -> str:
    # What Django writes for an aware datetime on SQLite (naive UTC text), without its per-value checks.
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


def _converter(field: models.Field):
    if isinstance(field, models.DateTimeField):
        # psycopg2 takes aware datetimes as they are.
        return _sqlite_datetime if connection.vendor == "sqlite" else None
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    return None


# COPY's text format: backslash, tab, newline and carriage return escaped; NULL is \N.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """PostgreSQL: the rows into the table with one COPY (values as psycopg2 would send them)."""
    qn = connection.ops.quote_name
    buffer = StringIO()
    buffer.writelines("\t".join(map(_copy_text, row)) + "\n" for row in rows)
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN", buffer)


def insert_rows(
    ctx: DemoContext,
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence],
    *,
    total: int,
    label: str,
) -> int:
    """Insert tuples whose items follow `fields` (attnames such as "volunteer_id"); returns the count."""
    meta = model._meta
    by_attname = {f.attname: f for f in meta.concrete_fields}
    columns = [by_attname[name].column for name in fields]
    converters = [(i, conv) for i, name in enumerate(fields) if (conv := _converter(by_attname[name]))]
    qn = connection.ops.quote_name
    head = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(c) for c in columns)}) VALUES "
    written = 0
    iterator = iter(rows)
    with connection.cursor() as cursor, ctx.progress(label, total) as bar:
        while chunk := list(islice(iterator, CHUNK)):
            if converters:
                converted = []
                for row in chunk:
                    row = list(row)
                    for i, conv in converters:
                        if row[i] is not None:
                            row[i] = conv(row[i])
                    converted.append(row)
                chunk = converted
            if connection.vendor == "postgresql":
                copy_rows(meta.db_table, columns, chunk)
            else:
                cursor.executemany(head + f"({', '.join(['%s'] * len(columns))})", chunk)
            written += len(chunk)
            bar.update(len(chunk))
    return written


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
