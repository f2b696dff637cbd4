"""API keys of programs: one abstract model and one service for statistics keys and Open311 clients.

A key reads as `<prefix>.<secret>`. Only a hash of the secret is kept; the
plaintext is shown once, when the key is issued. A presented key is found by
its prefix (a unique index) and its secret compared in constant time. Keys
are revoked, never deleted, so what they did keeps its author.

Plumbing: this module names the unit by its model label ("grids.GridUnit")
and imports no app of ours; the apps subclass `ApiKey` and call these
functions with their own model.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from datetime import datetime, timedelta
from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

log = logging.getLogger("portal.security")
# `api_key=<anything>` in a query string or a form body: what a log line must never carry.
API_KEY_PARAMETER = re.compile(r"(?i)(\bapi_key=)[^&\s#\"']*")


def strip_api_key(text: str) -> str:
    """The text with every `api_key=` value replaced: `/open311/v2/requests.json?api_key=[removed]&…`."""
    return API_KEY_PARAMETER.sub(r"\1[removed]", text)


SEPARATOR = "."
# A busy program does not turn every call into a write on its key's row.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiKeyQuerySet(models.QuerySet):
    def usable(self, at: datetime | None = None) -> ApiKeyQuerySet:
        """Keys neither revoked nor expired (a key without an expiry time lasts until revoked)."""
        at = at or timezone.now()
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at), revoked_at__isnull=True)


class ApiKey(models.Model):
    """A program's key for one unit's subtree. Subclasses may redeclare `unit` (its label, its reverse name)."""

    name = models.CharField(gettext_lazy("名称"), max_length=100, help_text=gettext_lazy("使用这个密钥的系统或单位"))
    unit = models.ForeignKey(
        "grids.GridUnit", verbose_name=gettext_lazy("可见范围"), on_delete=models.PROTECT, related_name="+"
    )
    prefix = models.CharField(gettext_lazy("前缀"), max_length=12, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(gettext_lazy("创建时间"), default=timezone.now)
    expires_at = models.DateTimeField(gettext_lazy("过期时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(gettext_lazy("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("吊销人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_used_at = models.DateTimeField(gettext_lazy("最近使用"), null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    # How the security log names this kind of key's events ("<log_name>_issued") and its id.
    log_name: ClassVar[str] = "api_key"
    log_id: ClassVar[str] = "key_id"

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


K = TypeVar("K", bound=ApiKey)


def hash_secret(secret: str) -> str:
    # Secrets are 256-bit random strings, so a fast hash is enough (no dictionary to guess from).
    return hashlib.sha256(secret.encode()).hexdigest()


# Compared against when no key has the prefix, so an unknown prefix costs the same as a wrong secret.
_NO_KEY = hash_secret("")


def _log(key: ApiKey, event: str, user: Any, **extra: Any) -> None:
    name = type(key).log_name
    log.info(
        f"{name.replace('_', ' ')} {event}",
        extra={"event": f"{name}_{event}", type(key).log_id: key.pk, "user": getattr(user, "username", "-"), **extra},
    )


@transaction.atomic
def api_key_issue(
    model: type[K],
    *,
    name: str,
    unit: Any,
    created_by: Any,
    expires_at: datetime | None = None,
    secret: str | None = None,
    prefix: str | None = None,
    **fields: Any,
) -> tuple[K, str]:
    """Create a key for a unit's subtree; the plaintext `<prefix>.<secret>` is returned once and never stored.

    `secret` and `prefix` are for a demo's reproducible key; by default both are random.
    """
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        raise ValidationError({"expires_at": _("过期时间必须晚于现在。")})
    prefix = prefix or secrets.token_hex(4)
    secret = secret or secrets.token_urlsafe(32)
    key = model(
        name=(name or "").strip(),
        unit=unit,
        prefix=prefix,
        secret_hash=hash_secret(secret),
        created_by=created_by,
        created_at=now,
        expires_at=expires_at,
        **fields,
    )
    key.full_clean()
    key.save()
    _log(key, "issued", created_by)
    return key, f"{prefix}{SEPARATOR}{secret}"


def api_key_find(model: type[K], raw: str | None, *, at: datetime | None = None) -> K | None:
    """The usable key a presented `<prefix>.<secret>` names, or None (unknown, wrong secret, revoked, expired).

    One query, with the key's unit; the secret's hash is compared in constant time.
    """
    prefix, _dot, secret = (raw or "").strip().partition(SEPARATOR)
    if not prefix or not secret:
        return None
    key = model.objects.usable(at).select_related("unit").filter(prefix=prefix).first()
    matches = hmac.compare_digest(key.secret_hash if key is not None else _NO_KEY, hash_secret(secret))
    return key if key is not None and matches else None


@transaction.atomic
def api_key_revoke(key: K, *, revoked_by: Any) -> K:
    """Stop a key from working; what it did stays, with it as the author."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.revoked_by = revoked_by
        key.save(update_fields=["revoked_at", "revoked_by"])
        _log(key, "revoked", revoked_by)
    return key


def api_key_used(key: ApiKey, *, now: datetime | None = None, every: timedelta | None = LAST_USED_RESOLUTION) -> None:
    """Stamp the key's last use: at most once per `every` (None: at each call), one UPDATE when it does."""
    now = now or timezone.now()
    if every is not None and key.last_used_at is not None and now - key.last_used_at < every:
        return
    key.last_used_at = now
    type(key).objects.filter(pk=key.pk).update(last_used_at=now)
