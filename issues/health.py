"""The routing relay's readiness check (`/healthz/ready`, registered in issues.apps).

With the relay (`ISSUE_ROUTING_RELAY`) a logged issue is sent for routing within a fraction of a second
of its commit. An issue waiting unsent for longer than ISSUE_ROUTING_RELAY_LATE_SECONDS means the relay
(`manage.py issues_relay`, ops/systemd/guilin-issues-relay.service) is down or behind: nothing is lost,
the sweep sends it minutes later, but the portal is not ready as deployed.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from .services import oldest_unsent_at, relay_sends


def relay_check() -> str:
    """ "off" where no relay runs (not configured, or tasks run in-process), "ok", or how late it is."""
    if not relay_sends():
        return "off"
    logged = oldest_unsent_at()
    if logged is None:
        return "ok"
    waited = (timezone.now() - logged).total_seconds()
    if waited <= settings.ISSUE_ROUTING_RELAY_LATE_SECONDS:
        return "ok"
    return f"an issue waits unsent for {int(waited)} s: is issues_relay running?"
