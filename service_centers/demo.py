"""Demo data for the service network, at the report's scale.

At scale 1 (the report's figures):
- 1,309 party-and-mass service centers on four levels: the 2 city centers
  (市党群服务中心 and 市“两新”组织党群服务中心), 17 county centers, 140 township
  centers (146 streets/townships, but in six counties the county-seat town is
  served by the county center itself) and one per community and village: 1,035
  village centers and the 115 urban community venues. The venues' floor areas
  add up to exactly 812 m² times their number, so the average is 812 m² at
  every scale (at 0.01: 4 venues, 3,248 m², average 812 m²).
- 491 party-member studios, 65 pioneer alliance workstations (520 members;
  last year 3 held only five meetings and 2 skipped a month: 5 flagged),
  138 tourism red stations with 152,000 services logged over the last year,
  2,136 jobs offered to low-income households and three local products each;
  5 city theme parks, 24 street/community plazas and 62 compound micro-parks;
  200 party-member businesses and 308 party-recommended trusted stores;
  2,113 civility practice sites (17 centers, one institute per street/township,
  1,950 stations).
- Star ratings: every party-and-mass service center for the last two years and
  every property-managed compound's party organisation for last year; one
  community venue in ten was re-rated last year, the first rating kept as history.
- The account `yangshuo_station`: staff of the first red station, in 阳朔县.
"""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from grids import demo as grids_demo
from grids import demo_data as grids_data
from grids.models import GridUnit, Post, User
from guilin_portal.demo import DEMO_PASSWORD, DemoContext, distribute

from . import demo_data as words
from .models import (
    ActivityCategory,
    DeliberationMeeting,
    JobOffer,
    LocalProduct,
    MemberHonour,
    RedStationService,
    ResidentOrganisation,
    ServiceKind,
    ServicePoint,
    ServicePointStaff,
    SixFunction,
    StarRating,
    WorkstationActivity,
    WorkstationMember,
)
from .services.ratings import stars_for_total

DEMO_ORDER = 30
P = "service_centers"
Kind, Level = ServicePoint.Kind, ServicePoint.Level

FULL_SCALE = {
    "townships_colocated": 6,
    "studios": 491,
    "workstations": 65,
    "workstation_members": 520,
    "workstations_short_of_meetings": 3,
    "workstations_missing_a_month": 2,
    "red_stations": 138,
    "red_services": 152_000,
    "jobs_offered": 2_136,
    "city_parks": 5,
    "plazas": 24,
    "micro_parks": 62,
    "party_member_businesses": 200,
    "recommended_stores": 308,
    "practice_stations": 1_950,
}
COMMUNITY_VENUE_AVERAGE_M2 = 812  # report: 全市115个城市社区服务群众场所平均面积达812平方米
PRODUCTS_PER_STATION = 3
JOB_ROLES = (JobOffer.Role.GUIDE, JobOffer.Role.TICKETING, JobOffer.Role.SECURITY)
GAP_MONTH = 7  # the month the "missing a month" workstations skipped last year


def _scaled(full: int, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(full * scale))


@dataclass(frozen=True)
class Shape:
    districts: int
    streets: int
    townships_colocated: int
    urban_communities: int
    villages: int
    studios: int
    workstations: int
    members: int
    short_of_meetings: int
    missing_a_month: int
    red_stations: int
    red_services: int
    jobs_offered: int
    city_parks: int
    plazas: int
    micro_parks: int
    party_member_businesses: int
    recommended_stores: int
    practice_stations: int
    property_managed: int

    @property
    def townships(self) -> int:
        return self.streets - self.townships_colocated

    @property
    def party_centers(self) -> int:
        return 2 + self.districts + self.townships + self.villages + self.urban_communities

    def meetings_last_year(self, index: int) -> int:
        """Deliberation meetings a workstation held last year: the last few fell short at five."""
        if index >= self.workstations - self.short_of_meetings:
            return 5
        return 6 + index % 4

    def misses_a_month(self, index: int) -> bool:
        first = self.workstations - self.short_of_meetings - self.missing_a_month
        return first <= index < self.workstations - self.short_of_meetings


