from django import forms
from django.utils.translation import gettext_lazy as _

from grids.models import Post


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("姓名或手机号"), required=False, max_length=60)
    role = forms.ChoiceField(label=_("岗位"), required=False, choices=[("", _("全部岗位")), *Post.Role.choices])
    unit = forms.CharField(label=_("单元编码"), required=False, max_length=32)


class PostForm(forms.Form):
    unit = forms.CharField(label=_("单元编码"), max_length=32)
    role = forms.ChoiceField(label=_("岗位"), choices=Post.Role.choices)
    is_full_time = forms.BooleanField(label=_("专职"), required=False)


class PersonForm(PostForm):
    full_name = forms.CharField(label=_("姓名"), max_length=60)
    phone = forms.CharField(label=_("手机号"), max_length=20)
    is_party_member = forms.BooleanField(label=_("党员"), required=False)

    field_order = ["full_name", "phone", "is_party_member", "unit", "role", "is_full_time"]


class MoveForm(forms.Form):
    unit = forms.CharField(label=_("新单元编码"), max_length=32)


class SuccessorForm(forms.Form):
    successor = forms.CharField(
        label=_("工作交给（手机号或用户名）"),
        required=False,
        max_length=60,
        help_text=_("留空则交给其所在单元的办公室（社区/街道/城区）。"),
    )


class LockForm(SuccessorForm):
    confirm = forms.BooleanField(label=_("确认锁定此账号"))


class RetireForm(SuccessorForm):
    ended_on = forms.DateField(label=_("离任日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    confirm = forms.BooleanField(label=_("确认离任"))


class ActivationForm(forms.Form):
    password = forms.CharField(label=_("新密码"), widget=forms.PasswordInput, max_length=128)
    password_again = forms.CharField(label=_("再次输入"), widget=forms.PasswordInput, max_length=128)
