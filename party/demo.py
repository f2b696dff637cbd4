"""Demo data for party: the organisations of the whole tree, organ and sector organisations, their
三会一课, brands, pioneer posts and teams at the report's figures (see guilin_portal/demo.py).

The report: "三会一课" held on time in 95 % of the organ party organisations; the city's health system
has 21 pioneer service teams, 59 pioneer service posts and 60 party-building brands; public
security, transport and the tourism trades have brands too. Everything is written with
`ctx.bulk_create`; the meetings of the organ organisations are drawn so that exactly the share
`ORGAN_ON_TIME` of the periods due is met by the due date (the rest held late or not at all).
"""

from __future__ import annotations

import datetime as dt
import importlib

from django.db import connection
from django.db.models import Count
from django.utils import timezone

from grids.demo_data import MOBILE_SECRETARY_FROM, demo_mobile
from grids.models import GridUnit, Post, User
from guilin_portal.demo import DemoContext
from volunteers.models import OrganOrganisation, Volunteer

from . import periods
from .models import (
    Brand,
    Meeting,
    MeetingKind,
    MeetingRule,
    OrganisationKind,
    PartyMember,
    PartyOrganisation,
    PioneerPost,
    PioneerTeam,
    Sector,
)

DEMO_ORDER = 35  # after volunteers (20: the organ organisations) and service_centers (30)

ORGAN_ON_TIME = 0.95  # the report
SECTOR_ON_TIME = 0.9
FULL_SCALE = {
    "health_branches": 30,
    "sector_branches": 6,  # public security, transport, tourism: each
    "pioneer_teams_health": 21,
    "pioneer_posts_health": 59,
    "brands_health": 60,
    "brands_public_security": 12,
    "brands_transport": 10,
    "brands_tourism": 10,
}
SECTORS = {
    Sector.HEALTH: ("桂林市卫生健康委员会党委", ["人民医院", "中医医院", "妇幼保健院", "疾控中心", "社区卫生服务中心"]),
    Sector.PUBLIC_SECURITY: ("桂林市公安局党委", ["派出所", "交警大队", "治安大队"]),
    Sector.TRANSPORT: ("桂林市交通运输局党委", ["公交公司", "出租车公司", "客运站"]),
    Sector.TOURISM: ("桂林市文化广电和旅游局党委", ["景区", "旅行社", "导游协会"]),
}
BRAND_STEMS = {
    Sector.HEALTH: ["医心向党", "白衣先锋", "健康守护", "仁心仁术", "红色健康驿站", "党建+医疗"],
    Sector.PUBLIC_SECURITY: ["警民同心", "平安先锋", "红盾护航"],
    Sector.TRANSPORT: ["党旗领航 情暖车厢", "红色车厢", "畅行先锋"],
    Sector.TOURISM: ["红色导游", "山水先锋", "文明旅游"],
}
SECRETARY_USERNAME = "xiufeng_secretary"
MEETING_TOPICS = {
    MeetingKind.GENERAL: "学习贯彻党的创新理论，研究本季度工作",
    MeetingKind.COMMITTEE: "研究部署本月党建和网格工作",
    MeetingKind.GROUP: "学习交流、收集群众意见",
    MeetingKind.LECTURE: "书记讲党课",
}


def _scaled(full: int, scale: float) -> int:
    return max(1, round(full * scale))


def _counts(scale: float) -> dict[str, int]:
    return {key: _scaled(value, scale) for key, value in FULL_SCALE.items()}


def plan(scale: float) -> dict[str, int]:
    from grids.demo import plan as grid_plan
    from volunteers.demo import ORGAN_DEPARTMENTS
    from volunteers.demo import plan as volunteer_plan

    grids = grid_plan(scale)
    volunteers = volunteer_plan(scale)
    c = _counts(scale)
    organs = volunteers["volunteers.organisations"]
    sector_branches = c["health_branches"] + 3 * c["sector_branches"]
    return {
        "party.organisations.committee": grids["grids.units.community"]
        + min(len(ORGAN_DEPARTMENTS), organs)
        + len(SECTORS),
        "party.organisations.branch": grids["grids.units.area"] + organs + sector_branches,
        "party.organisations.group": grids["grids.units.compound"],
        "party.members.organ": volunteers["volunteers.volunteers.organ_members"],
        "party.pioneer_teams": c["pioneer_teams_health"],
        "party.pioneer_posts": c["pioneer_posts_health"],
        "party.brands.health": c["brands_health"],
        "party.brands": c["brands_health"] + c["brands_public_security"] + c["brands_transport"] + c["brands_tourism"],
    }


