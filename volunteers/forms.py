"""Page forms. They only parse input: every rule lives in the services, whose refusals the views put on them
(`guilin_portal.forms.add_service_error`)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ActivityKind, Currency, ServiceCategory, Team, TeamMember

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ServiceCategory) -> str:
        return obj.label


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("活动名称"), max_length=120)
    category = CategoryChoiceField(label=_("服务类别"), queryset=ServiceCategory.objects.filter(is_active=True))
    kind = forms.ChoiceField(label=_("服务类型"), choices=[c for c in ActivityKind.choices if c[0] != "report"])
    unit = forms.ModelChoiceField(label=_("服务单元"), queryset=None)
    place = forms.CharField(label=_("地点"), max_length=200)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS)
    capacity = forms.IntegerField(label=_("名额"), min_value=1, max_value=10000)
    description = forms.CharField(label=_("活动内容"), widget=forms.Textarea, required=False)

    def __init__(self, *args, units, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class RecordForm(forms.Form):
    """A service done outside an activity (报到服务), registered by the volunteer or for a team member."""

    volunteer = forms.ModelChoiceField(label=_("志愿者"), queryset=None, required=False)
    category = CategoryChoiceField(label=_("服务类别"), queryset=ServiceCategory.objects.filter(is_active=True))
    started_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS)
    ended_at = forms.DateTimeField(label=_("结束时间"), widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS)
    hours = forms.DecimalField(label=_("服务时长（小时）"), max_digits=5, decimal_places=2)
    description = forms.CharField(label=_("服务内容"), max_length=500)
    solved_difficulty = forms.BooleanField(label=_("解决了群众困难事项"), required=False)

    def __init__(self, *args, volunteers=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if volunteers is None:
            del self.fields["volunteer"]
        else:
            self.fields["volunteer"].queryset = volunteers
            self.fields["volunteer"].required = True


class NoteForm(forms.Form):
    note = forms.CharField(label=_("意见"), max_length=300, required=False)


class MemberAddForm(forms.Form):
    """The person is found by name and phone together; a new one is registered at the team's unit if asked."""

    full_name = forms.CharField(label=_("姓名"), max_length=60)
    phone = forms.CharField(label=_("手机号"), max_length=20)
    is_party_member = forms.BooleanField(label=_("党员"), required=False)
    create = forms.BooleanField(label=_("查无此人时新登记"), required=False)
    role = forms.ChoiceField(label=_("队内职务"), choices=TeamMember.Role.choices, initial=TeamMember.Role.MEMBER)

    def __init__(self, *args, roles=None, **kwargs) -> None:
        """`roles`: the roles to offer (those the viewer may give), else every role."""
        super().__init__(*args, **kwargs)
        if roles is not None:
            self.fields["role"].choices = [(value, label) for value, label in TeamMember.Role.choices if value in roles]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("队内职务"), choices=TeamMember.Role.choices)


class WithdrawForm(forms.Form):
    amount = forms.DecimalField(label=_("数额"), max_digits=10, decimal_places=2, min_value=Decimal("0.01"))
    memo = forms.CharField(label=_("摘要"), max_length=200, required=False)


class TransferForm(forms.Form):
    """The receiver is named by name and phone number together: you give to someone you know."""

    target_name = forms.CharField(label=_("对方姓名"), max_length=60)
    target_phone = forms.CharField(label=_("对方手机号"), max_length=20)
    currency = forms.ChoiceField(label=_("币种"), choices=Currency.choices)
    amount = forms.DecimalField(label=_("数额"), max_digits=10, decimal_places=2, min_value=Decimal("0.01"))
    memo = forms.CharField(label=_("摘要"), max_length=200, required=False)


class TeamFilterForm(forms.Form):
    category = CategoryChoiceField(
        label=_("服务类别"), queryset=ServiceCategory.objects.all(), required=False, empty_label=_("全部类别")
    )
    kind = forms.ChoiceField(label=_("队伍类型"), choices=[("", _("全部类型")), *Team.Kind.choices], required=False)
    q = forms.CharField(label=_("队名"), required=False)


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.full_name


class ShiftForm(forms.Form):
    """One shift of a resident demand (分解): what, where, when, and which members of the team do it."""

    title = forms.CharField(label=_("服务内容"), max_length=120)
    place = forms.CharField(label=_("地点"), max_length=200)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS)
    volunteers = MemberChoiceField(label=_("安排队员"), queryset=None, widget=forms.CheckboxSelectMultiple)
    capacity = forms.IntegerField(
        label=_("名额"), min_value=1, max_value=1000, required=False, help_text=_("留空为安排的队员人数。")
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, volunteers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["volunteers"].queryset = volunteers


class DemandRecordForm(forms.Form):
    """A member's service in a demand shift, recorded by the team's leader."""

    activity = forms.ModelChoiceField(label=_("服务班次"), queryset=None)
    volunteer = forms.ModelChoiceField(label=_("队员"), queryset=None)
    started_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS)
    ended_at = forms.DateTimeField(label=_("结束时间"), widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS)
    hours = forms.DecimalField(label=_("服务时长（小时）"), max_digits=5, decimal_places=2)
    description = forms.CharField(label=_("服务内容"), max_length=500, required=False)

    def __init__(self, *args, shifts, volunteers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = shifts
        self.fields["volunteer"].queryset = volunteers


class ShiftDoneForm(forms.Form):
    result = forms.CharField(label=_("完成情况"), max_length=300, required=False)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
