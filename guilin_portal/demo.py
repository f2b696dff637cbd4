"""Plumbing for `manage.py seed_demo`: the context each app's demo step writes through.

Each app that has demo data keeps it in `<app>/demo.py` with:

    DEMO_ORDER = 20                      # grids is 10; later steps may use earlier rows
    def plan(scale: float) -> dict[str, int]: ...   # the counts the step promises
    def seed(ctx: DemoContext) -> None: ...         # builds exactly those counts
    def resolved_issues(scale: float) -> int: ...   # optional: resident issues this step resolves

`plan()` is the promise the tests hold the step to. Steps write with
`ctx.bulk_create` (batched, with a progress bar), never a loop of single-row saves.
"""

from __future__ import annotations

import csv
import importlib
import importlib.util
import random
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from io import StringIO
from itertools import islice
from operator import attrgetter
from types import ModuleType
from typing import Any, TextIO

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection, connections, models
from tqdm import tqdm

DEMO_PASSWORD = "Guilin-demo-2026"  # noqa: S105 - printed to the operator in demo mode only
BATCH_SIZE = 2000
CHUNK = 20_000  # rows per COPY (or executemany) of `insert_rows`


# COPY in CSV format, written by the csv module in C: quoting only where a value needs it (a field with a
# comma, quote, CR or LF), `\\N` for NULL, so an empty string stays an empty string. str() is PostgreSQL's
# input for every value the demo writes (ints, text, True/False, ISO dates and aware datetimes, Decimal).
_NULL = "\\N"
_COPY_OPTIONS = "WITH (FORMAT csv, NULL '\\N')"


_SAMPLED = 100  # rows looked at to find a chunk's datetime columns


def _with_nulls(row: Sequence) -> Sequence:
    return [_NULL if value is None else value for value in row] if None in row else row


class _Texts(dict):
    """Each value's str(), computed once per chunk: the demo clock shares its datetimes, and str() of an
    aware datetime (3-4 us) was the largest part of the CSV's cost (four a service record)."""

    def __missing__(self, value: Any) -> str:
        text = self[value] = str(value)
        return text


def _csv_ready(rows: list[Sequence]) -> Callable[[Sequence], Sequence]:
    """What the csv writer gets for each row: NULL for None and, in the columns where the first rows hold a
    datetime, its text from a per-chunk cache (equal datetimes are the same instant, whatever their zone).
    A datetime in a column not sampled is written by the csv module's own str(), as before."""
    sample = rows[:_SAMPLED]
    width = len(sample[0]) if sample else 0
    moments = [i for i in range(width) if any(isinstance(row[i], datetime) for row in sample)]
    if not moments:
        return _with_nulls
    text = _Texts()

    def ready(row: Sequence) -> list:
        row = [_NULL if value is None else value for value in row] if None in row else list(row)
        for i in moments:
            value = row[i]
            if value is not _NULL:
                row[i] = text[value]
        return row

    return ready


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """PostgreSQL: the rows into the table with one COPY: no SQL text per row to build and parse."""
    qn = connection.ops.quote_name
    rows = rows if isinstance(rows, list) else list(rows)  # a chunk: at most CHUNK rows
    buffer = StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(map(_csv_ready(rows), rows))
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN {_COPY_OPTIONS}", buffer
        )


# Fields whose stored value is the attribute as the demo sets it: no pre_save, no preparation to run.
_PLAIN_FIELDS = (
    models.AutoField,
    models.BigAutoField,
    models.BooleanField,
    models.CharField,
    models.DecimalField,
    models.FloatField,
    models.IntegerField,
    models.TextField,
    models.UUIDField,
)


def _plain(field: models.Field) -> bool:
    if field.is_relation:
        return _plain(field.target_field)
    if isinstance(field, models.DateField):  # DateTimeField too: plain unless auto_now(_add) sets it
        return not (field.auto_now or field.auto_now_add)
    return isinstance(field, _PLAIN_FIELDS) and type(field).pre_save is models.Field.pre_save


def _value_reader(field: models.Field, db, *, adding: bool = True) -> Callable[[models.Model], Any]:
    if _plain(field):
        return attrgetter(field.attname)

    def prepared(obj: models.Model) -> Any:
        # An update writes the attribute as it is (as bulk_update does); an insert runs pre_save (auto_now_add).
        value = field.pre_save(obj, True) if adding else getattr(obj, field.attname)
        value = field.get_db_prep_save(value, db)
        if hasattr(value, "adapted"):  # a JSON value wrapped for psycopg2
            value = value.dumps(value.adapted)
        return value

    return prepared


