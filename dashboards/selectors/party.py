"""The party section of a unit's dashboard: 三会一课 timeliness over the dashboard's period.

The figure comes from `party.selectors.timeliness`, the function behind the party timeliness page,
its export and GET /api/v1/stats/party/: one query (the rules, the tracked organisations and their
on-time meetings in one UNION ALL), whatever the number of organisations; from a street up and over
whole months, from the roll-up's rows per street, sector and due month instead (the same sums, as of
its refresh), without reading every organisation of a city.
"""

from __future__ import annotations

from django.db.models import Sum
from django.utils import timezone

from grids.models import GridUnit
from party import selectors as party_selectors

from ..models import FigureMonthlyRollup
from ..periods import Period
from .common import from_rollup


def party_timeliness(*, unit: GridUnit, period: Period, state=None) -> party_selectors.Timeliness:
    """Timeliness of the subtree's tracked organisations, by sector, for due dates in the period."""
    if not from_rollup(state, unit=unit, period=period):
        return party_selectors.timeliness(unit=unit, start=period.start, end=period.last, group_by="sector")
    rows = (
        FigureMonthlyRollup.objects.in_subtree(unit)
        .filter(figure=FigureMonthlyRollup.Figure.TIMELINESS, month__gte=period.start, month__lt=period.end)
        .values("code")
        .annotate(due=Sum("n"), on_time=Sum("n2"))
        .values_list("code", "due", "on_time")
        .order_by()
    )
    today = timezone.localdate()
    return party_selectors.timeliness_of(
        unit=unit,
        start=period.start,
        end=min(period.last, today),
        today=today,
        by_sector={code: (due or 0, on_time or 0) for code, due, on_time in rows},
    )