def shape(scale: float) -> Shape:
    grid = grids_demo.layout(scale)
    districts = len(grids_data.DISTRICTS)
    counties = sum(1 for _c, _n, urban, _s in grids_data.DISTRICTS if not urban)
    urban = sum(grid.community_is_urban)
    workstations = _scaled(FULL_SCALE["workstations"], scale)
    short = min(_scaled(FULL_SCALE["workstations_short_of_meetings"], scale, 0), workstations)
    return Shape(
        districts=districts,
        streets=len(grid.streets),
        townships_colocated=min(counties, _scaled(FULL_SCALE["townships_colocated"], scale, 0)),
        urban_communities=urban,
        villages=len(grid.community_is_urban) - urban,
        studios=_scaled(FULL_SCALE["studios"], scale),
        workstations=workstations,
        members=max(workstations, _scaled(FULL_SCALE["workstation_members"], scale)),
        short_of_meetings=short,
        missing_a_month=min(_scaled(FULL_SCALE["workstations_missing_a_month"], scale, 0), workstations - short),
        red_stations=_scaled(FULL_SCALE["red_stations"], scale),
        red_services=_scaled(FULL_SCALE["red_services"], scale),
        jobs_offered=max(
            len(JOB_ROLES) * _scaled(FULL_SCALE["red_stations"], scale), _scaled(FULL_SCALE["jobs_offered"], scale)
        ),
        city_parks=_scaled(FULL_SCALE["city_parks"], scale),
        plazas=_scaled(FULL_SCALE["plazas"], scale),
        micro_parks=_scaled(FULL_SCALE["micro_parks"], scale),
        party_member_businesses=_scaled(FULL_SCALE["party_member_businesses"], scale),
        recommended_stores=_scaled(FULL_SCALE["recommended_stores"], scale),
        practice_stations=_scaled(FULL_SCALE["practice_stations"], scale),
        property_managed=grid.property_managed,
    )


def plan(scale: float) -> dict[str, int]:
    s = shape(scale)
    rerated = math.ceil(s.urban_communities / 10)
    return {
        f"{P}.party_centers": s.party_centers,
        f"{P}.party_centers.city": 2,
        f"{P}.party_centers.county": s.districts,
        f"{P}.party_centers.township": s.townships,
        f"{P}.party_centers.village": s.villages,
        f"{P}.party_centers.community": s.urban_communities,
        f"{P}.community_venues.total_area_m2": COMMUNITY_VENUE_AVERAGE_M2 * s.urban_communities,
        f"{P}.community_venues.average_area_m2": COMMUNITY_VENUE_AVERAGE_M2,
        f"{P}.studios": s.studios,
        f"{P}.workstations": s.workstations,
        f"{P}.workstations.members": s.members,
        f"{P}.workstations.meetings_last_year": sum(s.meetings_last_year(i) for i in range(s.workstations)),
        f"{P}.workstations.flagged_last_year": s.short_of_meetings + s.missing_a_month,
        f"{P}.red_stations": s.red_stations,
        f"{P}.red_stations.services": s.red_services,
        f"{P}.red_stations.jobs_offered": s.jobs_offered,
        f"{P}.red_stations.products": PRODUCTS_PER_STATION * s.red_stations,
        f"{P}.theme_parks.city_park": s.city_parks,
        f"{P}.theme_parks.plaza": s.plazas,
        f"{P}.theme_parks.micro_park": s.micro_parks,
        f"{P}.trusted_stores.party_member_business": s.party_member_businesses,
        f"{P}.trusted_stores.recommended_store": s.recommended_stores,
        f"{P}.civility": s.districts + s.streets + s.practice_stations,
        f"{P}.civility.practice_center": s.districts,
        f"{P}.civility.practice_institute": s.streets,
        f"{P}.civility.practice_station": s.practice_stations,
        f"{P}.ratings.current_last_year": s.party_centers + s.property_managed,
        f"{P}.ratings.compounds_last_year": s.property_managed,
        f"{P}.ratings.superseded": rerated,
        f"{P}.ratings.current_year_before": s.party_centers,
    }


