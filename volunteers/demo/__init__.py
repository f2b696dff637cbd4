"""Demo data for volunteers at the report's scale.

At scale 1 (the report): 900 party-member volunteer teams across the eight
categories, 973 red-property teams (红帽子/红马甲), plus vanguard service teams
(21 in the health system) and project commando teams; 24,500 organ party
members registered with the communities where they live (双报到), each on the
roster of one party-member team, who served 97,800 times (verified) and solved
8,000+ difficulties; a time bank with deposits (every verified hour),
transfers to elders and withdrawals for elderly care; party-member points and
their redemption.

Everything is bulk-inserted (the large tables through `fast.insert_rows`).
The ledger is built in time order in memory (each posting carries the balance
after it), then every account's balance is set in one UPDATE from the sum of
its postings (`ledger.py`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache

from django.utils import timezone

from grids import demo_data
from grids.models import GridUnit, Post, User
from guilin_portal.demo import DemoContext, distribute

from ..categories import CATEGORIES, DEFAULT_POINT_RULES
from ..models import (
    Activity,
    ActivityKind,
    ActivitySignup,
    MemberRegistration,
    OrganisationRegistration,
    OrganOrganisation,
    PointRule,
    ServiceCategory,
    ServiceRecord,
    Team,
    TeamMember,
    Volunteer,
)
from .demands import ACTIVITY_COLUMNS, demand_counts, seed_demands
from .demands import plan_keys as demand_plan_keys
from .fast import IdBlock, analyze_tables, insert_rows, reset_sequences
from .ledger import Rec, seed_ledger
from .stage import record_stage

DEMO_ORDER = 20

FULL_SCALE = {
    "organisations": 600,
    "party_teams": 900,
    "red_teams": 973,
    "vanguard_teams": 21,
    "commando_teams": 30,
    "organ_members": 24500,
    "verified": 97800,
    "pending": 1500,
    "difficulties": 8120,
    "past_activities": 5000,
    "red_activities": 20100,  # 红帽子/红马甲服务队开展公益活动2万余场次
    "upcoming_activities": 300,
    "elders": 600,
    "withdrawals": 2500,
    "transfers": 600,
    "elder_withdrawals": 500,
    "redemptions": 1000,
}
RED_TEAM_SIZE = 5
SMALL_TEAM_SIZE = 8  # vanguard and commando teams, drawn from organ members
PARTICIPANTS = 5  # per past activity
UPCOMING_SIGNUPS = 2
HISTORY_DAYS = 730

ORGAN_DEPARTMENTS = [
    "市委办公室",
    "市政府办公室",
    "市委组织部",
    "市委宣传部",
    "市发展改革委",
    "市教育局",
    "市科技局",
    "市公安局",
    "市民政局",
    "市司法局",
    "市财政局",
    "市人社局",
    "市自然资源局",
    "市生态环境局",
    "市住建局",
    "市交通运输局",
    "市水利局",
    "市农业农村局",
    "市商务局",
    "市文广体旅局",
    "市卫生健康委",
    "市退役军人事务局",
    "市应急管理局",
    "市审计局",
    "市市场监管局",
    "市统计局",
    "市医疗保障局",
    "市城管委",
    "市税务局",
    "市人民医院",
]
PLACES = ["社区党群服务中心", "小区广场", "社区卫生服务站", "新时代文明实践站", "老年人日间照料中心", "村委会"]


@cache
def _decimal(text: str) -> Decimal:
    """One shared Decimal per value: a record's hours are one of a few, and --scale 10 builds a million records."""
    return Decimal(text)


def _scaled(full: int, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(full * scale))


