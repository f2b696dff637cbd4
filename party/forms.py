"""Forms of the party pages: they read input only; the services hold the rules."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.models import GridUnit, User
from issues.forms import MultipleFileField

from .models import MeetingKind, OrganisationKind, PartyMember, Sector


class UnitCodeField(forms.CharField):
    """A grid unit by its code (a city's 56,000 units do not fit a select)."""

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        unit = GridUnit.objects.filter(code=code.strip()).first()
        if unit is None:
            raise forms.ValidationError(_("没有编码为“%(code)s”的网格单元。"), params={"code": code})
        return unit


class UsernameField(forms.CharField):
    """A portal user by their login name (empty: nobody)."""

    def clean(self, value):
        name = super().clean(value)
        if not name:
            return None
        user = User.objects.filter(username=name.strip(), is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("没有登录名为“%(name)s”的用户。"), params={"name": name})
        return user


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("党组织名称"), max_length=120)
    kind = forms.ChoiceField(label=_("类别"), choices=OrganisationKind.choices)
    sector = forms.ChoiceField(label=_("领域"), choices=Sector.choices)
    unit = UnitCodeField(label=_("所在单元编码"), max_length=32)
    parent = forms.IntegerField(label=_("上级党组织编号"), required=False, min_value=1)
    secretary = UsernameField(label=_("书记（登录名）"), max_length=150, required=False)
    records_from = forms.DateField(
        label=_("组织生活台账起始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("从这一天所在周期起计算应召开的会议；留空则不计入及时率。"),
    )
    is_active = forms.BooleanField(label=_("有效"), required=False, initial=True)


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=60, required=False)
    user = UsernameField(label=_("登录名（有账号时填写）"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("职务"), choices=PartyMember.Role.choices, initial=PartyMember.Role.MEMBER)
    joined_on = forms.DateField(label=_("转入日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if not data.get("name") and not data.get("user"):
            self.add_error("name", _("请填写姓名或登录名。"))
        return data


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    held_on = forms.DateField(label=_("召开日期"), widget=forms.DateInput(attrs={"type": "date"}))
    answers_for = forms.DateField(
        label=_("所属周期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("补开往期会议时填写该周期内任一日期；默认为召开日期所在周期。逾期召开计为不及时。"),
    )
    topic = forms.CharField(label=_("会议主题"), max_length=200)
    attendees = forms.ModelMultipleChoiceField(
        label=_("出席党员"), queryset=PartyMember.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    attended = forms.IntegerField(
        label=_("实到人数"), required=False, min_value=0, help_text=_("未逐一勾选出席党员时填写。")
    )
    minutes = forms.CharField(label=_("会议记录"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    photos = MultipleFileField(label=_("会议照片"), required=False)

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisation is not None:
            self.fields["attendees"].queryset = organisation.members.order_by("role", "name", "pk")
        self.fields["held_on"].initial = timezone.localdate()


class OwnedForm(forms.Form):
    """A brand, a pioneer post or a pioneer team (the fields that apply to the kind)."""

    name = forms.CharField(label=_("名称"), max_length=120)
    sector = forms.ChoiceField(label=_("领域"), choices=Sector.choices)
    unit = UnitCodeField(
        label=_("服务单元编码"), max_length=32, required=False, help_text=_("留空为所属党组织所在单元。")
    )
    place = forms.CharField(label=_("服务地点"), max_length=200, required=False)
    services = forms.CharField(label=_("服务内容"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    members_count = forms.IntegerField(label=_("队员人数"), min_value=0, required=False)
    description = forms.CharField(label=_("品牌简介"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    year = forms.IntegerField(label=_("创建年份"), min_value=1921, max_value=2100, required=False)
    honours = forms.CharField(
        label=_("所获荣誉"), widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text=_("每行一项")
    )
    is_public = forms.BooleanField(label=_("公开展示"), required=False, initial=True)
    is_active = forms.BooleanField(label=_("有效"), required=False, initial=True)
    photos = MultipleFileField(label=_("照片"), required=False)

    FIELDS = {
        "brand": ("name", "sector", "unit", "description", "year", "honours", "is_public", "photos"),
        "post": ("name", "sector", "unit", "place", "services", "is_active"),
        "team": ("name", "sector", "unit", "place", "members_count", "services", "is_active"),
    }

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in self.FIELDS[kind]:
                del self.fields[name]
        if kind == "brand":
            self.fields["year"].required = True
        else:
            self.fields["place"].required = True


class TimelinessForm(forms.Form):
    """The timeliness page's query, as the statistics API takes it: `unit`, `from`/`to` (the due dates
    counted; this year by default), `sector`, `group_by`."""

    unit = forms.IntegerField(label=_("单元编号"), required=False, min_value=1, max_value=2**31 - 1)
    sector = forms.ChoiceField(label=_("领域"), choices=[("", _("全部领域")), *Sector.choices], required=False)
    group_by = forms.ChoiceField(
        label=_("分组"),
        choices=[("organisation", _("按党组织")), ("sector", _("按领域")), ("district", _("按城区"))],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        date = forms.DateInput(attrs={"type": "date"})
        self.fields["from"] = forms.DateField(label=_("应召开截止日期自"), required=False, widget=date)
        self.fields["to"] = forms.DateField(label=_("至"), required=False, widget=date)

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        start, end = data.get("from"), data.get("to")
        if start is None and end is None:
            start, end = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
        elif start is None or end is None:
            self.add_error("to" if start else "from", _("开始和结束日期须同时填写。"))
        elif end < start:
            self.add_error("to", _("结束日期不能早于开始日期。"))
        data["start"], data["end"] = start, end
        data["group_by"] = data.get("group_by") or None
        return data
