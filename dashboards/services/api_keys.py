"""Issuing, checking and revoking statistics API keys."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import GridUnit, User

from ..models import StatsApiCall, StatsApiKey

log = logging.getLogger("portal.security")


def _hash(secret: str) -> str:
    # Keys are 256-bit random strings, so a fast hash is enough (no dictionary to guess from).
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_key_issue(
    *, name: str, unit: GridUnit, expires_at: datetime, created_by: User | None, secret: str | None = None
) -> tuple[StatsApiKey, str]:
    """Create a key for a unit's subtree; the plaintext is returned once and never stored."""
    if expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("过期时间必须晚于现在。")})
    prefix = secrets.token_hex(4)
    secret = secret or secrets.token_urlsafe(32)
    key = StatsApiKey(
        name=name, unit=unit, prefix=prefix, secret_hash=_hash(secret), created_by=created_by, expires_at=expires_at
    )
    key.full_clean()
    key.save()
    log.info(
        "api key issued",
        extra={"event": "api_key_issued", "key_id": key.pk, "user": getattr(created_by, "username", "-")},
    )
    return key, f"{prefix}.{secret}"


@transaction.atomic
def api_key_revoke(*, key: StatsApiKey, revoked_by: User | None) -> StatsApiKey:
    """Stop a key from working; its call log stays."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        log.info(
            "api key revoked",
            extra={"event": "api_key_revoked", "key_id": key.pk, "user": getattr(revoked_by, "username", "-")},
        )
    return key


def api_key_check(raw: str) -> StatsApiKey | None:
    """The usable key a presented string names, or None (unknown, wrong secret, revoked or expired)."""
    prefix, _dot, secret = raw.strip().partition(".")
    if not prefix or not secret:
        return None
    key = StatsApiKey.objects.usable().select_related("unit").filter(prefix=prefix).first()
    if key is None or not hmac.compare_digest(key.secret_hash, _hash(secret)):
        return None
    return key


def api_call_record(*, key_id: int, method: str, path: str, status: int) -> None:
    """Log a call made with a key, in the table and in the log stream."""
    now = timezone.now()
    StatsApiCall.objects.create(key_id=key_id, at=now, method=method, path=path[:500], status=status)
    StatsApiKey.objects.filter(pk=key_id).update(last_used_at=now)
    log.info(
        "api call", extra={"event": "api_call", "key_id": key_id, "method": method, "path": path, "status": status}
    )
