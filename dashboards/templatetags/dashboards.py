"""Formatting of dashboard cells and the sort links of dashboard tables."""

from __future__ import annotations

import html
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat
from django.utils.formats import get_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext

register = template.Library()

DASH = "—"
NUMBERS = (int, float, Decimal)
TENTH = Decimal("0.1")


@register.filter
def get(mapping: dict, key: str) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def cell(value: Any, kind: str = "int", whole=None, tenths=None) -> str:
    """A value as the tables show it: thousands separated, rates with %, nothing as a dash.
    `whole`, `tenths`: how to write an int (`whole_numbers()`) and a rate (`tenths_writer()`), when the
    caller writes many cells."""
    if value is None or value == "":
        return DASH
    if kind == "rate":
        return f"{floatformat(value, 1) if tenths is None else tenths(value)}%"
    if kind in ("decimal", "hours"):
        return intcomma(floatformat(value, "-1" if kind == "decimal" else 1))
    if kind != "text" and type(value) is int and whole is not None:
        return whole(value)
    if isinstance(value, int | float | Decimal) and kind != "text":
        return intcomma(value)
    return str(value)


def tenths_writer():
    """What `floatformat(value, 1)` writes for a rate, without its per-value format lookups (a rate cell
    took 30 µs): to one place, halves away from zero, no sign on a zero, the language's decimal mark."""
    separator = get_format("DECIMAL_SEPARATOR")

    def tenths(value) -> str:
        if type(value) not in (int, float, Decimal) or not -1000 < value < 1000:
            return floatformat(value, 1)  # past a thousand it may group digits
        rounded = Decimal(str(value)).quantize(TENTH, ROUND_HALF_UP)
        text = str(rounded.copy_abs() if rounded.is_zero() else rounded)
        return text if separator == "." else text.replace(".", separator)

    return tenths


def whole_numbers():
    """What `intcomma` writes for an int in the active language, without its per-value format lookups
    (10 µs a cell, and a city's dashboard has 5,000): no separator in Chinese, groups of three in English."""
    separator, grouping = get_format("THOUSAND_SEPARATOR"), get_format("NUMBER_GROUPING")
    if not separator:
        return str
    if grouping == 3:
        return lambda value: f"{value:,}".replace(",", separator)
    return intcomma


@register.simple_tag(takes_context=True)
def table_head(context, table) -> str:
    """The table's header cells; each sortable column a link to the page sorted by it (descending first
    for numbers, ascending for text; the page's other parameters kept) with ▲/▼ on the current sort.
    Built here, the query copied once a table: 36 tables of a dozen columns are a city's dashboard."""
    params = context["request"].GET.copy()
    params.pop("page", None)
    name = f"{table.name}_sort"
    sortable = len(table.rows) > 1
    cells = []
    for column in table.columns:
        numeric = _is_number(column)
        label = _escaped(str(column.label))
        if column.sortable and sortable:
            if table.sort == f"-{column.key}":
                wanted, mark = column.key, "▼"
            elif table.sort == column.key:
                wanted, mark = f"-{column.key}", "▲"
            else:
                wanted, mark = (f"-{column.key}" if numeric else column.key), ""
            params[name] = wanted
            href = html.escape(f"?{params.urlencode()}#{table.name}")
            label = f'<a href="{href}" rel="nofollow">{label}{mark}</a>'
        cells.append(f'<th class="num" scope="col">{label}</th>' if numeric else f'<th scope="col">{label}</th>')
    return mark_safe("".join(cells))  # noqa: S308 - labels and links escaped above


@register.simple_tag(takes_context=True)
def export_query(context, table) -> str:
    """The page's period (and this table's sort) for the table's export links."""
    query = context.get("query", "")
    if table.sort:
        query = f"{query}&{table.name}_sort={table.sort}" if query else f"{table.name}_sort={table.sort}"
    return query


@register.filter
def level_label(level: str) -> str:
    """A service point level's name (党群服务中心 levels and the rest)."""
    from service_centers.models import ServicePoint

    return str(ServicePoint.Level(level).label) if level in ServicePoint.Level.values else level


@register.simple_tag
def table_body(table) -> str:
    """The table's rows as HTML, built here rather than in the template: a district's dashboard has some
    5,000 cells, and a template lookup, filter and `if` per cell was most of the page's time."""
    numeric = [_is_number(column) for column in table.columns]
    whole, tenths = whole_numbers(), tenths_writer()
    if not table.rows:
        return format_html('<tr><td colspan="{}">{}</td></tr>', len(table.columns), gettext("所选周期内没有数据。"))
    lines = []
    for row in table.rows_shown:
        cells = []
        for index, column in enumerate(table.columns):
            value = row.get(column.key)
            text = cell(value, column.kind, whole, tenths)
            if not (numeric[index] and type(value) in NUMBERS):
                text = _escaped(text)  # a number's digits, separators and % need no escaping
            if index == 0:
                link = row.get("_link")
                if link:
                    text = f'<a href="{conditional_escape(link)}">{text}</a>'
                cells.append(f'<th scope="row">{text}</th>')
            else:
                cells.append(f'<td class="num">{text}</td>' if numeric[index] else f"<td>{text}</td>")
        opening = '<tr class="total">' if row.get("_total") else "<tr>"
        lines.append(opening + "".join(cells) + "</tr>")
    return mark_safe("\n".join(lines))  # noqa: S308 - every value above went through _escaped


def _is_number(column) -> bool:
    """Right-aligned, and sorted largest first: every kind but text and months."""
    return column.kind not in ("text", "month")


def _escaped(text: str) -> str:
    """`conditional_escape` without its lazy-text wrapper (a cell is never lazy; 6,000 cells on a city page)."""
    return text if isinstance(text, SafeData) else html.escape(text)
