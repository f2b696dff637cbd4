"""How a dashboard table writes a number: the fast path for whole numbers writes what `intcomma` writes,
in each language of the portal."""

from __future__ import annotations

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import translation

from dashboards.templatetags.dashboards import DASH, cell, whole_numbers

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
