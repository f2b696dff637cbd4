"""Names for the demo's units, lists and people (made up; the places are the grid demo's)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from grids import demo_data
from guilin_portal.demo import DemoContext

from ..models import CoBuildingUnit

# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------
RESIDENT_UNITS = ["人民医院", "中心小学", "实验中学", "供电局", "自来水公司", "邮政分公司", "税务分局", "中医医院"]
SECTOR_BODIES = ["市场监督管理局", "住房和城乡建设局", "司法局", "卫生健康局", "文化广电和旅游局", "消防救援大队"]
NEW_ECONOMY = ["网络科技有限公司", "快递服务站", "律师事务所", "物业服务有限公司", "电子商务协会", "商务楼宇联合党委"]
DEMANDS = [
    "老旧小区环境整治",
    "困难群众帮扶",
    "青少年课后托管",
    "老年人健康义诊",
    "法律咨询进社区",
    "文明创建志愿服务",
    "消防安全宣传",
    "就业技能培训",
]
RESOURCES = [
    "志愿服务队伍",
    "活动场地开放",
    "专业技术人员",
    "资金物资支持",
    "医疗服务资源",
    "法律服务资源",
    "培训课程",
    "党员先锋岗",
]


def _person(ctx: DemoContext) -> str:
    given = ctx.rng.choice(demo_data.GIVEN) + (ctx.rng.choice(demo_data.GIVEN) if ctx.rng.random() < 0.7 else "")
    return ctx.rng.choice(demo_data.SURNAMES) + given


def _unit_name(i: int, district_name: str) -> tuple[str, str]:
    kind = [CoBuildingUnit.Kind.RESIDENT_UNIT, CoBuildingUnit.Kind.SECTOR, CoBuildingUnit.Kind.NEW_ECONOMY][i % 3]
    stems = {
        CoBuildingUnit.Kind.RESIDENT_UNIT: RESIDENT_UNITS,
        CoBuildingUnit.Kind.SECTOR: SECTOR_BODIES,
        CoBuildingUnit.Kind.NEW_ECONOMY: NEW_ECONOMY,
    }[kind]
    round_ = i // 3
    stem = stems[round_ % len(stems)]
    serial = round_ // len(stems)
    prefix = district_name if kind != CoBuildingUnit.Kind.NEW_ECONOMY else f"桂林{district_name[:2]}"
    name = f"{prefix}{stem}" if serial == 0 else f"{prefix}{stem}（第{serial + 1}分部）"
    return kind, name


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))
