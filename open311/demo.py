"""The demo Open311 client: a key for a micro-grid of 解东社区 (秀峰区), printed once by seed_demo."""

from __future__ import annotations

import random

from grids.models import GridUnit
from guilin_portal.demo import DemoContext

from .services import open311_client_issue

DEMO_ORDER = 95


def plan(scale: float) -> dict[str, int]:
    return {"open311.clients": 1}


def demo_units() -> tuple[GridUnit, GridUnit]:
    """秀峰区's first community (解东社区, where xiufeng_community works) and its first micro-grid."""
    district = GridUnit.objects.get(level=GridUnit.Level.DISTRICT, name="秀峰区")
    community = GridUnit.objects.filter(level=GridUnit.Level.COMMUNITY, path__startswith=district.path).earliest("path")
    area = GridUnit.objects.filter(level=GridUnit.Level.AREA, path__startswith=community.path).earliest("path")
    return community, area


def seed(ctx: DemoContext) -> None:
    community, area = demo_units()
    # A generator of its own from the seed: the same seed gives the same key and service account,
    # however many draws the earlier steps made.
    rng = random.Random(f"{ctx.seed}:open311")
    prefix = "".join(rng.choice("0123456789abcdef") for _ in range(8))
    secret = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(40))
    _client, plaintext = open311_client_issue(
        name=f"{community.name}便民热线（Open311）", unit=area, created_by=None, secret=secret, prefix=prefix
    )
    ctx.add_account(
        "open311_client",
        f"Open311 GeoReport v2 密钥，诉求登记到秀峰区{community.name}{area.name}（/open311/v2/，参数 api_key）",
        secret=plaintext,
    )
