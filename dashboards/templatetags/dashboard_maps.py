"""`{% load dashboard_maps %}`: the unit dashboard's map of its child units (issue 14), shaded by a figure of
the dashboard's own table of children (issue_children): no figure is computed twice."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()

# The figures a viewer may shade the children by, as the issue_children table names them.
FIGURES = ("logged", "overdue_now", "resolution_rate")


def _number(value) -> float | None:
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal | int | float) else None


@register.simple_tag
def children_figures(sections) -> dict | None:
    """{unit id: {figure: value, "name", "link"}} from the dashboard's issue_children table, or None."""
    for key, _label, tables in sections:
        if key != "issues":
            continue
        for table in tables:
            if table.name != "issue_children":
                continue
            rows = {}
            for row in table.rows:
                if row.get("_total") or not row.get("_link"):
                    continue  # the total and the unit's own row are not places on the map
                rows[str(row["key"])] = {
                    "name": str(row.get("unit") or ""),
                    "link": row.get("_link") or "",
                    **{figure: _number(row.get(figure)) for figure in FIGURES},
                }
            return rows or None
    return None
