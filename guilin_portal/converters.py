"""Path converters for ids: `<id:pk>` matches a row id (1 to 18 digits, always below 2**63), so a
non-numeric or beyond-64-bit id in a path is a 404 from the resolver, never a database error.

Django's `<int:pk>` accepts any number of digits; a 23-digit id then overflows the database's
integer (OverflowError on SQLite, DataError on PostgreSQL) and answers 500. Registered when the
portal app is ready (guilin_portal.apps), before any URLconf is read.
"""

from __future__ import annotations

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


def register() -> None:
    register_converter(IdConverter, "id")
