from django import forms
from django.utils.translation import gettext_lazy as _

from .kinds import KINDS


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入类型"), choices=())
    file = forms.FileField(label=_("文件（.xlsx 或 .csv）"))
    boundaries = forms.FileField(
        label=_("边界文件（可选，.geojson）"),
        required=False,
        help_text=_("仅用于网格单元导入：GeoJSON 要素集合，每个要素的 properties.code 为单元编码，WGS-84 坐标。"),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind.name, kind.label) for kind in KINDS.values()]