def copy_instances(model: type[models.Model], objs: list[models.Model]) -> list[models.Model]:
    """PostgreSQL: what `bulk_create` does for unsaved instances (keys from the table's sequence, auto_now
    fields, values prepared by their fields), written with COPY: a third of its time at 700,000 units.
    Plain fields are read as they are; only the others go through pre_save and get_db_prep_save."""
    meta = model._meta
    db = connections[connection.alias]  # the connection itself: the proxy costs a thread-local per access
    fields = [f for f in meta.concrete_fields if not f.generated]
    missing = [obj for obj in objs if obj.pk is None]
    if missing:
        with db.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(missing)],
            )
            for obj, (pk,) in zip(missing, cursor.fetchall(), strict=True):
                obj.pk = pk
    readers = [_value_reader(f, db) for f in fields]
    if all(isinstance(reader, attrgetter) for reader in readers):
        row_of = attrgetter(*(f.attname for f in fields))
    else:

        def row_of(obj: models.Model) -> list[Any]:
            return [read(obj) for read in readers]

    copy_rows(meta.db_table, [f.column for f in fields], map(row_of, objs))
    for obj in objs:
        obj._state.adding = False
        obj._state.db = db.alias
    return objs


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


def _converted(rows: Iterable[Sequence], converters: list[tuple[int, Callable]]) -> list[list]:
    converted = []
    for row in rows:
        row = list(row)
        for i, conv in converters:
            if row[i] is not None:
                row[i] = conv(row[i])
        converted.append(row)
    return converted


def insert_rows(
    ctx: DemoContext,
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence],
    *,
    total: int,
    label: str,
) -> int:
    """Insert tuples whose items follow `fields` (attnames such as "volunteer_id"); returns the count.

    For the demo's largest tables (ledger postings, red-station services): `ctx.bulk_create` builds a model
    instance per row and, on SQLite, one INSERT per 999 parameters. Here rows are plain tuples sent with
    one prepared statement on SQLite (`executemany`) and by COPY on PostgreSQL.
    """
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
                chunk = _converted(chunk, converters)
            if connection.vendor == "postgresql":
                copy_rows(meta.db_table, columns, chunk)
            else:
                cursor.executemany(head + f"({', '.join(['%s'] * len(columns))})", chunk)
            written += len(chunk)
            bar.update(len(chunk))
    return written


def insert_instances(model: type[models.Model], objs: list[models.Model]) -> list[models.Model]:
    """Unsaved instances written in bulk, with their keys: COPY on PostgreSQL, `bulk_create` elsewhere."""
    if connection.vendor == "postgresql":
        return copy_instances(model, objs) if objs else objs
    return model.objects.bulk_create(objs, batch_size=BATCH_SIZE)


def update_instances(model: type[models.Model], objs: Sequence[models.Model], fields: Sequence[str]) -> int:
    """What `bulk_update` does for saved instances, set-based; returns the count.

    `bulk_update` writes one CASE per field with a WHEN per row, which Django builds and compiles in
    Python: 4.4 s for the 1,210 issues the volunteer teams handle at scale 1, ten times that at --scale 10.
    Here PostgreSQL takes the new values by COPY into a staging table and applies them with one
    UPDATE ... FROM; SQLite gets one prepared UPDATE per row (`executemany`).
    """
    if not objs:
        return 0
    meta = model._meta
    db = connections[connection.alias]
    chosen = [meta.get_field(name) for name in fields]
    readers = [_value_reader(f, db, adding=False) for f in chosen] + [attrgetter(meta.pk.attname)]
    rows = [[read(obj) for read in readers] for obj in objs]  # the values first, the key last
    qn = connection.ops.quote_name
    table, key = qn(meta.db_table), qn(meta.pk.column)
    columns = [qn(f.column) for f in chosen]
    with db.cursor() as cursor:
        if connection.vendor == "postgresql":
            staging = qn(f"demo_update_{meta.db_table}")
            # Typed like the table's columns, without its constraints, dropped when the seed commits.
            cursor.execute(
                f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "
                f"SELECT {', '.join(columns)}, {key} FROM {table} WITH NO DATA"
            )
            copy_rows(f"demo_update_{meta.db_table}", [f.column for f in chosen] + [meta.pk.column], rows)
            assignments = ", ".join(f"{column} = staged.{column}" for column in columns)
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM {staging} AS staged WHERE {table}.{key} = staged.{key}"
            )
            cursor.execute(f"DROP TABLE {staging}")
        else:
            # Plain values only: a prepared one (get_db_prep_save) is in SQLite's form already.
            converters = [(i, conv) for i, f in enumerate(chosen) if _plain(f) and (conv := _converter(f))]
            assignments = ", ".join(f"{column} = %s" for column in columns)
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE {key} = %s",
                _converted(rows, converters) if converters else rows,
            )
    return len(rows)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    description: str
    secret: str = ""  # shown instead of the shared password (an API key, say)


