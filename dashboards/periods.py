"""The period a dashboard or a statistics call covers: a month, a quarter, a year or a custom range.

Days are local (Asia/Shanghai). A period is [start, end): `end` is the day
after the last day, so months, quarters and years chain without overlap and
`to=2025-03-31` in the API means "up to and including the 31st".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

MAX_DAYS = 3660  # a custom range may span ten years (monthly rows stay a few hundred)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def month_ceil(day: dt.date) -> dt.date:
    """The first day of the first month that starts on or after `day`."""
    return day if day.day == 1 else next_month(month_start(day))


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of every month that overlaps [start, end)."""
    months = []
    month = month_start(start)
    while month < end:
        months.append(month)
        month = next_month(month)
    return months


def local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


@dataclass(frozen=True)
class Period:
    """[start, end) in local days, with how it was chosen (for labels and links)."""

    start: dt.date
    end: dt.date
    kind: str = "custom"  # month | quarter | year | custom

    @classmethod
    def for_month(cls, year: int, month: int) -> Period:
        first = dt.date(year, month, 1)
        return cls(first, next_month(first), "month")

    @classmethod
    def for_quarter(cls, year: int, quarter: int) -> Period:
        first = dt.date(year, 3 * (quarter - 1) + 1, 1)
        return cls(first, add_months(first, 3), "quarter")

    @classmethod
    def for_year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year + 1, 1, 1), "year")

    @classmethod
    def custom(cls, first: dt.date, last: dt.date) -> Period:
        """From `first` to `last`, both included."""
        return cls(first, last + dt.timedelta(days=1), "custom")

    @classmethod
    def default(cls, today: dt.date | None = None) -> Period:
        """The current calendar year: what a page or an API call without a period shows."""
        return cls.for_year((today or timezone.localdate()).year)

    @property
    def last(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def start_at(self) -> dt.datetime:
        return local_midnight(self.start)

    @property
    def end_at(self) -> dt.datetime:
        return local_midnight(self.end)

    @property
    def months(self) -> list[dt.date]:
        return months_between(self.start, self.end)

    def trend_months(self, minimum: int = 12) -> list[dt.date]:
        """The months a trend chart shows: the period's, extended back to at least `minimum` months."""
        months = self.months
        if len(months) < minimum:
            first = add_months(months[-1], -(minimum - 1))
            months = months_between(first, self.end)
        return months

    def trend_period(self, minimum: int = 12) -> Period:
        months = self.trend_months(minimum)
        return Period(min(self.start, months[0]), self.end, "custom")

    @property
    def label(self) -> str:
        if self.kind == "year":
            return _("%(year)s年") % {"year": self.start.year}
        if self.kind == "quarter":
            return _("%(year)s年第%(quarter)s季度") % {"year": self.start.year, "quarter": quarter_of(self.start)}
        if self.kind == "month":
            return _("%(year)s年%(month)s月") % {"year": self.start.year, "month": self.start.month}
        return _("%(first)s 至 %(last)s") % {"first": self.start.isoformat(), "last": self.last.isoformat()}

    def query(self) -> dict[str, str]:
        """The query parameters that choose this period again (for links and exports)."""
        if self.kind == "year":
            return {"period": "year", "year": str(self.start.year)}
        if self.kind == "quarter":
            return {"period": "quarter", "year": str(self.start.year), "quarter": str(quarter_of(self.start))}
        if self.kind == "month":
            return {"period": "month", "year": str(self.start.year), "month": str(self.start.month)}
        return {"period": "custom", "from": self.start.isoformat(), "to": self.last.isoformat()}


EPOCH = dt.date(2000, 1, 1)


def all_time(today: dt.date | None = None) -> Period:
    """Every whole month up to and including the current one (so the roll-up answers alone)."""
    today = today or timezone.localdate()
    return Period(EPOCH, next_month(month_start(today)), "custom")
