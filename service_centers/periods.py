"""Calendar months in local time (Asia/Shanghai), as the dashboards and roll-ups count them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return month_start(month_start(month) - dt.timedelta(days=1))


def month_window(today: dt.date, months: int) -> list[dt.date]:
    """First days of the last `months` calendar months, the current one included, oldest first."""
    starts = [month_start(today)]
    while len(starts) < months:
        starts.append(previous_month(starts[-1]))
    return sorted(starts)


def closed_months(*, today: dt.date, count: int) -> list[dt.date]:
    """The `count` calendar months before the current one, oldest first."""
    return month_window(today, count + 1)[:-1]


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of a local day as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