def _default_rules() -> list[MeetingRule]:
    """The rules the migration loads, put back after `seed_demo --reset` (flush empties every table)."""
    defaults = importlib.import_module("party.migrations.0002_default_rules").DEFAULT_RULES
    MeetingRule.objects.bulk_create(
        [
            MeetingRule(meeting_kind=meeting, organisation_kind=organisation, count=count, period_months=months)
            for meeting, organisation, count, months in defaults
        ],
        ignore_conflicts=True,
    )
    return list(MeetingRule.objects.filter(is_active=True))


def _records_from(today: dt.date) -> dt.date:
    """Four whole quarters before the current one: a year of organisational life on record."""
    quarter = periods.index(today, 3) - 4
    return periods.start(quarter, 3)


def seed(ctx: DemoContext) -> None:
    today = timezone.localdate(ctx.now)
    rng = ctx.rng
    c = _counts(ctx.scale)
    rules = _default_rules()
    units = list(
        GridUnit.objects.filter(level__lte=GridUnit.Level.COMPOUND)
        .order_by("path")
        .values_list("pk", "level", "path", "name", "parent_id")
    )
    city = next(u for u in units if u[1] == GridUnit.Level.CITY)
    districts = [u for u in units if u[1] == GridUnit.Level.DISTRICT]
    communities = [u for u in units if u[1] == GridUnit.Level.COMMUNITY]
    areas = [u for u in units if u[1] == GridUnit.Level.AREA]
    compounds = [u for u in units if u[1] == GridUnit.Level.COMPOUND]
    home_community = Post.objects.get(user__username="xiufeng_community").unit_id

    # --- the organisations the tree stands for ------------------------------------------------
    committee_of = dict(
        zip(
            [u[0] for u in communities],
            ctx.bulk_create(
                PartyOrganisation,
                (
                    PartyOrganisation(
                        name=f"{u[3]}党委",
                        kind=OrganisationKind.COMMITTEE,
                        sector=Sector.COMMUNITY,
                        unit_id=u[0],
                        records_from=dt.date(today.year, 1, 1) if u[0] == home_community else None,
                    )
                    for u in communities
                ),
                total=len(communities),
                label="社区党委",
                keep=lambda row: row.pk,
            ),
            strict=True,
        )
    )
    community_name = {u[0]: u[3] for u in communities}
    branch_of = dict(
        zip(
            [u[0] for u in areas],
            ctx.bulk_create(
                PartyOrganisation,
                (
                    PartyOrganisation(
                        name=f"{community_name[u[4]]}{u[3]}党支部",
                        kind=OrganisationKind.BRANCH,
                        sector=Sector.COMMUNITY,
                        unit_id=u[0],
                        parent_id=committee_of[u[4]],
                        records_from=dt.date(today.year, 1, 1) if u[4] == home_community else None,
                    )
                    for u in areas
                ),
                total=len(areas),
                label="片区党支部",
                keep=lambda row: row.pk,
            ),
            strict=True,
        )
    )
    home_areas = {u[0] for u in areas if u[4] == home_community}
    ctx.bulk_create(
        PartyOrganisation,
        (
            PartyOrganisation(
                name=f"{u[3]}党小组",
                kind=OrganisationKind.GROUP,
                sector=Sector.COMMUNITY,
                unit_id=u[0],
                parent_id=branch_of[u[4]],
            )
            for u in compounds
        ),
        total=len(compounds),
        label="小区党小组",
        keep=False,
    )

    # --- organ organisations (dual registration) and their rolls ------------------------------
    start = _records_from(today)
    organs = list(OrganOrganisation.objects.order_by("pk").values_list("pk", "name", "unit_id"))
    organ_rows = ctx.bulk_create(
        PartyOrganisation,
        (
            PartyOrganisation(
                name=name,
                kind=OrganisationKind.COMMITTEE if name.endswith("党委") else OrganisationKind.BRANCH,
                sector=Sector.ORGAN,
                unit_id=unit_id,
                organ_id=pk,
                records_from=None if name.endswith("党委") else start,
            )
            for pk, name, unit_id in organs
        ),
        total=len(organs),
        label="机关党组织",
        keep=lambda row: (row.pk, row.kind, row.name, row.unit_id),
    )
    # A city organ's 机关党委 has its members meet in a branch of it: the organ party organisations
    # whose 三会一课 counts are the branches.
    committees = [row for row in organ_rows if row[1] == OrganisationKind.COMMITTEE]
    first_branches = ctx.bulk_create(
        PartyOrganisation,
        (
            PartyOrganisation(
                name=f"{name.removesuffix('党委')}第一党支部",
                kind=OrganisationKind.BRANCH,
                sector=Sector.ORGAN,
                unit_id=unit_id,
                parent_id=pk,
                records_from=start,
            )
            for pk, _kind, name, unit_id in committees
        ),
        total=len(committees),
        label="机关党支部",
        keep=lambda row: row.pk,
    )
    branch_for = dict(zip([row[0] for row in committees], first_branches, strict=True))
    organ_branch_pks = [branch_for.get(row[0], row[0]) for row in organ_rows]
    organ_branches = sorted(organ_branch_pks)
    _organ_rolls()

    # --- sector organisations: committees at the city, branches in the districts ----------------
    sector_committees = {
        sector: ctx.bulk_create(
            PartyOrganisation,
            [PartyOrganisation(name=name, kind=OrganisationKind.COMMITTEE, sector=sector, unit_id=city[0])],
            total=1,
            label=str(sector.label),
            keep=lambda row: row.pk,
        )[0]
        for sector, (name, _stems) in SECTORS.items()
    }
    sector_rows = []
    for sector, (_name, stems) in SECTORS.items():
        n = c["health_branches"] if sector == Sector.HEALTH else c["sector_branches"]
        for i in range(n):
            district = districts[i % len(districts)]
            stem = stems[i % len(stems)]
            sector_rows.append(
                PartyOrganisation(
                    name=f"{district[3]}{stem}{'' if i < len(districts) else i // len(districts) + 1}党支部",
                    kind=OrganisationKind.BRANCH,
                    sector=sector,
                    unit_id=district[0],
                    parent_id=sector_committees[sector],
                    records_from=start,
                )
            )
    sector_branches = ctx.bulk_create(
        PartyOrganisation,
        sector_rows,
        total=len(sector_rows),
        label="行业党支部",
        keep=lambda row: (row.pk, row.sector, row.unit_id),
    )

    # --- 三会一课 ------------------------------------------------------------------------------
    roll = dict(
        PartyMember.objects.filter(organisation_id__in=organ_branches)
        .order_by()
        .values_list("organisation_id")
        .annotate(n=Count("pk"))
    )
    rules_for = {kind: [r for r in rules if r.organisation_kind == kind] for kind in OrganisationKind.values}
    meetings: list[Meeting] = []
    meetings += _meetings(rng, organ_branches, OrganisationKind.BRANCH, rules_for, today, start, ORGAN_ON_TIME, roll)
    meetings += _meetings(
        rng, [row[0] for row in sector_branches], OrganisationKind.BRANCH, rules_for, today, start, SECTOR_ON_TIME, {}
    )
    home_branches = [branch_of[a] for a in sorted(home_areas)]
    year_start = dt.date(today.year, 1, 1)
    meetings += _meetings(rng, home_branches, OrganisationKind.BRANCH, rules_for, today, year_start, 0.85, {})
    ctx.bulk_create(Meeting, meetings, total=len(meetings), label="三会一课记录", keep=False)

    # --- the demo secretary: the home community's committee and its first branch ---------------
    secretary = ctx.bulk_create(
        User,
        [
            User(
                username=SECRETARY_USERNAME,
                full_name="李书记",
                password=ctx.demo_password_hash,
                phone=demo_mobile(MOBILE_SECRETARY_FROM),
                is_party_member=True,
            )
        ],
        total=1,
        label="党组织书记",
    )[0]
    mine = [committee_of[home_community], *home_branches[:1]]
    PartyOrganisation.objects.filter(pk__in=mine).update(secretary_id=secretary.pk)
    ctx.bulk_create(
        PartyMember,
        [
            PartyMember(organisation_id=pk, user_id=secretary.pk, name="李书记", role=PartyMember.Role.SECRETARY)
            for pk in mine
        ],
        total=len(mine),
        label="书记",
        keep=False,
    )
    ctx.add_account(SECRETARY_USERNAME, "解东社区党委书记（三会一课、党员名册）")

    # --- brands, pioneer posts and teams --------------------------------------------------------
    communities_in = {d[0]: [u for u in communities if u[2].startswith(d[2])] for d in districts}
    by_sector: dict[str, list[tuple[int, int]]] = {}
    for pk, sector, unit_id in sector_branches:
        by_sector.setdefault(sector, []).append((pk, unit_id))

    def serving(i: int, unit_id: int) -> int:
        choices = communities_in.get(unit_id) or communities
        return choices[i % len(choices)][0]

    brand_rows = []
    for sector, key in (
        (Sector.HEALTH, "brands_health"),
        (Sector.PUBLIC_SECURITY, "brands_public_security"),
        (Sector.TRANSPORT, "brands_transport"),
        (Sector.TOURISM, "brands_tourism"),
    ):
        owners = by_sector[sector]
        stems = BRAND_STEMS[sector]
        for i in range(c[key]):
            owner, unit_id = owners[i % len(owners)]
            stem = stems[i % len(stems)]
            brand_rows.append(
                Brand(
                    name=stem if i < len(stems) else f"{stem}·{i // len(stems) + 1}",
                    organisation_id=owner,
                    sector=sector,
                    unit_id=unit_id,
                    description=f"{stem}：党组织带领党员亮身份、作表率，服务群众。",
                    year=today.year - rng.randint(0, 6),
                    honours="市级党建品牌" if i % 5 == 0 else "",
                )
            )
    ctx.bulk_create(Brand, brand_rows, total=len(brand_rows), label="党建品牌", keep=False)
    health = by_sector[Sector.HEALTH]
    ctx.bulk_create(
        PioneerPost,
        (
            PioneerPost(
                name=f"党员先锋岗·{['门诊导诊', '预约挂号', '家庭医生签约', '慢病随访', '急诊绿色通道'][i % 5]}{i + 1}",
                organisation_id=health[i % len(health)][0],
                sector=Sector.HEALTH,
                unit_id=health[i % len(health)][1],
                place=["门诊大厅", "住院部", "社区卫生服务站"][i % 3],
                services="导诊咨询、帮办代办、健康宣教",
            )
            for i in range(c["pioneer_posts_health"])
        ),
        total=c["pioneer_posts_health"],
        label="先锋服务岗",
        keep=False,
    )
    ctx.bulk_create(
        PioneerTeam,
        (
            PioneerTeam(
                name=f"党员先锋服务队·{['义诊', '健康宣讲', '应急救护'][i % 3]}{i + 1}",
                organisation_id=health[i % len(health)][0],
                sector=Sector.HEALTH,
                unit_id=serving(i, health[i % len(health)][1]),
                place="社区党群服务中心",
                members_count=8 + i % 7,
                services="进社区义诊、健康讲座、家庭医生上门",
            )
            for i in range(c["pioneer_teams_health"])
        ),
        total=c["pioneer_teams_health"],
        label="先锋服务队",
        keep=False,
    )


