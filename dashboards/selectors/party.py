"""The party section of a unit's dashboard: 三会一课 timeliness over the dashboard's period.

The figure comes from `party.selectors.timeliness`, the function behind the party timeliness page,
its export and GET /api/v1/stats/party/: one query (the rules, the tracked organisations and their
on-time meetings in one UNION ALL), whatever the number of organisations.
"""

from __future__ import annotations

from grids.models import GridUnit
from party import selectors as party_selectors

from ..periods import Period


def party_timeliness(*, unit: GridUnit, period: Period) -> party_selectors.Timeliness:
    """Timeliness of the subtree's tracked organisations, by sector, for due dates in the period."""
    return party_selectors.timeliness(unit=unit, start=period.start, end=period.last, group_by="sector")
