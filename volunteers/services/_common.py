"""Small helpers the volunteer services share."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _


def save_by(instance: models.Model, actor: Any, **kwargs) -> None:
    """Validate and save, naming the actor in the row's history (who, when, what)."""
    instance.full_clean()
    instance._history_user = actor if getattr(actor, "pk", None) else None
    instance.save(**kwargs)


def deny(message: str | None = None) -> PermissionDenied:
    return PermissionDenied(message or _("您没有权限进行此操作。"))
