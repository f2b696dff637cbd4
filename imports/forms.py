from django import forms
from django.utils.translation import gettext_lazy as _

from .kinds import KINDS


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入类型"), choices=())
    file = forms.FileField(label=_("文件（.xlsx 或 .csv）"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind.name, kind.label) for kind in KINDS.values()]
