"""The period filter: month, quarter, year and custom ranges, the same form for pages and the API."""

import datetime as dt

import pytest
from django.http import QueryDict
from django.utils import timezone

from dashboards.forms import PeriodForm
from dashboards.periods import Period


def chosen(query: str) -> Period | dict:
    form = PeriodForm(QueryDict(query))
    return form.chosen if form.is_valid() else dict(form.errors)


def test_month_quarter_and_year_are_calendar_periods():
    assert chosen("period=month&year=2025&month=2") == Period(dt.date(2025, 2, 1), dt.date(2025, 3, 1), "month")
    assert chosen("period=quarter&year=2025&quarter=4") == Period(dt.date(2025, 10, 1), dt.date(2026, 1, 1), "quarter")
    assert chosen("period=year&year=2024") == Period(dt.date(2024, 1, 1), dt.date(2025, 1, 1), "year")


def test_custom_includes_both_days_and_is_chosen_by_from_and_to_alone():
    period = chosen("from=2025-01-15&to=2025-03-10")
    assert period == Period(dt.date(2025, 1, 15), dt.date(2025, 3, 11), "custom")
    assert period.last == dt.date(2025, 3, 10)
    assert period.months == [dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)]
    assert period.start_at == timezone.make_aware(dt.datetime(2025, 1, 15))


def test_nothing_given_is_the_current_year():
    today = timezone.localdate()
    assert chosen("") == Period.for_year(today.year)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("period=custom&from=2025-01-01", "to"),
        ("period=custom&to=2025-01-01", "from"),
        ("from=2025-02-01&to=2025-01-01", "to"),
        ("from=2025-13-01&to=2025-12-31", "from"),
        ("from=2000-01-01&to=2015-01-01", "to"),
        ("period=week", "period"),
        ("period=month&year=2025&month=13", "month"),
        ("period=year&year=abc", "year"),
    ],
)
def test_bad_input_is_an_error_on_the_field(query, field):
    errors = chosen(query)
    assert isinstance(errors, dict)
    assert field in errors


def test_the_trend_shows_at_least_twelve_months_ending_with_the_period():
    month = Period.for_month(2025, 3)
    months = month.trend_months()
    assert len(months) == 12
    assert months[0] == dt.date(2024, 4, 1)
    assert months[-1] == dt.date(2025, 3, 1)
    assert len(Period.custom(dt.date(2023, 1, 1), dt.date(2025, 6, 30)).trend_months()) == 30


def test_links_choose_the_same_period_again():
    for period in (
        Period.for_month(2025, 7),
        Period.for_quarter(2025, 3),
        Period.for_year(2025),
        Period.custom(dt.date(2025, 1, 3), dt.date(2025, 1, 9)),
    ):
        query = QueryDict(mutable=True)
        query.update(period.query())
        assert chosen(query.urlencode()) == period
