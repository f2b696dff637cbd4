from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Photo, Project


class ProjectFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部")), *Project.Kind.choices])
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部")), *Project.Status.choices])


class ProgressForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=Project.Status.choices)
    progress = forms.IntegerField(label=_("进度（%）"), min_value=0, max_value=100)
    started_on = forms.DateField(label=_("开工日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    finished_on = forms.DateField(label=_("完工日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class PhotoForm(forms.Form):
    stage = forms.ChoiceField(label=_("阶段"), choices=Photo.Stage.choices)
    image = forms.ImageField(label=_("照片"), widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    caption = forms.CharField(label=_("说明"), required=False, max_length=120)
