"""Form plumbing every app's pages share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on each field it names, else at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