# ---------------------------------------------------------------------------
# Seeding
# ---------------------------------------------------------------------------
class _Units:
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
        self.urban_compounds = [
            u
            for u in GridUnit.objects.filter(level=GridUnit.Level.COMPOUND).only("id", "name", "path", "level")
            if u.path[: 4 * GridUnit.Level.COMMUNITY] in urban_paths
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


def _coordinates(ctx: DemoContext) -> tuple[Decimal, Decimal]:
    rng = ctx.rng
    return Decimal(f"{rng.uniform(24.6, 25.9):.6f}"), Decimal(f"{rng.uniform(109.9, 111.2):.6f}")


def _person(ctx: DemoContext) -> tuple[str, str]:
    rng = ctx.rng
    name = rng.choice(grids_data.SURNAMES) + rng.choice(grids_data.GIVEN) + rng.choice(grids_data.GIVEN)
    return name, f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def _point(ctx: DemoContext, units: _Units, *, kind: str, level: str, unit: GridUnit, name: str, area, **extra):
    rng = ctx.rng
    latitude, longitude = _coordinates(ctx)
    contact_name, contact_phone = _person(ctx)
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


def seed(ctx: DemoContext) -> None:
    s = shape(ctx.scale)
    units = _Units()
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
    for compound in _cycle(units.urban_compounds, s.micro_parks, ctx):
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
    _seed_workstations(ctx, s, by_kind[Kind.WORKSTATION])
    _seed_red_stations(ctx, s, units, by_kind[Kind.RED_STATION])
    _seed_ratings(ctx, s, units, by_kind[Kind.PARTY_CENTER])


def _colocated_townships(units: _Units, count: int) -> set[int]:
    """The county-seat towns (first township of a county) whose center is the county's own."""
    rural = {code for code, _n, urban, _s in grids_data.DISTRICTS if not urban}
    chosen = []
    for district in units.districts:
        if district.code in rural and len(chosen) < count:
            first = next((u for u in units.streets if u.path.startswith(district.path)), None)
            if first is not None:
                chosen.append(first.pk)
    return set(chosen)


def _red_station_units(ctx: DemoContext, units: _Units, count: int) -> list[tuple[GridUnit, str]]:
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


def _seed_workstations(ctx: DemoContext, s: Shape, stations: list[ServicePoint]) -> None:
    rng = ctx.rng
    today = timezone.localdate(ctx.now)
    last_year = today.year - 1
    for station in stations:
        station.opened_on = dt.date(last_year - 2, rng.randint(1, 12), 1)
    ServicePoint.objects.bulk_update(stations, ["opened_on"])

    member_counts = distribute(s.members, [1] * len(stations))
    members = [
        WorkstationMember(
            point_id=station.pk,
            name=_person(ctx)[0],
            organisation=rng.choice(["社区党委", "市直机关", "区人民医院", "市第一中学", "物业公司党支部", "退休党员"]),
            joined_on=dt.date(last_year - rng.randint(0, 2), rng.randint(1, 12), 1),
        )
        for station, n in zip(stations, member_counts, strict=True)
        for _ in range(n)
    ]
    members = ctx.bulk_create(WorkstationMember, members, total=len(members), label="工作站成员")
    honours = []
    for i, member in enumerate(members):
        for title, level in [rng.choice(words.HONOURS)] + ([rng.choice(words.HONOURS)] if i % 3 == 0 else []):
            honours.append(
                MemberHonour(member_id=member.pk, title=title, level=level, year=last_year - rng.randint(0, 5))
            )
    ctx.bulk_create(MemberHonour, honours, total=len(honours), label="成员荣誉")

    recorded_at = ctx.now
    meetings, activities = [], []
    for i, station in enumerate(stations):
        # Last year: n meetings spread over the year; this year: on pace (one every two months).
        dates = sorted(_spread_dates(rng, last_year, s.meetings_last_year(i)))
        done_this_year = (today.month - 1) // 2 + (1 if i % 2 == 0 and today.month > 1 else 0)
        dates += sorted(_spread_dates(rng, today.year, done_this_year, until=today))
        for held_on in dates:
            a, b = rng.randint(6, 20), rng.randint(3, 12)
            topic = rng.choice(words.MEETING_TOPICS)
            meetings.append(
                DeliberationMeeting(
                    point_id=station.pk,
                    held_on=held_on,
                    topic=topic,
                    attendees=f"辖区党员{a}人、居民代表{b}人",
                    attendee_count=a + b,
                    decisions=f"就“{topic}”达成一致：由社区牵头、共建单位配合，一个月内拿出方案并向居民公示。",
                    follow_up="已交社区“两委”办理，办理结果在党务公开栏公示。",
                    recorded_at=recorded_at,
                )
            )
        for year, last_month in ((last_year, 12), (today.year, today.month)):
            for month in range(1, last_month + 1):
                if year == last_year and month == GAP_MONTH and s.misses_a_month(i):
                    continue
                if year == today.year and month == today.month and today.day < 5:
                    continue
                for _n in range(1 + ((i + month) % 3 == 0)):
                    last_day = today.day if (year, month) == (today.year, today.month) else 28
                    category = rng.choice(list(words.ACTIVITY_TITLES))
                    activities.append(
                        WorkstationActivity(
                            point_id=station.pk,
                            held_on=dt.date(year, month, rng.randint(1, last_day)),
                            title=rng.choice(words.ACTIVITY_TITLES[category]),
                            category=ActivityCategory(category),
                            participants=rng.randint(8, 60),
                            recorded_at=recorded_at,
                        )
                    )
    ctx.bulk_create(DeliberationMeeting, meetings, total=len(meetings), label="集中议事")
    ctx.bulk_create(WorkstationActivity, activities, total=len(activities), label="工作站活动")


def _spread_dates(rng, year: int, n: int, until: dt.date | None = None) -> list[dt.date]:
    """n dates in the year, one in each of n equal slices of it (up to `until`)."""
    start = dt.date(year, 1, 1)
    end = until - dt.timedelta(days=1) if until else dt.date(year, 12, 31)
    span = (end - start).days + 1
    if n <= 0 or span <= 0:
        return []
    return [start + dt.timedelta(days=(k * span) // n + rng.randrange(max(1, span // n))) for k in range(n)]


def _service_kinds() -> list[ServiceKind]:
    """The menu kinds; restored from the migration's list when a flush (seed_demo --reset) emptied the table."""
    defaults = importlib.import_module("service_centers.migrations.0002_service_kinds").KINDS
    ServiceKind.objects.bulk_create(
        [ServiceKind(code=code, name=name, sort_order=order) for code, name, order in defaults], ignore_conflicts=True
    )
    return list(ServiceKind.objects.filter(is_active=True).order_by("sort_order", "pk"))


CORE_KIND_WEIGHTS = {"consultation": 52, "medical": 10, "rescue": 3, "mediation": 6}
OTHER_KIND_WEIGHT = 8


def _seed_red_stations(ctx: DemoContext, s: Shape, units: _Units, stations: list[ServicePoint]) -> None:
    rng = ctx.rng
    kinds = _service_kinds()
    core = [k for k in kinds if k.code in CORE_KIND_WEIGHTS]
    others = [k for k in kinds if k.code not in CORE_KIND_WEIGHTS]
    through = ServicePoint.menu.through
    menus: dict[int, list[ServiceKind]] = {}
    menu_rows = []
    for station in stations:
        menu = core + rng.sample(others, min(len(others), rng.randint(1, 3)))
        menus[station.pk] = menu
        menu_rows.extend(through(servicepoint_id=station.pk, servicekind_id=k.pk) for k in menu)
    ctx.bulk_create(through, menu_rows, total=len(menu_rows), label="驿站服务菜单")

    # The demo account: staff of the first station (in 阳朔县).
    account = User.objects.create(
        username="yangshuo_station",
        full_name=_person(ctx)[0],
        password=make_password(DEMO_PASSWORD),
    )
    ServicePointStaff.objects.create(user=account, point=stations[0], role=ServicePointStaff.Role.STAFF)
    ctx.add_account("yangshuo_station", f"旅游红色驿站工作人员（{stations[0].name}，阳朔县）")

    # 152,000 services over the last year, more at the busier stations.
    per_station = distribute(s.red_services, [rng.uniform(0.5, 1.5) for _ in stations])
    adapt = connection.ops.adapt_datetimefield_value
    now = ctx.now
    year_seconds = 365 * 24 * 3600

    def entries():
        for station, n in zip(stations, per_station, strict=True):
            menu = menus[station.pk]
            weights = [CORE_KIND_WEIGHTS.get(k.code, OTHER_KIND_WEIGHT) for k in menu]
            logged_by = account.pk if station.pk == stations[0].pk else None
            for kind in rng.choices(menu, weights=weights, k=n):
                served_at = adapt(now - dt.timedelta(seconds=rng.randrange(1, year_seconds)))
                yield (station.pk, kind.pk, served_at, "", logged_by, served_at)

    _insert_rows(
        ctx,
        RedStationService,
        ["point", "service_kind", "served_at", "note", "logged_by", "logged_at"],
        entries(),
        total=s.red_services,
        label="驿站服务记录",
    )

    positions = distribute(s.jobs_offered, [1] * (len(JOB_ROLES) * len(stations)))
    ctx.bulk_create(
        JobOffer,
        (
            JobOffer(
                point_id=station.pk,
                role=role,
                positions=positions[i * len(JOB_ROLES) + j],
                offered_on=dt.date(now.year - 1, rng.randint(1, 12), 1),
            )
            for i, station in enumerate(stations)
            for j, role in enumerate(JOB_ROLES)
        ),
        total=len(positions),
        label="帮扶岗位",
    )
    products = []
    for station in stations:
        district = units.district(units.by_path[_unit_path(units, station)])
        villages = units.in_district(district, units.villages) or units.in_district(district, units.communities)
        for name, category in rng.sample(words.PRODUCTS, PRODUCTS_PER_STATION):
            origin = rng.choice(villages) if villages else None
            products.append(
                LocalProduct(
                    point_id=station.pk,
                    name=name,
                    category=category,
                    producer=f"{origin.name if origin else district.name}{name}专业合作社",
                    origin_id=origin.pk if origin else None,
                    first_secretary_pick=rng.random() < 0.4,
                )
            )
    ctx.bulk_create(LocalProduct, products, total=len(products), label="特色产品")


def _insert_rows(ctx: DemoContext, model, fields: list[str], rows: Iterable[tuple], *, total: int, label: str) -> None:
    """Multi-row INSERTs of plain tuples, for the red-station log's 150,000+ rows.

    `ctx.bulk_create` builds a model instance and prepares every value through
    its field (about 5 s for this table on SQLite); the rows here are already
    database values (ids, adapted datetimes), so this keeps the step inside its
    8-second budget. Values of other types must be adapted by the caller.
    """
    meta = model._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    batch_rows = 2000
    with ctx.progress(label, total) as bar, connection.cursor() as wrapper:
        # The backend's own cursor (placeholders still converted): with DEBUG on, the outer
        # wrapper would format every 12,000-parameter statement for the query log.
        cursor = wrapper.cursor
        iterator = iter(rows)
        while batch := tuple(itertools.islice(iterator, batch_rows)):
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {', '.join([row_sql] * len(batch))}",
                [value for row in batch for value in row],
            )
            bar.update(len(batch))


def _unit_path(units: _Units, point: ServicePoint) -> str:
    if not hasattr(units, "_path_by_id"):
        units._path_by_id = {u.pk: path for path, u in units.by_path.items()}
    return units._path_by_id[point.unit_id]


def _seed_ratings(ctx: DemoContext, s: Shape, units: _Units, centers: list[ServicePoint]) -> None:
    """Ratings by each district's organisation department (the city's administrator for city-level points)."""
    rng = ctx.rng
    raters = dict(Post.objects.filter(role=Post.Role.ORG_DEPARTMENT).values_list("unit__path", "user_id"))
    city_rater = Post.objects.filter(role=Post.Role.CITY_ADMIN).values_list("user_id", flat=True).first()
    this_year = timezone.localdate(ctx.now).year
    tz = timezone.get_current_timezone()
    fields = [f for f, _label in StarRating.CRITERIA]

    def rating(year, *, point=None, compound=None, unit_path, current=True, day=20):
        scores = {f: rng.choices(range(5, 11), weights=[1, 2, 4, 6, 6, 3])[0] for f in fields}
        total = sum(scores.values())
        return StarRating(
            year=year,
            point_id=point.pk if point else None,
            compound_id=compound.pk if compound else None,
            unit_id=point.unit_id if point else compound.pk,
            total=total,
            stars=stars_for_total(total),
            rated_by_id=raters.get(unit_path[:8], city_rater),
            rated_at=dt.datetime(year, 12, day, 10, 0, tzinfo=tz),
            is_current=current,
            **scores,
        )

    rows = []
    venue_index = 0
    for point in centers:
        path = _unit_path(units, point)
        for year in (this_year - 2, this_year - 1):
            if year == this_year - 1 and point.level == Level.COMMUNITY:
                if venue_index % 10 == 0:
                    rows.append(rating(year, point=point, unit_path=path, current=False, day=10))
                venue_index += 1
            rows.append(rating(year, point=point, unit_path=path))
    managed = GridUnit.objects.filter(level=GridUnit.Level.COMPOUND, is_property_managed=True).only("id", "path")
    for compound in managed:
        rows.append(rating(this_year - 1, compound=compound, unit_path=compound.path))
    ctx.bulk_create(StarRating, rows, total=len(rows), label="星级评定")
