"""Small helpers the volunteer services share."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _


def save_by(instance: models.Model, actor: Any, *, update_fields: list[str] | None = None) -> None:
    """Save, naming the actor in the row's history (who, when, what).

    A new row or an edit of what a person typed is validated in full (`full_clean`: fields, foreign keys,
    constraints; a dozen queries on a service record). A state change whose values the service itself
    computed under its locks (verify, check in, cancel...) names its `update_fields` and skips that:
    the database constraints still hold.
    """
    instance._history_user = actor if getattr(actor, "pk", None) else None
    if update_fields is None:
        instance.full_clean()
        instance.save()
    else:
        instance.save(update_fields=update_fields)


def deny(message: str | None = None) -> PermissionDenied:
    return PermissionDenied(message or _("您没有权限进行此操作。"))
