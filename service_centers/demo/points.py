"""The service points themselves: every kind, on the units of the demo grid."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from grids import demo_data as grids_data
from grids.models import GridUnit, Post
from guilin_portal.demo import DemoContext, distribute

from ..models import (
    ResidentOrganisation,
    ServicePoint,
    SixFunction,
)
from . import words
from .shape import COMMUNITY_VENUE_AVERAGE_M2, Kind, Level, Shape


@dataclass(frozen=True, slots=True)
class Compound:
    """What the network reads of a compound: where it is (a micro-park's unit, address and coordinates)."""

    pk: int
    name: str
    path: str
    is_property_managed: bool
    bbox_south: float | None
    bbox_west: float | None
    bbox_north: float | None
    bbox_east: float | None


class Units:
    """The grid units the network hangs from, read once (levels 1-4, and the compounds)."""

    def __init__(self) -> None:
        top = list(GridUnit.objects.filter(level__lte=GridUnit.Level.COMMUNITY).order_by("path"))
        self.by_path = {unit.path: unit for unit in top}
        self.city = next(u for u in top if u.level == GridUnit.Level.CITY)
        self.districts = [u for u in top if u.level == GridUnit.Level.DISTRICT]
        self.streets = [u for u in top if u.level == GridUnit.Level.STREET]
        self.communities = [u for u in top if u.level == GridUnit.Level.COMMUNITY]
        self.urban_communities = [u for u in self.communities if self.parent(u).name.endswith("街道")]
        self.villages = [u for u in self.communities if not self.parent(u).name.endswith("街道")]
        urban_paths = {u.path for u in self.urban_communities}
        # Only a few hundred become micro-parks, but the draw shuffles them all: kept as small records, not
        # model instances (110,000 compounds at --scale 10).
        self.urban_compounds = [
            Compound(*row)
            for row in GridUnit.objects.filter(level=GridUnit.Level.COMPOUND).values_list(*Compound.__slots__)
            if row[2][: 4 * GridUnit.Level.COMMUNITY] in urban_paths
        ]

    def parent(self, unit: GridUnit) -> GridUnit:
        return self.by_path[unit.path[:-4]]

    def district(self, unit: GridUnit) -> GridUnit:
        return self.by_path[unit.path[:8]]

    def in_district(self, district: GridUnit, units: list[GridUnit]) -> list[GridUnit]:
        return [u for u in units if u.path.startswith(district.path)]

    def address(self, unit: GridUnit, ctx: DemoContext) -> str:
        names = [self.by_path[unit.path[:end]].name for end in range(8, min(len(unit.path), 16) + 1, 4)]
        return "".join(names) + f"{ctx.rng.choice(words.ROADS)}{ctx.rng.randint(1, 199)}号"


def _coordinates(ctx: DemoContext, unit: GridUnit) -> tuple[Decimal, Decimal]:
    """A point inside the unit's box (grids' demo boundaries), kept clear of its edges; two draws as before."""
    rng = ctx.rng
    south, west, north, east = unit.bbox_south, unit.bbox_west, unit.bbox_north, unit.bbox_east
    if south is None:  # a unit without a boundary: somewhere in the city
        south, west, north, east = 24.6, 109.9, 25.9, 111.2
    latitude = south + (north - south) * (0.1 + 0.8 * rng.random())
    longitude = west + (east - west) * (0.1 + 0.8 * rng.random())
    return Decimal(f"{latitude:.6f}"), Decimal(f"{longitude:.6f}")


def person(ctx: DemoContext) -> tuple[str, str]:
    rng = ctx.rng
    name = rng.choice(grids_data.SURNAMES) + rng.choice(grids_data.GIVEN) + rng.choice(grids_data.GIVEN)
    return name, f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def _point(ctx: DemoContext, units: Units, *, kind: str, level: str, unit: GridUnit, name: str, area, **extra):
    rng = ctx.rng
    latitude, longitude = _coordinates(ctx, unit)
    contact_name, contact_phone = person(ctx)
    if kind == Kind.PARTY_CENTER:
        functions = SixFunction.values if level in (Level.CITY, Level.COUNTY) else rng.sample(SixFunction.values, 4)
        zones = rng.sample(words.ZONES, 3 if level in (Level.VILLAGE,) else 5)
        organisations = (
            ResidentOrganisation.values if level != Level.VILLAGE else rng.sample(ResidentOrganisation.values, 2)
        )
        items = rng.sample(words.SERVICE_ITEMS, 6)
        hours = "周一至周五 8:30-12:00，14:30-17:30；周六 9:00-12:00"
    elif kind == Kind.THEME_PARK:
        functions, zones, organisations, items = [SixFunction.TRAINING], [], [], []
        hours = "全天开放"
    elif kind == Kind.TRUSTED_STORE:
        functions, zones, organisations, items = [], [], [], []
        hours = "每天 7:00-21:00"
    else:
        functions = rng.sample(SixFunction.values, 2)
        zones, organisations = [], rng.sample(ResidentOrganisation.values, 1)
        items = rng.sample(words.SERVICE_ITEMS, 2)
        hours = "每天 8:30-18:00" if kind == Kind.RED_STATION else "周一至周五 9:00-17:00"
    return ServicePoint(
        kind=kind,
        level=level,
        unit_id=unit.pk,
        name=name,
        address=units.address(unit, ctx),
        latitude=latitude,
        longitude=longitude,
        floor_area=area,
        opening_hours=hours,
        functions=[code for code in SixFunction.values if code in functions],
        zones=zones,
        resident_organisations=[code for code in ResidentOrganisation.values if code in organisations],
        service_items=items,
        contact_name=contact_name,
        contact_phone=contact_phone,
        opened_on=dt.date(ctx.now.year - rng.randint(3, 6), rng.randint(1, 12), 1),
        **extra,
    )


def _venue_areas(ctx: DemoContext, count: int) -> list[int]:
    """Whole square metres between 300 and 1,600 that add up to exactly 812 × count."""
    target = COMMUNITY_VENUE_AVERAGE_M2 * count
    areas = [ctx.rng.randint(420, 1200) for _ in range(count)]
    diff = target - sum(areas)
    index = 0
    while diff:
        step = 1 if diff > 0 else -1
        if 300 <= areas[index % count] + step <= 1600:
            areas[index % count] += step
            diff -= step
        index += 1
    return areas


def _cycle(units: list[GridUnit], count: int, ctx: DemoContext) -> list[GridUnit]:
    shuffled = list(units)
    ctx.rng.shuffle(shuffled)
    return [shuffled[i % len(shuffled)] for i in range(count)]


def _numbered(name: str, seen: dict[str, int]) -> str:
    seen[name] = seen.get(name, 0) + 1
    return name if seen[name] == 1 else f"{name}（{seen[name]}）"


def _stem(name: str) -> str:
    """解东社区 -> 解东, 大岭村 -> 大岭."""
    return name.removesuffix("社区").removesuffix("村")


def _colocated_townships(units: Units, count: int) -> set[int]:
    """The county-seat towns (first township of a county) whose center is the county's own."""
    rural = {code for code, _n, urban, _s in grids_data.DISTRICTS if not urban}
    chosen = []
    for district in units.districts:
        if district.code in rural and len(chosen) < count:
            first = next((u for u in units.streets if u.path.startswith(district.path)), None)
            if first is not None:
                chosen.append(first.pk)
    return set(chosen)


def _red_station_units(ctx: DemoContext, units: Units, count: int) -> list[tuple[GridUnit, str]]:
    """Where the red stations stand: spread by tourist weight, 阳朔县 first, named after the scenic spot."""
    order = sorted(units.districts, key=lambda d: -words.RED_STATION_WEIGHTS.get(d.name, 1))
    per_district = distribute(count, [words.RED_STATION_WEIGHTS.get(d.name, 1) for d in order], minimum=0)
    placed = []
    for district, n in zip(order, per_district, strict=True):
        spots = [spot for name, spot in words.SCENIC_SPOTS if name == district.name]
        homes = units.in_district(district, units.communities) or [district]
        for i in range(n):
            home = homes[i % len(homes)]
            placed.append((home, spots[i] if i < len(spots) else f"{units.parent(home).name}{home.name}"))
    return placed


def seed_points(ctx: DemoContext, s: Shape, units: Units) -> dict[str, list[ServicePoint]]:
    """Every point of the network, in one bulk insert; returns them by kind."""
    rng = ctx.rng
    points: list[ServicePoint] = []

    # Party-and-mass service centers, four levels.
    points.append(
        _point(
            ctx,
            units,
            kind=Kind.PARTY_CENTER,
            level=Level.CITY,
            unit=units.city,
            name="桂林市党群服务中心",
            area=Decimal(5200),
        )
    )
    points.append(
        _point(
            ctx,
            units,
            kind=Kind.PARTY_CENTER,
            level=Level.CITY,
            unit=units.city,
            name="桂林市“两新”组织党群服务中心",
            area=Decimal(2600),
        )
    )
    for district in units.districts:
        points.append(
            _point(
                ctx,
                units,
                kind=Kind.PARTY_CENTER,
                level=Level.COUNTY,
                unit=district,
                name=f"{district.name}党群服务中心",
                area=Decimal(rng.randint(900, 2600)),
            )
        )
    colocated = _colocated_townships(units, s.townships_colocated)
    for street in units.streets:
        if street.pk not in colocated:
            points.append(
                _point(
                    ctx,
                    units,
                    kind=Kind.PARTY_CENTER,
                    level=Level.TOWNSHIP,
                    unit=street,
                    name=f"{street.name}党群服务中心",
                    area=Decimal(rng.randint(300, 900)),
                )
            )
    for community, area in zip(units.urban_communities, _venue_areas(ctx, len(units.urban_communities)), strict=True):
        points.append(
            _point(
                ctx,
                units,
                kind=Kind.PARTY_CENTER,
                level=Level.COMMUNITY,
                unit=community,
                name=f"{community.name}党群服务中心",
                area=Decimal(area),
            )
        )
    for village in units.villages:
        points.append(
            _point(
                ctx,
                units,
                kind=Kind.PARTY_CENTER,
                level=Level.VILLAGE,
                unit=village,
                name=f"{village.name}党群服务中心",
                area=Decimal(rng.randint(80, 360)),
            )
        )

    seen: dict[str, int] = {}
    for community in _cycle(units.communities, s.studios, ctx):
        name = _numbered(f"{community.name}“{rng.choice(words.STUDIO_THEMES)}”党员工作室", seen)
        points.append(
            _point(
                ctx, units, kind=Kind.STUDIO, level="", unit=community, name=name, area=Decimal(rng.randint(30, 160))
            )
        )
    workstation_units = _cycle(units.urban_communities, s.workstations, ctx)
    # The demo community account (解东社区) always has a workstation to run, whatever the draw.
    home = Post.objects.filter(user__username="xiufeng_community").values_list("unit_id", flat=True).first()
    home_unit = next((u for u in units.urban_communities if u.pk == home), None)
    if workstation_units and home_unit and home_unit not in workstation_units:
        workstation_units[0] = home_unit
    for community in workstation_units:
        points.append(
            _point(
                ctx,
                units,
                kind=Kind.WORKSTATION,
                level="",
                unit=community,
                name=_numbered(f"{community.name}先锋联盟工作站", seen),
                area=Decimal(rng.randint(80, 300)),
            )
        )
    red_units = _red_station_units(ctx, units, s.red_stations)
    for unit, spot in red_units:
        points.append(
            _point(
                ctx,
                units,
                kind=Kind.RED_STATION,
                level="",
                unit=unit,
                name=_numbered(f"{spot}旅游红色驿站", seen),
                area=Decimal(rng.randint(40, 200)),
            )
        )
    for i, district in enumerate(_cycle(units.districts, s.city_parks, ctx)):
        points.append(
            _point(
                ctx,
                units,
                kind=Kind.THEME_PARK,
                level=Level.CITY_PARK,
                unit=district,
                name=_numbered(f"{district.name}党建文化主题公园", seen),
                area=Decimal(rng.randint(8000, 30000) + i),
            )
        )
    for street in _cycle(units.streets, s.plazas, ctx):
        points.append(
            _point(
                ctx,
                units,
                kind=Kind.THEME_PARK,
                level=Level.PLAZA,
                unit=street,
                name=_numbered(f"{street.name}党建特色广场", seen),
                area=Decimal(rng.randint(1200, 6000)),
            )
        )
    # Micro-parks were built in the renovation of compounds without property management (renovation.demo).
    unmanaged = [u for u in units.urban_compounds if not u.is_property_managed] or units.urban_compounds
    for compound in _cycle(unmanaged, s.micro_parks, ctx):
        community = units.by_path[compound.path[:16]]
        points.append(
            _point(
                ctx,
                units,
                kind=Kind.THEME_PARK,
                level=Level.MICRO_PARK,
                unit=compound,
                name=_numbered(f"{community.name}{compound.name}党建微公园", seen),
                area=Decimal(rng.randint(150, 900)),
            )
        )
    for level, count in (
        (Level.PARTY_MEMBER_BUSINESS, s.party_member_businesses),
        (Level.RECOMMENDED_STORE, s.recommended_stores),
    ):
        for community in _cycle(units.communities, count, ctx):
            points.append(
                _point(
                    ctx,
                    units,
                    kind=Kind.TRUSTED_STORE,
                    level=level,
                    unit=community,
                    name=_numbered(f"{_stem(community.name)}{rng.choice(words.SHOPS)}", seen),
                    area=None,
                )
            )
    for district in units.districts:
        points.append(
            _point(
                ctx,
                units,
                kind=Kind.CIVILITY,
                level=Level.PRACTICE_CENTER,
                unit=district,
                name=f"{district.name}新时代文明实践中心",
                area=Decimal(rng.randint(600, 2000)),
            )
        )
    for street in units.streets:
        points.append(
            _point(
                ctx,
                units,
                kind=Kind.CIVILITY,
                level=Level.PRACTICE_INSTITUTE,
                unit=street,
                name=f"{street.name}新时代文明实践所",
                area=Decimal(rng.randint(150, 600)),
            )
        )
    for community in _cycle(units.communities, s.practice_stations, ctx):
        points.append(
            _point(
                ctx,
                units,
                kind=Kind.CIVILITY,
                level=Level.PRACTICE_STATION,
                unit=community,
                name=_numbered(f"{community.name}新时代文明实践站", seen),
                area=Decimal(rng.randint(60, 300)),
            )
        )

    created = ctx.bulk_create(ServicePoint, points, total=len(points), label="服务阵地")
    by_kind: dict[str, list[ServicePoint]] = {}
    for point in created:
        by_kind.setdefault(point.kind, []).append(point)
    return by_kind
