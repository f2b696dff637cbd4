"""Grouped rows that add up to their totals: the statistics API's representation of a `group_by`.

The dashboard tables give one row per child unit, category, month...; a unit's own
items (a district's own service center, a street's own team) sit in no child, so
rows per child get a "本级" row with what the totals hold beyond the children's rows.
Rows that are not part of a total (draft contracts among rows per status) say so with
`in_total: false`; every other row has `in_total: true`.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from service_centers.models import ServicePoint

OWN_KEY = "own"
ISSUE_SUMS = ("logged", "settled", "rejected", "open", "resolved", "feedback", "satisfied", "overdue_now")
SERVICE_SUMS = ("services", "hours", "difficulties_solved", "registered_member_services")
TALLY_SUMS = ("contracts", "due", "met", "partially_met", "not_met", "pending")

# Per endpoint, rows per child: {row field: path of its total in `totals`}.
CHILD_SUMS: dict[str, dict[str, str]] = {
    "issues": {field: field for field in ISSUE_SUMS},
    "volunteers": {field: field for field in (*SERVICE_SUMS, "teams", "members", "registered_members")},
    "service-points": {
        "points": "points",
        **{kind: f"points_by_kind.{kind}" for kind in ServicePoint.Kind.values},
    },
    "contracts": {field: f"latest_quarter.{field}" for field in TALLY_SUMS},
}
# Rows that no total counts, per (endpoint, group_by): their keys.
OUTSIDE_TOTALS: dict[tuple[str, str], set[str]] = {
    ("contracts", "status"): {"draft"},
    ("contracts", "stage"): {"draft"},
}


def _total(totals: dict[str, Any], path: str) -> Any:
    value: Any = totals
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _difference(total: Any, rows: list[dict[str, Any]], field: str) -> float | int:
    summed = sum(row.get(field) or 0 for row in rows)
    difference = (total or 0) - summed
    return round(difference, 2) if isinstance(difference, float) else difference


def balanced(endpoint: str, group_by: str, totals: dict[str, Any], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with `in_total` on each, and for rows per child a "本级" row when the totals hold more."""
    outside = OUTSIDE_TOTALS.get((endpoint, group_by), set())
    rows = [{**row, "in_total": row.get("key") not in outside} for row in rows]
    sums = CHILD_SUMS.get(endpoint) if group_by == "child" else None
    if not sums or not totals:
        return rows
    own = {field: _difference(_total(totals, path), rows, field) for field, path in sums.items()}
    if not any(own.values()):
        return rows
    fields = list(rows[0]) if rows else ["key", "label", *sums]
    row: dict[str, Any] = dict.fromkeys(fields)
    row.update(own, key=OWN_KEY, label=_("本级"), in_total=True)
    return [*rows, row]
