"""The few SQL pieces the ORM does not spell the same way on every database.

- `HoursBetween`: hours between two timestamps, as a float expression.
- `median()`: the median of one column of a queryset, overall or per group,
  in one query: `percentile_cont(0.5)` on PostgreSQL; elsewhere (SQLite) the
  middle row(s) found with ORDER BY ... LIMIT/OFFSET, or ROW_NUMBER() per group.
  Nothing is loaded into Python but the medians themselves.
"""

from __future__ import annotations

from typing import Any

from django.db import connections, router
from django.db.models import FloatField, Func, QuerySet


class HoursBetween(Func):
    """(end - start) in hours, as a float."""

    output_field = FloatField()
    arity = 2

    def as_postgresql(self, compiler, connection, **extra):
        end, start = self.source_expressions
        end_sql, end_params = compiler.compile(end)
        start_sql, start_params = compiler.compile(start)
        return f"(EXTRACT(EPOCH FROM ({end_sql} - {start_sql})) / 3600.0)", [*end_params, *start_params]

    def as_sqlite(self, compiler, connection, **extra):
        end, start = self.source_expressions
        end_sql, end_params = compiler.compile(end)
        start_sql, start_params = compiler.compile(start)
        return f"((julianday({end_sql}) - julianday({start_sql})) * 24.0)", [*end_params, *start_params]

    def as_sql(self, compiler, connection, **extra):  # pragma: no cover - other backends
        raise NotImplementedError(f"HoursBetween is not written for {connection.vendor}")


def subquery_sql(queryset: QuerySet) -> tuple[str, tuple[Any, ...], str]:
    """The queryset's SQL and parameters, and the database alias it reads from."""
    alias = queryset.db if queryset._db else router.db_for_read(queryset.model)
    sql, params = queryset.query.get_compiler(using=alias).as_sql()
    return sql, tuple(params), alias


def median(
    queryset: QuerySet, value: str, group: str | None = None, *, with_total: bool = False
) -> dict[Any, float | None]:
    """The median of column `value` of a values() queryset, per value of column `group` (or under key None).

    With `group` and `with_total`, the overall median too, under key None: in the same statement on
    PostgreSQL (GROUP BY ROLLUP), in a second one elsewhere. The queryset must select `value`
    (and `group`) by those names, and `group` must never be NULL.
    """
    sql, params, alias = subquery_sql(queryset.order_by())
    connection = connections[alias]
    statements: list[tuple[str, tuple]] = []
    if connection.vendor == "postgresql":
        percentile = f"percentile_cont(0.5) WITHIN GROUP (ORDER BY s.{value})"
        if group:
            grouping = f"ROLLUP(s.{group})" if with_total else f"s.{group}"
            statements.append((f"SELECT s.{group}, {percentile} FROM ({sql}) s GROUP BY {grouping}", params))
        else:
            statements.append((f"SELECT NULL, {percentile} FROM ({sql}) s", params))
    else:
        if group:
            # The middle row (odd count) or the two middle rows (even count) of each group, averaged.
            statements.append(
                (
                    f"SELECT w.{group}, AVG(w.{value}) FROM ("
                    f"SELECT s.{group}, s.{value}, ROW_NUMBER() OVER (PARTITION BY s.{group} ORDER BY s.{value}) AS rn, "
                    f"COUNT(*) OVER (PARTITION BY s.{group}) AS cnt FROM ({sql}) s"
                    f") w WHERE w.rn IN ((w.cnt + 1) / 2, (w.cnt + 2) / 2) GROUP BY w.{group}",
                    params,
                )
            )
        if not group or with_total:
            # ORDER BY + OFFSET (n-1)/2 LIMIT 1 or 2 (2 when n is even), the count taken in the same statement.
            count = f"(SELECT COUNT(*) FROM ({sql}) c)"
            statements.append(
                (
                    f"SELECT NULL, AVG(m.{value}) FROM (SELECT s.{value} FROM ({sql}) s ORDER BY s.{value} "
                    f"LIMIT 1 + ({count} + 1) - 2 * (({count} + 1) / 2) OFFSET ({count} - 1) / 2) m",
                    params * 4,
                )
            )
    result: dict[Any, float | None] = {}
    with connection.cursor() as cursor:
        for statement, args in statements:
            cursor.execute(statement, args)
            result.update((key, float(found) if found is not None else None) for key, found in cursor.fetchall())
    if not group or with_total:
        result.setdefault(None, None)
    return result
