"""A row read by its key with the query compiled once per process and database.

Compiling a queryset's SQL through the ORM on every request cost more than running it (issue 17,
item 3: the unit, category and token of an issue logged through the API). `CompiledGet` compiles
`queryset.filter(<field>=<mark>)` the first time, keeps the SQL, its parameters and the columns'
converters, and afterwards only puts the key in place of the mark, runs it, converts the values and
builds the instances with `Model.from_db`, as the ORM would (the selected columns are every concrete field of the model, then of each
`select_related` relation, which is what such a queryset selects). Like the Viewer's standing query
(grids.viewer), the SQL is the ORM's own: the same filters, the same table names and quoting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet

# Stand for the key while the query is compiled; replaced by the real key in its parameters.
_INT_MARK = -7_310_417_000_419
_TEXT_MARK = "\x1fcompiled-key-mark\x1f"


class CompiledGet:
    """`make().filter(<field>=key).first()` (and its `select_related` relations cached), compiled once."""

    def __init__(self, make: Callable[[], QuerySet], *, field: str = "pk", text_key: bool = False) -> None:
        self._make = make
        self._field = field
        self._mark: Any = _TEXT_MARK if text_key else _INT_MARK
        self._compiled: dict[str, tuple] = {}

    def _compile(self, alias: str) -> tuple:
        queryset = self._make().using(alias).filter(**{self._field: self._mark}).order_by()[:1]
        query = queryset.query
        if query.deferred_loading != (frozenset(), True) or query.annotations or query.values_select:
            raise ValueError("CompiledGet reads whole rows: no only(), defer(), annotate() or values()")
        related = list(query.select_related) if isinstance(query.select_related, dict) else []
        if query.select_related is True or any(query.select_related[name] for name in related):
            raise ValueError("CompiledGet follows one level of named select_related relations only")
        model = queryset.model
        parts = [("", model, [f.attname for f in model._meta.concrete_fields])]
        for name in related:
            target = model._meta.get_field(name).related_model
            parts.append((name, target, [f.attname for f in target._meta.concrete_fields]))
        compiler = query.get_compiler(alias)
        sql, params = compiler.as_sql()
        if sum(1 for value in params if value == self._mark) != 1:
            raise ValueError("CompiledGet: the key must appear once in the compiled parameters")
        # The database's and the fields' converters (a JSON text, SQLite's dates, decimals), as the ORM
        # applies them to each row: {column: (converters, expression)}.
        converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
        return sql, tuple(params), parts, converters

    def get(self, key: Any, *, using: str | None = None) -> Model | None:
        """The row with this key as an instance (its select_related relations loaded), or None."""
        alias = using or self._make().db
        compiled = self._compiled.get(alias)
        if compiled is None:
            compiled = self._compiled[alias] = self._compile(alias)
        sql, params, parts, converters = compiled
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(sql, [key if value == self._mark else value for value in params])
            fetched = cursor.fetchone()
        if fetched is None:
            return None
        row = list(fetched)
        for column, (functions, expression) in converters.items():
            value = row[column]
            for function in functions:
                value = function(value, expression, connection)
            row[column] = value
        start = 0
        instance = None
        for name, model, attnames in parts:
            values = row[start : start + len(attnames)]
            start += len(attnames)
            built = model.from_db(alias, attnames, values)
            if instance is None:
                instance = built
            else:
                instance._meta.get_field(name).set_cached_value(instance, built)
        return instance
