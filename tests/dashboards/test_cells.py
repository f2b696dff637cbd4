"""How a dashboard table writes a number: the fast path for whole numbers writes what `intcomma` writes,
in each language of the portal."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat
from django.utils import translation

from dashboards.templatetags.dashboards import DASH, cell, tenths_writer, whole_numbers

NUMBERS = [0, 1, -1, 999, 1000, -1000, 12345, 1234567, -987654321, 10**12]


@pytest.mark.parametrize(("language", "written"), [("zh-hans", "1234567"), ("en", "1,234,567")])
def test_whole_numbers_are_written_as_intcomma_writes_them(language, written):
    with translation.override(language):
        whole = whole_numbers()
        assert [cell(n, "int", whole) for n in NUMBERS] == [intcomma(n) for n in NUMBERS]
        assert cell(1234567, "int", whole) == written
        assert cell(None, "int", whole) == DASH
        assert cell(12.25, "rate", whole) == cell(12.25, "rate")
        assert cell(True, "int", whole) == cell(True, "int")


def test_a_table_body_escapes_text_links_and_keeps_numbers():
    from dashboards.tables import Column, Table
    from dashboards.templatetags.dashboards import table_body

    table = Table(
        name="t",
        title="t",
        columns=[Column("name", "名称", "text"), Column("n", "数量")],
        rows=[{"name": "<script>x</script>", "n": 1234567, "_link": '?a=1&b="2"'}, {"name": "合计", "_total": True}],
    )
    with translation.override("en"):
        body = table_body(table)
    assert "<script>" not in body
    assert '<th scope="row"><a href="?a=1&amp;b=&quot;2&quot;">&lt;script&gt;x&lt;/script&gt;</a></th>' in body
    assert '<td class="num">1,234,567</td>' in body
    assert f'<tr class="total"><th scope="row">合计</th><td class="num">{DASH}</td></tr>' in body


RATES = [
    0,
    0.04,
    -0.04,
    0.05,
    12.25,
    12.35,
    99.95,
    100,
    100.0,
    2 / 3,
    1e-07,
    Decimal("33.35"),
    Decimal("-0.05"),
    999.96,
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_rates_are_written_as_floatformat_writes_them(language):
    with translation.override(language):
        tenths = tenths_writer()
        assert [cell(rate, "rate", tenths=tenths) for rate in RATES] == [f"{floatformat(r, 1)}%" for r in RATES]
        assert cell(12.25, "rate", tenths=tenths) == "12.3%"  # half away from zero, as floatformat rounds
        assert cell(1234.56, "rate", tenths=tenths) == f"{floatformat(1234.56, 1)}%"
        assert cell(True, "rate", tenths=tenths) == cell(True, "rate")


def test_a_table_head_links_each_sortable_column_and_marks_the_sort(rf):
    from dashboards.tables import Column, Table
    from dashboards.templatetags.dashboards import table_head

    columns = [
        Column("unit", "<单元>", "text"),
        Column("logged", "登记"),
        Column("rate", "办结率", "rate", sortable=False),
    ]
    rows = [{"unit": "a", "logged": 1}, {"unit": "b", "logged": 2}]
    request = rf.get("/", {"period": "year", "page": "3", "children_sort": "-logged"})
    head = table_head({"request": request}, Table("children", "t", columns, rows, sort="-logged"))
    assert head == (
        '<th scope="col"><a href="?period=year&amp;children_sort=unit#children" rel="nofollow">&lt;单元&gt;</a></th>'
        '<th class="num" scope="col"><a href="?period=year&amp;children_sort=logged#children" rel="nofollow">登记▼</a></th>'
        '<th class="num" scope="col">办结率</th>'
    )
    ascending = table_head({"request": request}, Table("children", "t", columns, rows, sort="logged"))
    assert "children_sort=-logged#children" in ascending
    assert "登记▲" in ascending
    single = table_head({"request": request}, Table("children", "t", columns, rows[:1]))
    assert "<a " not in single  # one row: nothing to sort
