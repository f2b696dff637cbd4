"""Reading ids and numbers from query strings and form values, the same way everywhere."""

from __future__ import annotations

from collections.abc import Iterable

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
