"""What the points hold: workstation members, meetings and activities; the red stations' menus, service log,
jobs and products; star ratings."""

from __future__ import annotations

import datetime as dt
import importlib

from django.db.models import Q
from django.utils import timezone

from grids.demo_data import MOBILE_STATION_FROM, demo_mobile
from grids.models import GridUnit, Post, User
from guilin_portal.demo import DemoContext, distribute, insert_rows, update_instances
from issues.models import Issue
from volunteers.models import Activity

from ..models import (
    ActivityCategory,
    DeliberationMeeting,
    JobOffer,
    LocalProduct,
    MemberHonour,
    RedStationService,
    ServiceKind,
    ServicePoint,
    ServicePointStaff,
    StarRating,
    WorkstationActivity,
    WorkstationMember,
)
from ..periods import closed_months
from ..services.ratings import stars_for_total
from ..services.red_stations import red_station_tally_refresh
from ..services.workstations import VOLUNTEER_CATEGORY_MAP
from ..tasks import TALLY_MONTHS
from . import words
from .points import Units, person
from .shape import GAP_MONTH, JOB_ROLES, PRODUCTS_PER_STATION, Level, Shape


def seed_workstations(ctx: DemoContext, s: Shape, stations: list[ServicePoint]) -> None:
    rng = ctx.rng
    today = timezone.localdate(ctx.now)
    last_year = today.year - 1
    for station in stations:
        station.opened_on = dt.date(last_year - 2, rng.randint(1, 12), 1)
    update_instances(ServicePoint, stations, ["opened_on"])

    member_counts = distribute(s.members, [1] * len(stations))
    members = [
        WorkstationMember(
            point_id=station.pk,
            name=person(ctx)[0],
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
    meetings = ctx.bulk_create(DeliberationMeeting, meetings, total=len(meetings), label="集中议事")
    ctx.bulk_create(WorkstationActivity, activities, total=len(activities), label="工作站活动")
    _link_workstation_records(ctx, s, stations, meetings)


VOLUNTEER_ACTIVITIES_PER_STATION = 3


def _link_workstation_records(
    ctx: DemoContext, s: Shape, stations: list[ServicePoint], meetings: list[DeliberationMeeting]
) -> None:
    """Tie the records to the other apps' demo data: a meeting follows up a resident issue of the
    workstation's community where there is one, and up to three volunteer activities held there count
    as workstation activities. Last year's flags stay as planned: nothing lands in a skipped month."""
    if not stations:
        return
    today = timezone.localdate(ctx.now)
    station_path = dict(GridUnit.objects.filter(pk__in={st.unit_id for st in stations}).values_list("pk", "path"))
    in_areas = Q()
    for path in set(station_path.values()):
        in_areas |= Q(unit__path__startswith=path)

    area_of_station = {st.pk: station_path[st.unit_id] for st in stations}
    issues: dict[str, list[int]] = {}
    for issue_id, path in Issue.objects.filter(in_areas).order_by("pk").values_list("pk", "unit__path"):
        for area in station_path.values():
            if path.startswith(area):
                issues.setdefault(area, []).append(issue_id)
    through = DeliberationMeeting.follow_up_issues.through
    taken: dict[str, int] = {}
    links = []
    for meeting in meetings:
        area = area_of_station[meeting.point_id]
        pool = issues.get(area, [])
        if pool:
            links.append(through(deliberationmeeting_id=meeting.pk, issue_id=pool[taken.get(area, 0) % len(pool)]))
            taken[area] = taken.get(area, 0) + 1
    ctx.bulk_create(through, links, total=len(links), label="议事跟进诉求")

    # Plain rows: up to 260,000 activities at --scale 10, which as instances came each with its unit and
    # the unit's boundary decoded.
    held = list(
        Activity.objects.filter(in_areas, starts_at__lte=ctx.now)
        .exclude(status=Activity.Status.CANCELLED)
        .order_by("starts_at", "pk")
        .values_list("pk", "starts_at", "title", "category__code", "places_taken", "unit__path")
    )
    records = []
    for index, station in enumerate(stations):
        area = station_path[station.unit_id]
        chosen = 0
        for activity_id, starts_at, title, category_code, places_taken, unit_path in held:
            if chosen == VOLUNTEER_ACTIVITIES_PER_STATION:
                break
            day = timezone.localtime(starts_at).date()
            if not unit_path.startswith(area):
                continue
            if s.misses_a_month(index) and (day.year, day.month) == (today.year - 1, GAP_MONTH):
                continue
            records.append(
                WorkstationActivity(
                    point_id=station.pk,
                    held_on=day,
                    title=title[:120],
                    category=VOLUNTEER_CATEGORY_MAP.get(category_code, ActivityCategory.PUBLIC_WELFARE),
                    participants=places_taken,
                    volunteer_activity_id=activity_id,
                    recorded_at=ctx.now,
                )
            )
            chosen += 1
    ctx.bulk_create(WorkstationActivity, records, total=len(records), label="计入工作站的志愿服务活动")


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


def seed_red_stations(ctx: DemoContext, s: Shape, units: Units, stations: list[ServicePoint]) -> None:
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
        full_name=person(ctx)[0],
        password=ctx.demo_password_hash,
        phone=demo_mobile(MOBILE_STATION_FROM),
    )
    ServicePointStaff.objects.create(user=account, point=stations[0], role=ServicePointStaff.Role.STAFF)
    ctx.add_account("yangshuo_station", f"旅游红色驿站工作人员（{stations[0].name}，阳朔县）")

    # 152,000 services over the last year, more at the busier stations.
    per_station = distribute(s.red_services, [rng.uniform(0.5, 1.5) for _ in stations])
    now = ctx.now
    year_seconds = 365 * 24 * 3600

    def entries():
        for station, n in zip(stations, per_station, strict=True):
            menu = menus[station.pk]
            weights = [CORE_KIND_WEIGHTS.get(k.code, OTHER_KIND_WEIGHT) for k in menu]
            logged_by = account.pk if station.pk == stations[0].pk else None
            for kind in rng.choices(menu, weights=weights, k=n):
                served_at = now - dt.timedelta(seconds=rng.randrange(1, year_seconds))
                yield (station.pk, kind.pk, served_at, "", logged_by, served_at)

    insert_rows(
        ctx,
        RedStationService,
        ["point_id", "service_kind_id", "served_at", "note", "logged_by_id", "logged_at"],
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
    # The monthly roll-ups the dashboards read, as the nightly job would leave them.
    red_station_tally_refresh(months=closed_months(today=timezone.localdate(ctx.now), count=TALLY_MONTHS))


def _unit_path(units: Units, point: ServicePoint) -> str:
    if not hasattr(units, "_path_by_id"):
        units._path_by_id = {u.pk: path for path, u in units.by_path.items()}
    return units._path_by_id[point.unit_id]


def seed_ratings(ctx: DemoContext, s: Shape, units: Units, centers: list[ServicePoint]) -> None:
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
