"""The periods of a 三会一课 rule: calendar months grouped by the rule's length (1, 3, 6 or 12 months).

A period is numbered by `index(date, months)` (months since year 0, divided by the length): the
first quarter of 2026 is one index, its due date (`due_on`) the period's last day. Arithmetic only,
no query: the selectors count due periods of thousands of organisations with it.
"""

from __future__ import annotations

import datetime as dt


def index(day: dt.date, months: int) -> int:
    return (day.year * 12 + day.month - 1) // months


def start(period: int, months: int) -> dt.date:
    first = period * months
    return dt.date(first // 12, first % 12 + 1, 1)


def due_on(period: int, months: int) -> dt.date:
    """The period's last day: a meeting held after it is late."""
    return start(period + 1, months) - dt.timedelta(days=1)


def containing(day: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """(first day, due date) of the period holding `day`."""
    period = index(day, months)
    return start(period, months), due_on(period, months)


def due_periods(*, first: dt.date, months: int, window_start: dt.date | None, window_end: dt.date, today: dt.date):
    """Indexes of the periods whose due date has passed (before `today`) and lies in the window.

    Counted from the period holding `first` (the organisation's `records_from`).
    """
    low = index(first, months)
    last_day = min(window_end, today - dt.timedelta(days=1))
    high = index(last_day, months)
    if due_on(high, months) > last_day:
        high -= 1
    if window_start is not None:
        # The period holding the window's first day is due on or after it.
        low = max(low, index(window_start, months))
    return range(low, high + 1) if high >= low else range(0)


def label(period_start: dt.date, months: int) -> str:
    if months == 1:
        return f"{period_start.year}-{period_start.month:02d}"
    if months == 3:
        return f"{period_start.year}Q{(period_start.month - 1) // 3 + 1}"
    if months == 6:
        return f"{period_start.year}H{(period_start.month - 1) // 6 + 1}"
    return f"{period_start.year}"
