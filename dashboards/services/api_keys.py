"""Statistics API keys: issued, found, revoked and stamped by the portal's one API-key service
(guilin_portal.api_keys); here only what is the statistics API's own: an expiry is required, and every
call is logged."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from grids.models import GridUnit, User
from guilin_portal import api_keys

from ..models import StatsApiCall, StatsApiKey


def api_key_issue(
    *,
    name: str,
    unit: GridUnit,
    expires_at: datetime,
    created_by: User | None,
    secret: str | None = None,
    requests_per_hour: int | None = None,
) -> tuple[StatsApiKey, str]:
    """Create a key for a unit's subtree until `expires_at`; the plaintext is returned once and never stored.

    `requests_per_hour`: this key's rate; None for the default (DEFAULT_THROTTLE_RATES["stats_key"]).
    """
    return api_keys.api_key_issue(
        StatsApiKey,
        name=name,
        unit=unit,
        expires_at=expires_at,
        created_by=created_by,
        secret=secret,
        requests_per_hour=requests_per_hour,
    )


def api_key_revoke(*, key: StatsApiKey, revoked_by: User | None) -> StatsApiKey:
    """Stop a key from working; its call log stays."""
    return api_keys.api_key_revoke(key, revoked_by=revoked_by)


def api_key_check(raw: str) -> StatsApiKey | None:
    """The usable key a presented string names, or None (unknown, wrong secret, revoked or expired): one query."""
    return api_keys.api_key_find(StatsApiKey, raw)


def api_call_record(*, key: StatsApiKey, method: str, path: str, status: int) -> None:
    """Log a call made with a key, in the table and in the log stream, and stamp the key's last use."""
    now = timezone.now()
    StatsApiCall.objects.create(key=key, at=now, method=method, path=path[:500], status=status)
    api_keys.api_key_used(key, now=now, every=None)
    api_keys.log.info(
        "api call", extra={"event": "api_call", "key_id": key.pk, "method": method, "path": path, "status": status}
    )