@dataclass
class DemoContext:
    scale: float
    seed: int
    now: datetime
    stderr: TextIO = sys.stderr
    show_progress: bool = True
    accounts: list[DemoAccount] = field(default_factory=list)
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    @cached_property
    def demo_password_hash(self) -> str:
        """The published demo password, hashed once for every demo account of every step (PBKDF2: a
        quarter of a second a hash)."""
        return make_password(DEMO_PASSWORD)

    def scaled(self, full_scale: int, minimum: int = 1) -> int:
        """The report's figure at this run's scale, never below `minimum`."""
        return max(minimum, round(full_scale * self.scale))

    def progress(self, description: str, total: int) -> tqdm:
        return tqdm(
            total=total,
            desc=description,
            unit=" rows",
            file=self.stderr,
            disable=not self.show_progress,
            dynamic_ncols=True,
            leave=True,
        )

    def bulk_create(
        self,
        model: type[models.Model],
        rows: Iterable[models.Model],
        *,
        total: int,
        label: str | None = None,
        keep: Callable[[models.Model], Any] | bool = True,
    ) -> list[Any]:
        """Insert rows in batches as the generator yields them, advancing a progress bar.

        Returns the rows with their keys (`keep=True`), what `keep(row)` makes of each (a small tuple
        where a later step needs only a few fields: memory stays flat as the scale grows), or nothing
        (`keep=False`: a table nobody reads back, such as the 560,000 zones of `--scale 10`).
        """
        created: list[Any] = []
        batch: list[models.Model] = []

        def flush() -> None:
            saved = insert_instances(model, batch)
            if keep is True:
                created.extend(saved)
            elif keep:
                created.extend(map(keep, saved))
            bar.update(len(batch))
            batch.clear()

        with self.progress(label or str(model._meta.verbose_name_plural), total) as bar:
            for row in rows:
                batch.append(row)
                if len(batch) >= BATCH_SIZE:
                    flush()
            if batch:
                flush()
        return created

    def add_account(self, username: str, description: str, secret: str = "") -> None:
        self.accounts.append(DemoAccount(username=username, description=description, secret=secret))


def distribute(total: int, weights: Sequence[float], minimum: int = 1) -> list[int]:
    """Split `total` over buckets in proportion to `weights`, each at least `minimum`.

    Largest-remainder rounding, so the parts always add up to `total` exactly.
    """
    n = len(weights)
    if n == 0:
        return []
    if total < minimum * n:
        raise ValueError(f"cannot give {n} buckets at least {minimum} each out of {total}")
    spare = total - minimum * n
    weight_sum = float(sum(weights)) or 1.0
    raw = [spare * w / weight_sum for w in weights]
    parts = [int(r) for r in raw]
    leftover = spare - sum(parts)
    for index in sorted(range(n), key=lambda i: (raw[i] - parts[i], -i), reverse=True)[:leftover]:
        parts[index] += 1
    return [p + minimum for p in parts]


def demo_steps() -> list[ModuleType]:
    """Every installed app's `demo` module, in DEMO_ORDER."""
    steps = []
    for config in apps.get_app_configs():
        name = f"{config.name}.demo"
        if importlib.util.find_spec(name) is not None:
            module = importlib.import_module(name)
            if hasattr(module, "seed") and hasattr(module, "plan"):
                steps.append(module)
    return sorted(steps, key=lambda module: getattr(module, "DEMO_ORDER", 100))


def issues_resolved_by_other_steps(scale: float) -> int:
    """Resident issues the other steps resolve (each step's optional `resolved_issues(scale)`).

    The report's 6,828 problems solved are every resolved issue, whoever handled it: the issues
    step makes up the rest, so the city's figure is exact however the steps share the work.
    """
    return sum(step.resolved_issues(scale) for step in demo_steps() if hasattr(step, "resolved_issues"))


def demo_plan(scale: float) -> dict[str, int]:
    """What a full seed at this scale promises, every app's counts together."""
    promised: dict[str, int] = {}
    for step in demo_steps():
        promised.update(step.plan(scale))
    return promised