def _organ_rolls() -> int:
    """Each organ member (volunteers.Volunteer with an organ organisation) on the roll of their organ's
    branch, linked to their account where they have one: two INSERT ... SELECT, no row through Python."""
    member, volunteer, org = PartyMember._meta.db_table, Volunteer._meta.db_table, PartyOrganisation._meta.db_table
    insert = (
        f"INSERT INTO {member} (organisation_id, user_id, name, role) "
        f"SELECT b.id, v.user_id, v.full_name, %s FROM {volunteer} v "
        f"JOIN {org} o ON o.organ_id = v.organisation_id "
    )
    rows = 0
    with connection.cursor() as cursor:
        # An organ organisation that is itself a branch: its own roll.
        cursor.execute(insert + f"JOIN {org} b ON b.id = o.id WHERE o.kind = %s ORDER BY v.id", ["member", "branch"])
        rows += cursor.rowcount
        # A 机关党委: its members on the roll of its first branch.
        cursor.execute(
            insert + f"JOIN {org} b ON b.parent_id = o.id AND b.kind = %s WHERE o.kind = %s ORDER BY v.id",
            ["member", "branch", "committee"],
        )
        rows += cursor.rowcount
    return rows


def _meetings(rng, org_ids, kind, rules_for, today, first, on_time_share, roll) -> list[Meeting]:
    """Meetings for every due period of the organisations (exactly `on_time_share` of the slots met by
    the due date; of the rest, half held a few days late, half not held) and some in the current period."""
    slots = []
    current = []
    for org in org_ids:
        for rule in rules_for[kind]:
            months = rule.period_months
            due = periods.due_periods(first=first, months=months, window_start=None, window_end=today, today=today)
            slots.extend((org, rule, period) for period in due for _n in range(rule.count))
            now_period = periods.index(today, months)
            if periods.index(first, months) <= now_period:
                current.append((org, rule, now_period))
    missed = set(rng.sample(range(len(slots)), len(slots) - round(len(slots) * on_time_share)))
    rows = []

    def meeting(org, rule, period, held_on) -> Meeting:
        size = roll.get(org, 0)
        return Meeting(
            organisation_id=org,
            kind=rule.meeting_kind,
            held_on=held_on,
            topic=MEETING_TOPICS[rule.meeting_kind],
            period_start=periods.start(period, rule.period_months),
            due_on=periods.due_on(period, rule.period_months),
            roll=size,
            attended=max(0, size - rng.randint(0, 3)),
        )

    for i, (org, rule, period) in enumerate(slots):
        begin, due = periods.start(period, rule.period_months), periods.due_on(period, rule.period_months)
        if i not in missed:
            rows.append(meeting(org, rule, period, begin + dt.timedelta(days=rng.randint(0, (due - begin).days))))
        elif i % 2:
            late = min(due + dt.timedelta(days=rng.randint(1, 10)), today)
            rows.append(meeting(org, rule, period, late))
    for org, rule, period in current:
        begin = periods.start(period, rule.period_months)
        if rng.random() < 0.5 and begin <= today:
            rows.append(meeting(org, rule, period, begin + dt.timedelta(days=rng.randint(0, (today - begin).days))))
    return rows
