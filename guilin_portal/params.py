"""Reading ids, numbers and dates from paths, query strings and form values, the same way everywhere.

Bad input is a 400 (or a 404 for an id in a path) in the interface's own format, never a 500: ids
beyond 64 bits are no ids, and dates outside 1900-2999 are refused before they reach the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# No row id is beyond 64 bits (SQLite cannot even compare such a number): as good as no number.
_BIGINT = 2**63


def parse_id(value, default: int | None = None) -> int | None:
    """A row id from user input, or `default` when it is missing, not a whole number or out of range."""
    if value is None or isinstance(value, bool):
        return default
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return number if -_BIGINT <= number < _BIGINT else default


def parse_ids(values: Iterable) -> list[int]:
    """The usable ids among many values (duplicates dropped, order kept); the rest ignored."""
    seen: dict[int, None] = {}
    for value in values:
        number = parse_id(value)
        if number is not None:
            seen.setdefault(number)
    return list(seen)


# ---------------------------------------------------------------------------
# Dates: the portal's calendar runs from 1900 to 2999. A date beyond it (0001-01-01, 9999-12-31) cannot
# be shifted into UTC or stored by every database (OverflowError, a 500); it is refused as bad input.
# ---------------------------------------------------------------------------
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2999, 12, 31)


def check_date_in_range(value: dt.date | dt.datetime | None) -> None:
    """ValidationError (400, naming the field where the caller names it) for a date outside 1900-2999."""
    if value is None:
        return
    day = value.date() if isinstance(value, dt.datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError(
            _("日期须在 %(first)s 至 %(last)s 之间。") % {"first": EARLIEST_DATE, "last": LATEST_DATE},
            code="date_out_of_range",
        )


def parse_date(value, default: dt.date | None = None) -> dt.date | None:
    """A YYYY-MM-DD date from user input within the portal's calendar, or `default` (never an exception)."""
    try:
        day = dt.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        return default
    return day if EARLIEST_DATE <= day <= LATEST_DATE else default


class BoundedIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    def to_python(self, value):
        value = super().to_python(value)
        check_date_in_range(value)
        return value


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """django-filter's ISO 8601 date-time filter, refusing dates outside the portal's calendar (400)."""

    field_class = BoundedIsoDateTimeField


class BoundedDateField(forms.DateField):
    def to_python(self, value):
        value = super().to_python(value)
        check_date_in_range(value)
        return value


class DateFilter(django_filters.DateFilter):
    """django-filter's date filter, refusing dates outside the portal's calendar (400)."""

    field_class = BoundedDateField
