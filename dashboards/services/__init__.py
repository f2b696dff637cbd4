"""Writes of the dashboards app: statistics API keys (api_keys.py), the issue roll-up (rollups.py)."""

from .api_keys import api_call_record, api_key_check, api_key_issue, api_key_revoke
from .rollups import (
    RollupResult,
    figures_current,
    issue_rollup_current,
    issue_rollup_rebuild,
    issue_rollup_refresh,
    issue_rollup_state,
    refresh_interval_seconds,
    refreshes_on_read,
    rollup_states,
)

__all__ = [
    "RollupResult",
    "api_call_record",
    "api_key_check",
    "api_key_issue",
    "api_key_revoke",
    "figures_current",
    "issue_rollup_rebuild",
    "issue_rollup_refresh",
    "issue_rollup_current",
    "issue_rollup_state",
    "refresh_interval_seconds",
    "refreshes_on_read",
    "rollup_states",
]
