"""Arithmetic of the figures: rates in per cent, sums over groups, numbers for JSON. No reads."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any


def rate(part: float | int, whole: float | int) -> Decimal | None:
    """part / whole in per cent, one decimal; None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def summed(figures: dict[tuple, Any], position: int | None) -> dict[Any, Any]:
    """Figures grouped by tuple keys, added up over every key but the one at `position` (everything when None)."""
    result: dict[Any, Any] = {}
    for key, found in figures.items():
        target = None if position is None else key[position]
        result[target] = result[target] + found if target in result else found
    return result


def as_json(value: Any) -> Any:
    """Decimals as numbers with their places kept (JSON has no decimal type)."""
    if isinstance(value, Decimal):
        return float(value)
    return value
