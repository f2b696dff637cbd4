"""Demo renovation projects at the report's scale.

At scale 1: 111 urban villages (城中村, villages of the urban districts first) and 260 compounds
without property management (无物业管理小区) renovated, plus some under way and some planned; the
62 party-building micro-parks the service-network step built in such compounds were produced by
their compounds' finished projects ("建设党建主题精品微公园等60余个"), and each renovated village's
party-and-mass service center by its village's project. One project under way sits in
xiufeng_worker's micro-grid (or 解东社区) at any scale, for the demo accounts.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from grids import demo_data
from grids.models import PATH_STEP, GridUnit, Post
from guilin_portal.demo import DemoContext
from service_centers.demo import plan as service_points_plan
from service_centers.models import ServicePoint

from .models import Project

DEMO_ORDER = 45  # after the service network (30), whose micro-parks the projects produced

FULL_SCALE = {
    "villages_finished": 111,
    "villages_in_progress": 8,
    "compounds_finished": 260,
    "compounds_in_progress": 24,
    "compounds_planned": 12,
}
VILLAGE_SCOPE = [
    "道路硬化和雨污分流改造，增设路灯 {n} 盏，清理违章搭建。",
    "村内巷道整治、立面改造，新建党建文化墙和村民议事亭。",
    "拆除危旧房屋，建设停车场和口袋公园，完善消防设施。",
]
COMPOUND_SCOPE = [
    "楼道粉刷、屋面防水、加装晾衣架；增设监控 {n} 处和电动车集中充电棚。",
    "老旧管网改造、绿化补植、停车位划线；引入物业自治小组，建设小区微公园（客厅）。",
    "外墙整治、加装无障碍坡道，建设党建文化长廊和居民活动室。",
]


def _scaled(full: int, scale: float) -> int:
    return max(1, round(full * scale))


def counts(scale: float) -> dict[str, int]:
    return {key: _scaled(full, scale) for key, full in FULL_SCALE.items()}


def plan(scale: float) -> dict[str, int]:
    c = counts(scale)
    return {
        "renovation.projects": sum(c.values()),
        "renovation.urban_villages.finished": c["villages_finished"],
        "renovation.compounds.finished": c["compounds_finished"],
        "renovation.in_progress": c["villages_in_progress"] + c["compounds_in_progress"],
        "renovation.planned": c["compounds_planned"],
        # Every micro-park of the service network, produced by a finished compound project.
        "renovation.micro_parks": service_points_plan(scale)["service_centers.theme_parks.micro_park"],
    }


def seed(ctx: DemoContext) -> None:
    rng = ctx.rng
    c = counts(ctx.scale)
    today = timezone.localdate(ctx.now)
    top = {u.path: u for u in GridUnit.objects.filter(level__lte=GridUnit.Level.COMMUNITY).only("pk", "name", "path")}
    urban_districts = {name for _code, name, urban, _streets in demo_data.DISTRICTS if urban}

    # Villages: those of the urban districts first (城中村), then any village.
    villages = [
        u for u in top.values() if len(u.path) == GridUnit.Level.COMMUNITY * PATH_STEP and u.name.endswith("村")
    ]
    villages.sort(key=lambda u: (top[u.path[: 2 * PATH_STEP]].name not in urban_districts, u.path))
    village_count = c["villages_finished"] + c["villages_in_progress"]
    chosen_villages = villages[:village_count]

    # Compounds without property management in urban communities; the micro-parks' compounds first.
    urban = {
        path for path, u in top.items() if len(path) == GridUnit.Level.COMMUNITY * PATH_STEP and u.name.endswith("社区")
    }
    compounds = [
        u
        for u in GridUnit.objects.filter(level=GridUnit.Level.COMPOUND, is_property_managed=False)
        .only("pk", "name", "path")
        .order_by("path")
        if u.path[: GridUnit.Level.COMMUNITY * PATH_STEP] in urban
    ]
    parks = list(
        ServicePoint.objects.filter(kind=ServicePoint.Kind.THEME_PARK, level=ServicePoint.Level.MICRO_PARK)
        .order_by("pk")
        .values_list("pk", "unit_id")
    )
    park_units = {unit_id for _pk, unit_id in parks}
    with_park = [u for u in compounds if u.pk in park_units]
    others = [u for u in compounds if u.pk not in park_units]
    rng.shuffle(others)
    showcase = _showcase(others)
    if showcase is not None:
        others.remove(showcase)
    finished_n, under_way_n, planned_n = c["compounds_finished"], c["compounds_in_progress"], c["compounds_planned"]
    ordered = with_park + others
    finished = ordered[:finished_n]
    rest = ordered[finished_n:]
    under_way = ([showcase] if showcase is not None else []) + rest[: under_way_n - (1 if showcase else 0)]
    rest = rest[under_way_n - (1 if showcase else 0) :]
    planned = rest[:planned_n]

    def community_name(unit: GridUnit) -> str:
        return top[unit.path[: GridUnit.Level.COMMUNITY * PATH_STEP]].name

    def dates(status: str) -> tuple[dt.date | None, dt.date | None, int]:
        if status == Project.Status.FINISHED:
            started = today - dt.timedelta(days=rng.randint(300, 1000))
            finished_on = min(started + dt.timedelta(days=rng.randint(90, 300)), today - dt.timedelta(days=7))
            return started, finished_on, 100
        if status == Project.Status.IN_PROGRESS:
            return today - dt.timedelta(days=rng.randint(20, 240)), None, rng.randint(10, 90)
        return None, None, 0

    rows = []
    for village_list, status in (
        (chosen_villages[: c["villages_finished"]], Project.Status.FINISHED),
        (chosen_villages[c["villages_finished"] :], Project.Status.IN_PROGRESS),
    ):
        for village in village_list:
            started, finished_on, progress = dates(status)
            rows.append(
                Project(
                    kind=Project.Kind.URBAN_VILLAGE,
                    unit_id=village.pk,
                    name=f"{village.name}城中村改造提升",
                    scope=rng.choice(VILLAGE_SCOPE).format(n=rng.randint(8, 40)),
                    status=status,
                    progress=progress,
                    started_on=started,
                    finished_on=finished_on,
                    created_at=ctx.now,
                    updated_at=ctx.now,
                )
            )
    for compound_list, status in (
        (finished, Project.Status.FINISHED),
        (under_way, Project.Status.IN_PROGRESS),
        (planned, Project.Status.PLANNED),
    ):
        for compound in compound_list:
            started, finished_on, progress = dates(status)
            rows.append(
                Project(
                    kind=Project.Kind.NO_PROPERTY_COMPOUND,
                    unit_id=compound.pk,
                    name=f"{community_name(compound)}{compound.name}改造提升",
                    scope=rng.choice(COMPOUND_SCOPE).format(n=rng.randint(4, 20)),
                    status=status,
                    progress=progress,
                    started_on=started,
                    finished_on=finished_on,
                    created_at=ctx.now,
                    updated_at=ctx.now,
                )
            )
    projects = ctx.bulk_create(
        Project, rows, total=len(rows), label="改造提升项目", keep=lambda p: (p.pk, p.unit_id, p.status)
    )

    # What the finished projects produced: the micro-parks of their compounds, their villages' centers.
    finished_by_unit = {unit_id: pk for pk, unit_id, status in projects if status == Project.Status.FINISHED}
    centers = ServicePoint.objects.filter(
        kind=ServicePoint.Kind.PARTY_CENTER,
        level=ServicePoint.Level.VILLAGE,
        unit_id__in=[v.pk for v in chosen_villages[: c["villages_finished"]]],
    ).values_list("pk", "unit_id")
    through = Project.produced_points.through
    links = [
        through(project_id=finished_by_unit[unit_id], servicepoint_id=point_pk)
        for point_pk, unit_id in [*parks, *centers]
        if unit_id in finished_by_unit
    ]
    ctx.bulk_create(through, links, total=len(links), label="改造建成的阵地", keep=False)


def _showcase(compounds: list[GridUnit]) -> GridUnit | None:
    """A compound of xiufeng_worker's micro-grid, else of 解东社区, for the demo accounts' pages."""
    area_path = (
        Post.objects.filter(user__username="xiufeng_worker", role=Post.Role.GRID_WORKER)
        .values_list("unit__path", flat=True)
        .first()
    )
    if area_path:
        mine = [u for u in compounds if u.path.startswith(area_path)]
        if mine:
            return mine[0]
        community = area_path[: GridUnit.Level.COMMUNITY * PATH_STEP]
        theirs = [u for u in compounds if u.path.startswith(community)]
        if theirs:
            return theirs[0]
    return None
