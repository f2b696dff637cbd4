"""Forms of the issue pages. They collect input; the rules are in issues.services (errors come back from there).

A transition's form (`issues.transitions`) yields the same data as its API serializer.
"""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from grids.models import GridUnit, User
from issues.models import Issue
from issues.selectors import categories_active, loggable_units

# A select stays usable up to this many units; a wider jurisdiction types the unit's code instead.
MAX_UNIT_CHOICES = 300


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by issues.services (content, size), not here."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit: GridUnit) -> str:
        indent = "　" * max(0, unit.level - GridUnit.Level.AREA)
        return f"{indent}{unit.name}"


class IssueLogForm(forms.Form):
    """Log an issue from the street: the unit pre-filled, limited to the worker's jurisdiction."""

    client_key = forms.UUIDField(widget=forms.HiddenInput)
    unit = UnitChoiceField(label=_("所在网格"), queryset=GridUnit.objects.none())
    category = forms.ModelChoiceField(label=_("问题类别"), queryset=categories_active())
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    location_text = forms.CharField(label=_("具体位置"), required=False, max_length=200)
    resident_name = forms.CharField(label=_("居民姓名"), required=False, max_length=60)
    resident_phone = forms.CharField(
        label=_("居民电话"),
        required=False,
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        help_text=_("手机号或带区号的固定电话；只有登记人和承办方能看到完整号码。"),
    )
    priority = forms.TypedChoiceField(
        label=_("紧急程度"), choices=Issue.Priority.choices, coerce=int, initial=Issue.Priority.NORMAL
    )
    photos = MultipleFileField(
        label=_("照片"),
        required=False,
        help_text=_("最多 6 张，JPEG、PNG 或 WebP，每张不超过 10 MB。"),
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
    )
    # The phone's rear camera straight away; its shots join `photos` (issues.js, and the view reads both).
    camera = MultipleFileField(
        label=_("拍照"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment", "class": "camera-input"}),
    )
    # Where the problem is (WGS-84): the phone's GPS fix with the worker's consent, or a tap on the map (hidden inputs the
    # map partial issues/_location_map.html fills and shows errors of; the page converts a tap on GCJ-02 tiles back through /grids/locate/). Optional; issues.services.issue_log
    # checks the point lies in the chosen micro-grid and says which of the worker's grids holds it otherwise.
    latitude = forms.FloatField(
        label=_("纬度"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.HiddenInput(attrs={"class": "location-latitude"}),
    )
    longitude = forms.FloatField(
        label=_("经度"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.HiddenInput(attrs={"class": "location-longitude"}),
    )
    location_accuracy = forms.IntegerField(
        label=_("定位精度(米)"),
        required=False,
        min_value=0,
        max_value=100_000,
        widget=forms.HiddenInput(attrs={"class": "location-accuracy"}),
    )
    max_photos = Issue.MAX_PHOTOS

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        units = loggable_units(viewer=viewer)
        self.fields["unit"].queryset = units
        # More units than a phone select can hold: type the unit code.
        if units[: MAX_UNIT_CHOICES + 1].count() > MAX_UNIT_CHOICES:
            self.fields["unit"].to_field_name = "code"
            self.fields["unit"].widget = forms.TextInput(attrs={"autocomplete": "off"})
            self.fields["unit"].help_text = _("请输入网格编码（可在网格页面查看）。")
        if not self.is_bound:
            self.initial.setdefault("client_key", uuid.uuid4())


class VersionedForm(forms.Form):
    """Every action form carries the version the person saw; a stale one becomes a conflict, not an overwrite."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class NoteForm(VersionedForm):
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ResolveForm(VersionedForm):
    resolution = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class FeedbackForm(VersionedForm):
    satisfaction = forms.ChoiceField(
        label=_("群众评价"), choices=Issue.Satisfaction.choices, widget=forms.RadioSelect, required=False
    )
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class SuspendForm(VersionedForm):
    reason = forms.CharField(label=_("挂起原因"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class RejectForm(VersionedForm):
    reason = forms.ChoiceField(
        label=_("退回原因"), choices=[("", "---------"), *Issue.RejectReason.choices], required=False
    )
    duplicate_of = forms.IntegerField(label=_("原问题编号"), required=False, min_value=1)
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ExtensionRequestForm(VersionedForm):
    hours = forms.IntegerField(label=_("延长小时数"), min_value=1, max_value=24 * 30, required=False)
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ExtensionDecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("同意")), ("refuse", _("不同意"))], widget=forms.HiddenInput, label=_("审批")
    )
    note = forms.CharField(label=_("审批意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class AssignForm(VersionedForm):
    assignee = forms.ModelChoiceField(label=_("经办人"), queryset=User.objects.none())

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = candidates


class BulkAssignForm(forms.Form):
    issues = forms.TypedMultipleChoiceField(coerce=int, label=_("问题"))
    assignee = forms.ModelChoiceField(label=_("经办人"), queryset=User.objects.none())

    def __init__(self, *args, issue_ids, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issues"].choices = [(pk, pk) for pk in issue_ids]
        self.fields["assignee"].queryset = candidates


DECOMPOSE_ROWS = 3


class DecomposeForm(VersionedForm):
    """Up to three sub-tasks at once, each a title and a handler from the issue's choices."""

    def __init__(self, *args, handler_choices, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "---------"), *[(handler.token, label) for handler, label in handler_choices]]
        self.handlers = {handler.token: handler for handler, _label in handler_choices}
        for n in range(1, DECOMPOSE_ROWS + 1):
            self.fields[f"title_{n}"] = forms.CharField(
                label=_("子任务 %(n)s") % {"n": n}, required=False, max_length=200
            )
            self.fields[f"handler_{n}"] = forms.ChoiceField(label=_("承办方"), choices=choices, required=False)

    def rows(self):
        return [(self[f"title_{n}"], self[f"handler_{n}"]) for n in range(1, DECOMPOSE_ROWS + 1)]

    def clean(self):
        """`tasks`: one TaskSpec per filled row, as the API's `tasks` become (a row without a handler is an error)."""
        from issues.services import TaskSpec

        cleaned = super().clean()
        specs, missing = [], False
        for n in range(1, DECOMPOSE_ROWS + 1):
            title = (cleaned.get(f"title_{n}") or "").strip()
            token = cleaned.get(f"handler_{n}")
            if not title and not token:
                continue
            if not token:
                self.add_error(f"handler_{n}", _("请选择承办方。"))
                missing = True
                continue
            specs.append(TaskSpec(title=title, handler=self.handlers[token]))
        if missing:
            raise forms.ValidationError(_("请为每个子任务选择承办方。"))
        cleaned["tasks"] = specs
        return cleaned


class UrgeForm(forms.Form):
    """催办 changes no state, so it carries no version (like a progress note)."""

    note = forms.CharField(
        label=_("催办意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=500
    )


class ReassignForm(VersionedForm):
    """改派: another handler from the issue's choices, and why."""

    handler = forms.ChoiceField(label=_("改派给"))
    note = forms.CharField(label=_("改派原因"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, handler_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.handlers = {handler.token: handler for handler, _label in handler_choices}
        self.fields["handler"].choices = [("", "---------"), *[(h.token, label) for h, label in handler_choices]]

    def clean_handler(self):
        return self.handlers[self.cleaned_data["handler"]]


class TaskDoneForm(forms.Form):
    result = forms.CharField(label=_("办理情况"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=_("照片"), widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
    )


class IssueFilterForm(forms.Form):
    """The filters of the list pages (GET): `q` (an issue number or words), `status`, `category`,
    `overdue=1`; the workbench's cards link to these lists with them (README "List filters")."""

    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("编号或关键词"), "enterkeyhint": "search"}),
    )
    status = forms.ChoiceField(label=_("状态"), choices=[("", _("全部状态")), *Issue.Status.choices], required=False)
    category = forms.ModelChoiceField(
        label=_("类别"), queryset=categories_active(), required=False, empty_label=_("全部类别")
    )
    overdue = forms.BooleanField(label=_("只看逾期"), required=False)


class MineFilterForm(IssueFilterForm):
    """My issues' filters, plus `open=1` (only those still open: the workbench's 在办 count)."""

    open = forms.BooleanField(label=_("只看在办"), required=False)


class SupervisionFilterForm(IssueFilterForm):
    """The supervision list's filters, plus `escalated=1` (only those supervised at my level),
    `near_due=1` (only the yellow ones, not yet late) and `sort`."""

    escalated = forms.BooleanField(label=_("只看督办到本级的"), required=False)
    near_due = forms.BooleanField(label=_("只看临近到期"), required=False)
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[
            ("late", _("逾期最久在前")),
            ("least_late", _("逾期最短在前")),
            ("level", _("督办级别高在前")),
            ("new", _("最新登记在前")),
        ],
    )
