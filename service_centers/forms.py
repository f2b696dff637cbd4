"""Forms of the service-network pages. They collect input; the rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.models import GridUnit
from issues.models import Issue
from volunteers.models import Activity

from .models import ActivityCategory, ServiceKind, ServicePoint, StarRating
from .navigation import parse_near


class DirectoryFilterForm(forms.Form):
    """The public directory's filters: kind, level, district, name."""

    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部类型")), *ServicePoint.Kind.choices])
    level = forms.ChoiceField(
        label=_("级别/类别"), required=False, choices=[("", _("全部级别")), *ServicePoint.Level.choices]
    )
    district = forms.ChoiceField(label=_("城区/县"), required=False)
    q = forms.CharField(label=_("名称或地址"), required=False, max_length=60)
    # "Near me": the browser's position (WGS-84 "lat,lng"), set by the page's script with consent.
    near = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args, districts: list[GridUnit], **kwargs):
        super().__init__(*args, **kwargs)
        # The choices come from the list the view already read: no second query.
        self.fields["district"].choices = [("", _("全市")), *((str(d.pk), d.name) for d in districts)]
        self._districts = {str(d.pk): d for d in districts}

    def clean_district(self) -> GridUnit | None:
        return self._districts.get(self.cleaned_data.get("district") or "")

    def clean_near(self) -> tuple[float, float] | None:
        text = self.cleaned_data.get("near") or ""
        near = parse_near(text)
        if text and near is None:
            raise forms.ValidationError(_("位置应为“纬度,经度”。"))
        return near


class StaffPointFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部类型")), *ServicePoint.Kind.choices])
    level = forms.ChoiceField(
        label=_("级别/类别"), required=False, choices=[("", _("全部级别")), *ServicePoint.Level.choices]
    )
    q = forms.CharField(label=_("名称或地址"), required=False, max_length=60)


class RedStationLogForm(forms.Form):
    """One tap: the service (the button pressed), an optional note and, for catching up, the time."""

    service_kind = forms.ModelChoiceField(label=_("服务项目"), queryset=ServiceKind.objects.none())
    note = forms.CharField(label=_("备注（可选）"), required=False, max_length=200)
    served_at = forms.DateTimeField(
        label=_("服务时间（补登时填写）"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    client_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any kind may be posted; the service refuses one that is not on the station's menu, with its name.
        self.fields["service_kind"].queryset = ServiceKind.objects.all()


class IssueChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, issue) -> str:
        return f"#{issue.pk} {issue.category.name} · {issue.get_status_display()} · {issue.description[:24]}"


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("议事日期"), widget=forms.DateInput(attrs={"type": "date"}))
    topic = forms.CharField(label=_("议题"), max_length=200)
    attendees = forms.CharField(label=_("参加人员"), max_length=300, help_text=_("如：辖区党员12人、居民代表8人"))
    attendee_count = forms.IntegerField(label=_("参加人数"))
    decisions = forms.CharField(label=_("议定事项"), widget=forms.Textarea)
    follow_up = forms.CharField(label=_("后续跟进"), required=False, widget=forms.Textarea)
    follow_up_issues = IssueChoiceField(
        label=_("跟进的群众诉求"),
        queryset=Issue.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("本工作站范围内最近登记的群众诉求"),
    )

    def __init__(self, *args, issues: list[Issue], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["follow_up_issues"]
        field.queryset = Issue.objects.filter(pk__in=[issue.pk for issue in issues]).select_related("category")
        # Render from the list the view already read.
        field.choices = [(issue.pk, field.label_from_instance(issue)) for issue in issues]


class VolunteerActivityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, activity) -> str:
        return f"{timezone.localtime(activity.starts_at):%Y-%m-%d} {activity.title}（{activity.category}）"


class ActivityForm(forms.Form):
    """Either a volunteer activity already held in the area, or the workstation's own record of one."""

    volunteer_activity = VolunteerActivityChoiceField(
        label=_("计入已开展的志愿服务活动"),
        queryset=Activity.objects.none(),
        required=False,
        empty_label=_("（不选，填写下面的活动）"),
    )
    held_on = forms.DateField(label=_("活动日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(label=_("活动名称"), max_length=120, required=False)
    category = forms.ChoiceField(label=_("类别"), choices=ActivityCategory.choices, required=False)
    participants = forms.IntegerField(label=_("参加人数"), min_value=0, initial=0, required=False)
    note = forms.CharField(label=_("备注"), required=False, max_length=300)

    def __init__(self, *args, activities: list[Activity], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["volunteer_activity"]
        field.queryset = Activity.objects.filter(pk__in=[a.pk for a in activities]).select_related("category", "unit")
        field.choices = [("", field.empty_label), *((a.pk, field.label_from_instance(a)) for a in activities)]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("volunteer_activity") is None:
            for name in ("held_on", "title", "category"):
                if not cleaned.get(name):
                    self.add_error(name, _("请选择一项志愿服务活动，或填写本项。"))
        return cleaned


class RatingForm(forms.Form):
    """The six-standardization checklist; the range rule (0-10) lives in the rating service."""

    year = forms.IntegerField(label=_("评定年度"))
    note = forms.CharField(label=_("评语"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field, label in StarRating.CRITERIA:
            self.fields[field] = forms.IntegerField(
                label=label,
                help_text=_("0 到 %(max)s 分") % {"max": StarRating.MAX_SCORE},
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": StarRating.MAX_SCORE}),
            )
        self.order_fields(["year", *[f for f, _label in StarRating.CRITERIA], "note"])

    def scores(self) -> dict[str, int]:
        return {field: self.cleaned_data[field] for field, _label in StarRating.CRITERIA}
