"""Quarters of the calendar year, in the local time zone (Asia/Shanghai)."""

from __future__ import annotations

from datetime import date, timedelta


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_start(year: int, quarter: int) -> date:
    return date(year, 3 * (quarter - 1) + 1, 1)


def quarter_end(year: int, quarter: int) -> date:
    if quarter == 4:
        return date(year, 12, 31)
    return quarter_start(year, quarter + 1) - timedelta(days=1)


def previous_quarter(day: date) -> tuple[int, int]:
    """The last quarter that has ended on `day` (the beat job on 1 April tallies Q1)."""
    quarter = quarter_of(day)
    return (day.year - 1, 4) if quarter == 1 else (day.year, quarter - 1)


def has_started(year: int, quarter: int, today: date) -> bool:
    return quarter_start(year, quarter) <= today


def has_ended(year: int, quarter: int, today: date) -> bool:
    return quarter_end(year, quarter) < today
