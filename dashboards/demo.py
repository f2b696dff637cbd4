"""The demo statistics client (an API key for 秀峰区, printed once), and the dashboards' issue roll-up
built from the demo's issues (the earlier steps have written them all by now)."""

from __future__ import annotations

from datetime import timedelta

from grids.models import GridUnit
from guilin_portal.demo import DemoContext

from .services import api_key_issue, issue_rollup_rebuild

DEMO_ORDER = 90


def plan(scale: float) -> dict[str, int]:
    return {"dashboards.api_keys": 1}


def seed(ctx: DemoContext) -> None:
    xiufeng = GridUnit.objects.get(level=GridUnit.Level.DISTRICT, name="秀峰区")
    secret = "".join(ctx.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(40))
    _key, plaintext = api_key_issue(
        name="stats_client（秀峰区统计客户端）",
        unit=xiufeng,
        expires_at=ctx.now + timedelta(days=365),
        created_by=None,
        secret=secret,
    )
    ctx.add_account("stats_client", "秀峰区统计接口密钥 (Authorization: Api-Key …)", secret=plaintext)
    # What `manage.py dashboards_rollup --full` and the nightly job do: the dashboards open with figures.
    issue_rollup_rebuild()
