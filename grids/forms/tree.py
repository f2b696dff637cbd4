from django import forms
from django.core.exceptions import ValidationError

from grids.models import GridUnit, Post
from grids.services import validate_post, validate_unit_parent


def add_validation_error(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form fields it names."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class GridUnitForm(forms.ModelForm):
    """Create or change a unit; the tree rules come from grids.services."""

    class Meta:
        model = GridUnit
        fields = ["code", "name", "level", "parent", "is_property_managed"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A unit keeps its level; moving it changes the parent only.
            self.fields["level"].disabled = True

    def clean(self):
        cleaned = super().clean()
        level = self.instance.level if self.instance.pk else cleaned.get("level")
        if level is not None:
            try:
                validate_unit_parent(
                    level=level, parent=cleaned.get("parent"), unit=self.instance if self.instance.pk else None
                )
            except ValidationError as error:
                add_validation_error(self, error)
        return cleaned


class PostForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = ["user", "unit", "role", "is_full_time", "started_on"]

    def clean(self):
        cleaned = super().clean()
        unit, role = cleaned.get("unit"), cleaned.get("role")
        if unit is not None and role:
            try:
                validate_post(unit=unit, role=role)
            except ValidationError as error:
                add_validation_error(self, error)
        return cleaned
