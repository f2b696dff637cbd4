"""`?format=csv` for the statistics endpoints: the rows (or the totals, or an error) as UTF-8 CSV with a BOM."""

from __future__ import annotations

import io
from typing import Any

from rest_framework.renderers import BaseRenderer

from guilin_portal.exports import csv_writer


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """{"a": {"b": 1}, "c": [2, 3]} -> {"a.b": 1, "c.0": 2, "c.1": 3}."""
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(flatten(item, f"{prefix}{key}."))
        return flat
    if isinstance(value, list | tuple):
        flat = {}
        for index, item in enumerate(value):
            flat.update(flatten(item, f"{prefix}{index}."))
        return flat
    return {prefix.rstrip("."): value}


class StatsCSVRenderer(BaseRenderer):
    """A response's `rows` as a table (one column per field, nested fields dotted); without rows, its
    `totals` as one row; anything else (an error, the overview) as field,value lines."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        buffer = io.StringIO()
        writer = csv_writer(buffer)  # user text as text, never a formula
        if isinstance(data, dict) and isinstance(data.get("rows"), list):
            self._table(writer, [flatten(row) for row in data["rows"]])
        elif isinstance(data, dict) and isinstance(data.get("totals"), dict):
            self._table(writer, [flatten(data["totals"])])
        else:
            writer.writerow(["field", "value"])
            for key, value in flatten(data if isinstance(data, dict) else {"detail": data}).items():
                writer.writerow([key, self._value(value)])
        # A byte-order mark: Excel on Chinese Windows reads the file as UTF-8, not GBK (read it as utf-8-sig).
        return ("\ufeff" + buffer.getvalue()).encode(self.charset)

    def _table(self, writer, rows: list[dict[str, Any]]) -> None:
        columns: list[str] = []
        for row in rows:
            columns.extend(key for key in row if key not in columns)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([self._value(row.get(column)) for column in columns])

    @staticmethod
    def _value(value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return value
