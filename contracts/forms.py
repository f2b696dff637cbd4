"""Page forms. They collect input; the rules live in contracts.services and their errors land here."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.models import GridUnit

from .models import AwardEntry, CoBuildingUnit, Commitment, Contract, Progress


class ContractForm(forms.Form):
    community = forms.ModelChoiceField(label=_("社区"), queryset=GridUnit.objects.none())
    unit = forms.ModelChoiceField(label=_("共建单位"), queryset=CoBuildingUnit.objects.filter(is_active=True))
    year = forms.IntegerField(label=_("年度"))
    title = forms.CharField(label=_("契约名称"), max_length=150)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["year"].initial = timezone.localdate().year


class ItemForm(forms.Form):
    title = forms.CharField(label=_("名称"), max_length=150)
    detail = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SignForm(forms.Form):
    signed_on = forms.DateField(label=_("签订日期"), widget=forms.DateInput(attrs={"type": "date"}))


class CommitmentForm(forms.Form):
    title = forms.CharField(label=_("承诺事项"), max_length=150)
    demand = forms.ModelChoiceField(label=_("对应需求"), queryset=None)
    resource = forms.ModelChoiceField(label=_("投入资源"), queryset=None)
    target_kind = forms.ChoiceField(label=_("目标类型"), choices=Commitment.TargetKind.choices)
    weight = forms.IntegerField(label=_("权重（1–10）"), initial=1)
    q1 = forms.CharField(label=_("第一季度目标"), required=False)
    q2 = forms.CharField(label=_("第二季度目标"), required=False)
    q3 = forms.CharField(label=_("第三季度目标"), required=False)
    q4 = forms.CharField(label=_("第四季度目标"), required=False)

    def __init__(self, *args, contract: Contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["demand"].queryset = contract.demands.all()
        self.fields["resource"].queryset = contract.resources.all()
        for quarter in (1, 2, 3, 4):
            self.fields[f"q{quarter}"].help_text = _("次数类填数字，节点类填节点内容；留空表示本季度没有目标")

    def targets(self) -> dict[int, int | str]:
        """Quarter → count (count kind; non-numbers are passed on for the service to refuse) or milestone text."""
        kind = self.cleaned_data.get("target_kind")
        targets: dict[int, int | str] = {}
        for quarter in (1, 2, 3, 4):
            value = (self.cleaned_data.get(f"q{quarter}") or "").strip()
            if not value:
                continue
            if kind == Commitment.TargetKind.COUNT:
                targets[quarter] = int(value) if value.lstrip("-").isdigit() else value
            else:
                targets[quarter] = value
        return targets


class ProgressForm(forms.Form):
    status = forms.ChoiceField(label=_("完成情况"), choices=Progress.Status.choices)
    achieved_count = forms.IntegerField(label=_("完成次数"), required=False)
    evidence_text = forms.CharField(label=_("佐证说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    evidence_file = forms.FileField(
        label=_("佐证材料"),
        required=False,
        help_text=_("PDF、Word、Excel、PowerPoint 或照片，不超过 10 MB"),
    )


class ScoreForm(forms.Form):
    score = forms.IntegerField(label=_("得分（0–100）"))
    comments = forms.CharField(label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SendBackForm(forms.Form):
    reason = forms.CharField(label=_("退回原因"), widget=forms.Textarea(attrs={"rows": 2}))


class PeriodForm(forms.Form):
    year = forms.IntegerField(label=_("年度"))
    quarter = forms.TypedChoiceField(
        label=_("季度"),
        coerce=int,
        choices=[(1, _("第一季度")), (2, _("第二季度")), (3, _("第三季度")), (4, _("第四季度"))],
    )


class CorrectionForm(forms.Form):
    reason = forms.CharField(label=_("更正原因"), widget=forms.Textarea(attrs={"rows": 2}))


class AwardEntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=AwardEntry.Kind.choices)
    contract = forms.ModelChoiceField(label=_("依据契约"), queryset=Contract.objects.none())
    person_name = forms.CharField(label=_("先进个人姓名"), max_length=60, required=False)
    citation = forms.CharField(label=_("主要事迹"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, contracts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts
        self.fields["contract"].label_from_instance = lambda c: f"{c.number} {c.unit.name}"
