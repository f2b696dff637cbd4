"""How precisely a stored point is shown, by audience: the one place that decides (README, "Geography").

A point where a resident's problem was logged can identify a household, as a phone number can, so it
follows the same rule as the resident's contact (issues.access.can_see_resident_contact):

- EXACT, 6 decimal places (about 0.1 m): the reporter and the handlers of the issue (or of a sub-task);
- ROUNDED, 3 decimal places (about 110 m north-south, 100 m east-west at Guilin's latitude): everyone
  else: other staff in the jurisdiction, statistics keys, Open311 clients, the public.

Stored points are always exact (WGS-84, 6 places). Places that are public by nature (service points,
grid boundaries) are not personal data and are shown exactly.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from enum import IntEnum


class Precision(IntEnum):
    """Decimal places of a shown coordinate."""

    EXACT = 6
    ROUNDED = 3


def shown(value: Decimal | float | None, precision: Precision) -> float | None:
    """A stored coordinate (degrees) at this precision, as a JSON number; None stays None."""
    if value is None:
        return None
    places = Decimal(1).scaleb(-int(precision))
    return float(Decimal(str(value)).quantize(places, rounding=ROUND_HALF_EVEN))


def shown_point(lat, lng, precision: Precision) -> tuple[float | None, float | None]:
    """Both coordinates at this precision (both None when the point is missing or half missing)."""
    if lat is None or lng is None:
        return None, None
    return shown(lat, precision), shown(lng, precision)