def counts(scale: float) -> dict[str, int]:
    c = {key: _scaled(value, scale) for key, value in FULL_SCALE.items()}
    c["party_teams"] = max(c["party_teams"], len(CATEGORIES))
    c["organ_members"] = max(c["organ_members"], c["party_teams"] * PARTICIPANTS)
    c["past_activities"] = min(c["past_activities"], c["verified"] // (2 * PARTICIPANTS))
    c["organisations"] = min(c["organisations"], c["organ_members"])
    return c


def plan(scale: float) -> dict[str, int]:
    c = counts(scale)
    teams = c["party_teams"] + c["red_teams"] + c["vanguard_teams"] + c["commando_teams"]
    volunteers = c["organ_members"] + RED_TEAM_SIZE * c["red_teams"] + c["elders"]
    demands = demand_counts(scale)
    memberships = (
        c["organ_members"]
        + RED_TEAM_SIZE * c["red_teams"]
        + SMALL_TEAM_SIZE * (c["vanguard_teams"] + c["commando_teams"])
    )
    return {
        "volunteers.categories": len(CATEGORIES),
        "volunteers.point_rules": len(DEFAULT_POINT_RULES),
        "volunteers.teams": teams,
        "volunteers.teams.party_volunteer": c["party_teams"],
        "volunteers.teams.red_property": c["red_teams"],
        "volunteers.teams.vanguard": c["vanguard_teams"],
        "volunteers.teams.commando": c["commando_teams"],
        "volunteers.volunteers": volunteers,
        "volunteers.volunteers.organ_members": c["organ_members"],
        "volunteers.memberships": memberships,
        "volunteers.organisations": c["organisations"],
        "volunteers.organisation_registrations": c["organisations"],
        "volunteers.member_registrations": c["organ_members"],
        "volunteers.activities": c["past_activities"]
        + c["upcoming_activities"]
        + c["red_activities"]
        + demands["shifts"],
        "volunteers.activities.red_property": c["red_activities"],
        "volunteers.signups": (
            PARTICIPANTS * c["past_activities"]
            + UPCOMING_SIGNUPS * c["upcoming_activities"]
            + demands["records"]
            + demands["upcoming_signups"]
        ),
        "volunteers.records.verified": c["verified"],
        "volunteers.records.pending": c["pending"],
        "volunteers.records.difficulties_solved": c["difficulties"],
        "volunteers.ledger.entries": (
            c["verified"] + c["withdrawals"] + c["transfers"] + c["elder_withdrawals"] + c["redemptions"]
        ),
        "volunteers.ledger.withdrawals": c["withdrawals"] + c["elder_withdrawals"],
        "volunteers.ledger.transfers": c["transfers"],
        "volunteers.ledger.redemptions": c["redemptions"],
        **demand_plan_keys(scale, len(demo_data.DISTRICTS)),
    }


class _Clock:
    """Local days counted back from today, as aware datetimes."""

    def __init__(self, now: datetime) -> None:
        self.tz = timezone.get_current_timezone()
        today = timezone.localtime(now, self.tz).date()
        self.midnight = datetime.combine(today, datetime.min.time(), tzinfo=self.tz)
        # One shared datetime per (day, hour): a million records at --scale 10 fall on a few thousand.
        self._seen: dict[tuple[int, float], datetime] = {}

    def at(self, days_ago: int, hour: float) -> datetime:
        key = (days_ago, hour)
        moment = self._seen.get(key)
        if moment is None:
            moment = self._seen[key] = self.midnight - timedelta(days=days_ago) + timedelta(hours=hour)
        return moment


RED_TITLES = ["楼道清理", "义务巡逻", "绿化养护", "便民维修", "垃圾分类督导", "关爱独居老人", "消防安全检查"]


def _red_activities(ctx: DemoContext, red_teams, total: int, activity_ids, clock, staff_user):
    rng = ctx.rng
    for team, n in zip(red_teams, distribute(total, [1] * len(red_teams), minimum=0), strict=True):
        for days_ago in rng.sample(range(10, HISTORY_DAYS), n):
            start = rng.choice([8.0, 9.0, 15.0, 19.0])
            yield (
                activity_ids.take(),
                rng.choice(RED_TITLES),
                team.pk,
                team.category_id,
                ActivityKind.REGULAR,
                team.unit_id,
                "小区内",
                clock.at(days_ago, start),
                clock.at(days_ago, start + 1.5),
                RED_TEAM_SIZE,
                0,
                Activity.Status.OPEN,
                staff_user.get(team.unit_id),
                "",
                ctx.now,
            )


def resolved_issues(scale: float) -> int:
    """The resident demands the teams resolve: part of the report's 6,828 problems solved (issues.demo)."""
    return demand_counts(scale)["resolved"]


def _name(rng) -> str:
    given = rng.choice(demo_data.GIVEN) + (rng.choice(demo_data.GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(demo_data.SURNAMES) + given


def _phone(rng) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def seed(ctx: DemoContext) -> None:
    c = counts(ctx.scale)
    rng = ctx.rng
    clock = _Clock(ctx.now)
    today = clock.midnight.date()
    now = ctx.now

    categories = _ensure_categories()
    rules = _ensure_point_rules(categories)
    by_code = {cat.code: cat for cat in categories}

    units = list(
        GridUnit.objects.filter(level__lte=GridUnit.Level.COMMUNITY).only("pk", "name", "level", "path", "parent_id")
    )
    city = next(u for u in units if u.level == GridUnit.Level.CITY)
    districts = [u for u in units if u.level == GridUnit.Level.DISTRICT]
    streets = [u for u in units if u.level == GridUnit.Level.STREET]
    communities = [u for u in units if u.level == GridUnit.Level.COMMUNITY]
    urban = [u for u in communities if u.name.endswith("社区")]
    villages = [u for u in communities if not u.name.endswith("社区")] or urban
    staff_user = dict(
        Post.objects.filter(role__in=[Post.Role.COMMUNITY_STAFF, Post.Role.STREET_STAFF, Post.Role.DISTRICT_STAFF])
        .order_by("unit_id", "-pk")
        .values_list("unit_id", "user_id")
    )
    home_community = next(
        u for u in communities if u.pk == Post.objects.get(user__username="xiufeng_community").unit_id
    )

    # --- Organisations and their registration with a community -------------------------------
    org_rows = []
    for i in range(c["organisations"]):
        department = ORGAN_DEPARTMENTS[i % len(ORGAN_DEPARTMENTS)]
        if i < len(ORGAN_DEPARTMENTS):
            unit, name = city, f"{department}机关党委"
        else:
            district = districts[i % len(districts)]
            unit, name = district, f"{district.name}{department[1:]}第{i // len(ORGAN_DEPARTMENTS)}党支部"
        org_rows.append(OrganOrganisation(name=name, department=department, unit_id=unit.pk))
    organisations = ctx.bulk_create(OrganOrganisation, org_rows, total=len(org_rows), label="机关党组织")
    org_ids = [org.pk for org in organisations]
    ctx.bulk_create(
        OrganisationRegistration,
        (
            OrganisationRegistration(
                organisation_id=org_id,
                community_id=community.pk,
                registered_on=today - timedelta(days=rng.randrange(HISTORY_DAYS, HISTORY_DAYS + 365)),
                registered_by_id=staff_user.get(community.pk),
            )
            for org_id, community in zip(
                org_ids, [home_community] + [rng.choice(urban) for _ in org_ids[1:]], strict=True
            )
        ),
        total=len(org_ids),
        label="单位报到",
    )

    # --- People: organ party members (registered where they live), red-property volunteers, elders ---
    demo_hash = ctx.demo_password_hash
    leader_user = User.objects.create(
        username="xiufeng_team_leader", full_name=_name(rng), password=demo_hash, phone=_phone(rng)
    )
    member_user = User.objects.create(
        username="organ_member", full_name=_name(rng), password=demo_hash, phone=_phone(rng)
    )
    volunteer_ids = IdBlock(Volunteer)
    organ: list[tuple] = []  # (id, name, phone, user_id, is_party, organisation_id, unit_id, created_at)
    for i in range(c["organ_members"]):
        user = leader_user if i == 0 else member_user if i == 1 else None
        community = home_community if i < 2 else rng.choice(urban) if rng.random() < 0.85 else rng.choice(villages)
        organ.append(
            (
                volunteer_ids.take(),
                user.full_name if user else _name(rng),
                user.phone if user else _phone(rng),
                user.pk if user else None,
                True,
                org_ids[0] if i < 2 else org_ids[rng.randrange(len(org_ids))],
                community.pk,
                now,
            )
        )
    volunteer_fields = [
        "id",
        "full_name",
        "phone",
        "user_id",
        "is_party_member",
        "organisation_id",
        "unit_id",
        "created_at",
    ]
    insert_rows(ctx, Volunteer, volunteer_fields, organ, total=len(organ), label="机关党员")
    insert_rows(
        ctx,
        MemberRegistration,
        ["volunteer_id", "community_id", "registered_on"],
        ((row[0], row[6], today - timedelta(days=rng.randrange(HISTORY_DAYS, HISTORY_DAYS + 365))) for row in organ),
        total=len(organ),
        label="党员报到",
    )
    organ_ids = [row[0] for row in organ]
    organ_home = {row[0]: row[6] for row in organ}

    # --- Teams ------------------------------------------------------------------------------
    team_names: set[tuple[int, str]] = set()

    def team_name(unit: GridUnit, stem: str) -> str:
        name, n = stem, 1
        while (unit.pk, name) in team_names:
            n += 1
            name = f"{stem}（{n}）"
        team_names.add((unit.pk, name))
        return name

    party_rows = []
    for i in range(c["party_teams"]):
        if i == 0:
            unit = home_community
        elif i % 10 < 4:
            unit = urban[i % len(urban)]
        elif i % 10 < 6:
            unit = rng.choice(communities)
        elif i % 10 < 9:
            unit = rng.choice(streets)
        else:
            unit = rng.choice(districts)
        category = by_code["convenience"] if i == 0 else categories[i % len(categories)]
        party_rows.append(
            Team(
                name=team_name(unit, f"{unit.name}{category.name}党员志愿者服务队"),
                category_id=category.pk,
                kind=Team.Kind.PARTY_VOLUNTEER,
                unit_id=unit.pk,
                description="机关党员“双报到”组建的党员志愿者服务队",
            )
        )
    compounds = list(
        GridUnit.objects.filter(level=GridUnit.Level.COMPOUND, is_property_managed=True).only("pk", "name")
    )
    compounds += rng.sample(
        list(GridUnit.objects.filter(level=GridUnit.Level.COMPOUND, is_property_managed=False).only("pk", "name")),
        max(0, c["red_teams"] - len(compounds)),
    )
    red_rows = [
        Team(
            name=team_name(unit, f"{unit.name}{'红马甲' if i % 2 else '红帽子'}服务队"),
            category_id=by_code["environment" if i % 3 == 0 else "convenience"].pk,
            kind=Team.Kind.RED_PROPERTY,
            unit_id=unit.pk,
            description="物业企业党员和小区党员组成的红色物业服务队",
        )
        for i, unit in enumerate(compounds[: c["red_teams"]])
    ]
    small_rows = []
    for i in range(c["vanguard_teams"]):
        district = districts[i % len(districts)]
        small_rows.append(
            Team(
                name=team_name(district, f"{district.name}卫健系统党员先锋服务队"),
                category_id=by_code["medical"].pk,
                kind=Team.Kind.VANGUARD,
                unit_id=district.pk,
            )
        )
    for i in range(c["commando_teams"]):
        district = districts[(i * 7) % len(districts)]
        small_rows.append(
            Team(
                name=team_name(district, f"{district.name}重点项目党员突击队"),
                category_id=by_code["party_building"].pk,
                kind=Team.Kind.COMMANDO,
                unit_id=district.pk,
            )
        )
    teams = ctx.bulk_create(
        Team,
        party_rows + red_rows + small_rows,
        total=len(party_rows) + len(red_rows) + len(small_rows),
        label="志愿服务队",
    )
    party_teams = teams[: len(party_rows)]
    red_teams = teams[len(party_rows) : len(party_rows) + len(red_rows)]
    small_teams = teams[len(party_rows) + len(red_rows) :]
    home_team = party_teams[0]

    others: list[tuple] = []
    red_ids: list[int] = []
    for team in red_teams:
        for k in range(RED_TEAM_SIZE):
            pk = volunteer_ids.take()
            red_ids.append(pk)
            others.append((pk, _name(rng), _phone(rng), None, k == 0 or rng.random() < 0.5, None, team.unit_id, now))
    elder_ids: list[int] = []
    elder_names: dict[int, str] = {}
    for _ in range(c["elders"]):
        pk = volunteer_ids.take()
        elder_ids.append(pk)
        elder_names[pk] = _name(rng)
        others.append((pk, elder_names[pk], _phone(rng), None, False, None, rng.choice(urban).pk, now))
    insert_rows(ctx, Volunteer, volunteer_fields, others, total=len(others), label="红色物业志愿者与老人")
    reset_sequences(Volunteer)

    # Rosters: every organ member on one party team (leader first, two deputies), red teams of five,
    # vanguard and commando teams drawn from organ members.
    joined = today - timedelta(days=HISTORY_DAYS + 30)
    sizes = distribute(len(organ_ids), [1] * len(party_teams), minimum=PARTICIPANTS)
    roster: dict[int, list[int]] = {}
    team_of: dict[int, int] = {}
    members: list[tuple] = []
    position = 0
    for team, size in zip(party_teams, sizes, strict=True):
        roster[team.pk] = organ_ids[position : position + size]
        position += size
        for k, pk in enumerate(roster[team.pk]):
            # The demo member (second on the demo team) is a plain member; the next two are deputies.
            role = (
                TeamMember.Role.LEADER if k == 0 else TeamMember.Role.DEPUTY if k in (2, 3) else TeamMember.Role.MEMBER
            )
            members.append((team.pk, pk, role, joined))
            team_of[pk] = team.pk
    for t, team in enumerate(red_teams):
        for k in range(RED_TEAM_SIZE):
            role = TeamMember.Role.LEADER if k == 0 else TeamMember.Role.MEMBER
            members.append((team.pk, red_ids[t * RED_TEAM_SIZE + k], role, joined))
    for team in small_teams:
        for k, pk in enumerate(rng.sample(organ_ids[2:], SMALL_TEAM_SIZE)):
            members.append((team.pk, pk, TeamMember.Role.LEADER if k == 0 else TeamMember.Role.MEMBER, joined))
    insert_rows(
        ctx, TeamMember, ["team_id", "volunteer_id", "role", "joined_on"], members, total=len(members), label="队员"
    )

    # --- Activities: past ones (everyone checked out) and upcoming ones open for sign-up -------
    activity_ids = IdBlock(Activity)
    activities: list[tuple] = []
    past: list[tuple[int, Team, float, list[int]]] = []  # (activity id, team, hours, participants)
    per_team = distribute(c["past_activities"], [len(roster[t.pk]) for t in party_teams], minimum=0)
    even_days = range(10, HISTORY_DAYS, 2)  # activities on even days, self-reports on odd days: no overlaps
    for team, n in zip(party_teams, per_team, strict=True):
        for days_ago in rng.sample(even_days, n):
            start, length = rng.choice([8.5, 9.0, 14.5, 15.0]), rng.choice([2.0, 2.5, 3.0])
            pk = activity_ids.take()
            past.append((pk, team, length, rng.sample(roster[team.pk], PARTICIPANTS)))
            activities.append(
                (
                    pk,
                    rng.choice(["走访慰问", "政策宣讲", "义诊", "法律咨询", "环境整治", "便民理发", "科普讲座"]),
                    team.pk,
                    team.category_id,
                    ActivityKind.REGULAR,
                    team.unit_id,
                    rng.choice(PLACES),
                    clock.at(days_ago, start),
                    clock.at(days_ago, start + length),
                    PARTICIPANTS + 3,
                    PARTICIPANTS,
                    Activity.Status.OPEN,
                    staff_user.get(team.unit_id),
                )
            )
    upcoming: list[tuple[int, Team]] = []
    for i in range(c["upcoming_activities"]):
        team = home_team if i < 3 else party_teams[rng.randrange(len(party_teams))]
        days_ahead = 1 + (i % 3) + (i // 3) % 28
        start = rng.choice([9.0, 14.5])
        pk = activity_ids.take()
        upcoming.append((pk, team))
        activities.append(
            (
                pk,
                rng.choice(["助老陪护（时间银行）", "周末便民服务", "垃圾分类宣传", "反诈宣传", "义务巡逻"]),
                team.pk,
                team.category_id,
                ActivityKind.ELDERLY_CARE if i % 3 == 0 else ActivityKind.REGULAR,
                team.unit_id,
                rng.choice(PLACES),
                clock.at(-days_ahead, start),
                clock.at(-days_ahead, start + 2.5),
                5 + (i % 4) * 5,
                UPCOMING_SIGNUPS,
                Activity.Status.OPEN,
                staff_user.get(team.unit_id),
            )
        )
    starts = {row[0]: (row[7], row[8]) for row in activities}
    insert_rows(
        ctx,
        Activity,
        ACTIVITY_COLUMNS,
        (row + ("", now) for row in activities),
        total=len(activities),
        label="志愿活动",
    )
    # The red-property teams' public-benefit activities (the report: 2万余场次), held by each team in its
    # compound; no sign-ups: the team's own members serve, and the hours they log are not banked.
    insert_rows(
        ctx,
        Activity,
        ACTIVITY_COLUMNS,
        _red_activities(ctx, red_teams, c["red_activities"], activity_ids, clock, staff_user),
        total=c["red_activities"],
        label="红色物业公益活动",
    )
    # Sign-ups stream to the database as they are drawn (no list of a million tuples at --scale 10); each
    # past one's service record is made beside it, keyed by the sign-up's id, verified, and staged for the
    # ledger (stage.py: on PostgreSQL a temporary table, not a list of a million records).
    signup_ids = IdBlock(ActivitySignup)
    titles = {row[0]: row[1] for row in activities}
    stage = record_stage()
    difficult = set(rng.sample(range(c["verified"]), c["difficulties"]))  # which of the records, as made
    leader_volunteer = organ_ids[0]

    def verified(record: Rec) -> None:
        """Verified a few days later by the team leader (the demo team) or the staff of the unit it counts
        for, at office hours one to three days after the service (never in the future); then staged."""
        record.solved_difficulty = stage.count in difficult
        record.status = ServiceRecord.Status.VERIFIED
        if record.verified_at is None:  # a demand's shift is verified before the shift is reported done
            day = timezone.localtime(record.ended_at, clock.tz).replace(hour=0, minute=0, second=0, microsecond=0)
            at = day + timedelta(days=rng.randrange(1, 4), hours=rng.choice([9.5, 10.5, 15.0, 16.5]))
            record.verified_at = min(at, now)
            own_team = record.team_id == home_team.pk and record.volunteer_id != leader_volunteer
            record.verified_by_id = leader_user.pk if own_team else staff_user.get(record.unit_id)
        stage.add(record)

    def signups():
        for activity_id, team, length, who in past:
            begins, ends = starts[activity_id]
            hours, title = _decimal(str(length)), titles[activity_id]
            for pk in who:
                sid = signup_ids.take()
                verified(
                    Rec(
                        pk,
                        team.pk,
                        ServiceRecord.Source.ACTIVITY,
                        activity_id,
                        sid,
                        team.category_id,
                        ActivityKind.REGULAR,
                        team.unit_id,
                        begins,
                        ends,
                        hours,
                        title,
                    )
                )
                yield (
                    sid,
                    activity_id,
                    pk,
                    ActivitySignup.Status.CHECKED_OUT,
                    begins - timedelta(days=3),
                    begins,
                    ends,
                )
        for activity_id, team in upcoming:
            # The demo member is left out, so they can take a place themself.
            pool = [pk for pk in roster[team.pk] if pk != organ_ids[1]]
            for pk in rng.sample(pool, UPCOMING_SIGNUPS):
                signed_up_at = now - timedelta(hours=rng.randrange(1, 48))
                yield (signup_ids.take(), activity_id, pk, ActivitySignup.Status.SIGNED_UP, signed_up_at, None, None)

    insert_rows(
        ctx,
        ActivitySignup,
        ["id", "activity_id", "volunteer_id", "status", "signed_up_at", "checked_in_at", "checked_out_at"],
        signups(),
        total=PARTICIPANTS * len(past) + UPCOMING_SIGNUPS * len(upcoming),
        label="活动报名",
    )
    reset_sequences(Activity, ActivitySignup)

    # Resident demands handled by teams (their shifts' records are part of the verified total).
    demand_records = seed_demands(
        ctx,
        clock=clock,
        by_code=by_code,
        units=units,
        party_teams=party_teams,
        roster=roster,
        home_team=home_team,
        leader_user=leader_user,
        staff_user=staff_user,
        activity_ids=activity_ids,
        signup_ids=signup_ids,
    )
    for record in demand_records:
        verified(record)
    per_member = distribute(c["verified"] - stage.count, [1] * len(organ_ids), minimum=0)
    odd_days = range(11, HISTORY_DAYS, 2)
    care = by_code["care_relief"]
    for pk, n in zip(organ_ids, per_member, strict=True):
        for days_ago in rng.sample(odd_days, n):
            elderly = rng.random() < 0.15
            category = care if elderly else categories[rng.randrange(len(categories))]
            start = rng.choice([8.0, 9.0, 10.0, 14.0, 15.0, 19.0])
            hours = rng.choice([1.0, 1.5, 2.0, 2.0, 2.5, 3.0, 4.0])
            verified(
                Rec(
                    pk,
                    team_of[pk] if rng.random() < 0.5 else None,
                    ServiceRecord.Source.REPORT,
                    None,
                    None,
                    category.pk,
                    ActivityKind.ELDERLY_CARE if elderly else ActivityKind.REPORT,
                    organ_home[pk],
                    clock.at(days_ago, start),
                    clock.at(days_ago, start + hours),
                    _decimal(str(hours)),
                    f"{category.name}报到服务",
                )
            )
    # Pending ones in the last week: the demo team's members first (the leader's to verify).
    in_home_team = set(roster[home_team.pk])
    pending: list[Rec] = []
    seen: set[int] = set()
    for pk in roster[home_team.pk][1:] + rng.sample(organ_ids, min(len(organ_ids), c["pending"] + 10)):
        if len(pending) == c["pending"]:
            break
        if pk in seen:
            continue
        seen.add(pk)
        days_ago = rng.choice([1, 3, 5, 7])
        mine = pk in in_home_team
        pending.append(
            Rec(
                pk,
                home_team.pk if mine else None,
                ServiceRecord.Source.REPORT,
                None,
                None,
                by_code["convenience"].pk,
                ActivityKind.REPORT,
                organ_home[pk],
                clock.at(days_ago, 9.0),
                clock.at(days_ago, 11.0),
                Decimal("2.00"),
                "入户走访困难群众",
            )
        )

    seed_ledger(
        ctx,
        c,
        rules,
        stage.in_verification_order(),
        organ_ids,
        {row[0]: row[1] for row in organ},
        elder_ids,
        elder_names,
        clock,
    )
    insert_rows(
        ctx, ServiceRecord, Rec.FIELDS, (record.row() for record in pending), total=len(pending), label="待审核服务记录"
    )

    analyze_tables()
    ctx.add_account("xiufeng_team_leader", f"{home_team.name}队长（只管理本队）")
    ctx.add_account("organ_member", f"在{home_community.name}“双报到”的机关党员（本人服务时长、时间银行和积分）")


def _ensure_categories() -> list[ServiceCategory]:
    """The eight categories (loaded by the migration; loaded again here after a test flush)."""
    for order, (code, name, name_en) in enumerate(CATEGORIES, start=1):
        ServiceCategory.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )
    return list(ServiceCategory.objects.filter(code__in=[code for code, _n, _e in CATEGORIES]).order_by("sort_order"))


def _ensure_point_rules(categories: list[ServiceCategory]) -> dict[tuple[int | None, str], PointRule]:
    by_code = {cat.code: cat for cat in categories}
    for code, kind, rate, per_hour, per_service, note in DEFAULT_POINT_RULES:
        PointRule.objects.get_or_create(
            category=by_code.get(code) if code else None,
            activity_kind=kind,
            is_active=True,
            defaults={"hours_rate": rate, "points_per_hour": per_hour, "points_per_service": per_service, "note": note},
        )
    return {(rule.category_id, rule.activity_kind): rule for rule in PointRule.objects.filter(is_active=True)}
