from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from grids.models import GridUnit
from grids.viewer import Viewer

from .access import screen_units_q


class UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: GridUnit) -> str:
        return f"{'　' * (obj.level - 1)}{obj.name}"


class ScreenLinkForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100, help_text=_("例如：秀峰区指挥中心主屏"))
    unit = UnitChoice(label=_("大屏范围"), queryset=GridUnit.objects.none(), empty_label=None)

    def __init__(self, *args, viewer: Viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = GridUnit.objects.filter(screen_units_q(viewer)).order_by("path")
