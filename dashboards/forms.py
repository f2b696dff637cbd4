"""The period filter, shared by the dashboard pages and the statistics API (same fields, same errors)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .periods import MAX_DAYS, Period, quarter_of

PERIOD_CHOICES = [
    ("year", _("按年")),
    ("quarter", _("按季度")),
    ("month", _("按月")),
    ("custom", _("自定义")),
]


class PeriodForm(forms.Form):
    """period=year|quarter|month|custom with year, quarter, month, or from/to (both days included).

    Without `period`: custom when `from` or `to` is given, else the current year.
    The field names are the query parameters of the pages and of the API.
    """

    period = forms.ChoiceField(label=_("统计周期"), choices=PERIOD_CHOICES, required=False)
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100, required=False)
    quarter = forms.TypedChoiceField(
        label=_("季度"), choices=[(q, f"Q{q}") for q in range(1, 5)], coerce=int, required=False, empty_value=None
    )
    month = forms.TypedChoiceField(
        label=_("月份"), choices=[(m, m) for m in range(1, 13)], coerce=int, required=False, empty_value=None
    )

    def __init__(self, data=None, *args, **kwargs):
        today = timezone.localdate()
        if data is not None:
            # What is not given takes its default, so the form shows the period actually used.
            data = data.copy()
            if not data.get("period"):
                data["period"] = "custom" if data.get("from") or data.get("to") else "year"
            for name, default in (("year", today.year), ("quarter", quarter_of(today)), ("month", today.month)):
                if not data.get(name):
                    data[name] = str(default)
        super().__init__(data, *args, **kwargs)
        # "from" is a Python keyword: these two are added by name.
        self.fields["from"] = forms.DateField(
            label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
        )
        self.fields["to"] = forms.DateField(
            label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
        )
        self.fields["year"].initial = today.year
        self.fields["quarter"].initial = quarter_of(today)
        self.fields["month"].initial = today.month

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        today = timezone.localdate()
        kind = data.get("period") or "year"
        year = data.get("year") or today.year
        if kind == "year":
            data["resolved_period"] = Period.for_year(year)
        elif kind == "quarter":
            data["resolved_period"] = Period.for_quarter(year, data.get("quarter") or quarter_of(today))
        elif kind == "month":
            data["resolved_period"] = Period.for_month(year, data.get("month") or today.month)
        else:
            first, last = data.get("from"), data.get("to")
            if first is None:
                self.add_error("from", _("请填写开始日期（YYYY-MM-DD）。"))
            if last is None:
                self.add_error("to", _("请填写结束日期（YYYY-MM-DD）。"))
            if first is None or last is None:
                return data
            if last < first:
                self.add_error("to", _("结束日期不能早于开始日期。"))
                return data
            if (last - first).days >= MAX_DAYS:
                self.add_error("to", _("统计区间最长十年。"))
                return data
            data["resolved_period"] = Period.custom(first, last)
        return data

    @property
    def chosen(self) -> Period:
        """The chosen period (call after is_valid())."""
        return self.cleaned_data["resolved_period"]


def period_from(params) -> tuple[PeriodForm, Period | None]:
    """The form bound to a request's query parameters, and its period when valid."""
    form = PeriodForm(params)
    return form, (form.chosen if form.is_valid() else None)
