"""The pioneer alliance workstations' yearly duties, as one pure function.

The report: 各工作站每年集中议事6次以上 (at least six deliberation meetings a
year) and 每月开展……活动 (an activity every month). For a finished year both
are judged on the whole year. For the year under way only what is already due
counts: every month that has ended must have had an activity, and meetings
must keep pace (one every two months, so three by the end of June). A station
opened during the year is judged from the month it opened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

MEETINGS_PER_YEAR = 6


@dataclass(frozen=True)
class YearAssessment:
    year: int
    meetings: int
    meetings_required: int
    active_months: frozenset[int]
    months_due: tuple[int, ...]
    missed_months: tuple[int, ...] = field(default=())

    @property
    def meetings_short(self) -> bool:
        return self.meetings < self.meetings_required

    @property
    def flagged(self) -> bool:
        return self.meetings_short or bool(self.missed_months)

    @property
    def activity_months(self) -> int:
        return len(self.active_months)


def assess_year(
    *,
    year: int,
    meetings: int,
    active_months: set[int] | frozenset[int],
    today: dt.date,
    opened_on: dt.date | None = None,
) -> YearAssessment:
    """Meetings held and months with an activity, against what the year asks by `today`."""
    if year < today.year:
        last_due_month = 12
    elif year == today.year:
        last_due_month = today.month - 1  # the current month is not over yet
    else:
        last_due_month = 0
    first_month = 1
    if opened_on is not None:
        if opened_on.year > year:
            last_due_month = 0
        elif opened_on.year == year:
            first_month = opened_on.month
    months_due = tuple(range(first_month, last_due_month + 1))
    if year < today.year:
        # A whole year: six meetings, fewer when the station opened during it (one every two months).
        required = MEETINGS_PER_YEAR if first_month == 1 else len(months_due) // 2
    else:
        required = len(months_due) // 2
    missed = tuple(month for month in months_due if month not in active_months)
    return YearAssessment(
        year=year,
        meetings=meetings,
        meetings_required=required,
        active_months=frozenset(active_months),
        months_due=months_due,
        missed_months=missed,
    )
