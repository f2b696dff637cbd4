"""Demo data for resident issues: categories, departments, routing rules and two years of history.

At scale 1 the report's figure: 6,828 problems solved (resolved or closed
after the resident's feedback) in all, this step's share being what the other
steps do not resolve (volunteer teams' demands: `resolved_issues(scale)` of each
step), plus the open and in-progress ones and a few rejected, spread over every
district, each with a realistic timeline (logged → routed → accepted →
sometimes split → resolved → feedback), some late (reminded, escalated one or
two levels, a few with an extension). Satisfaction reads like a real city's and
differs by district: in each, a share of residents are dissatisfied (the issue
reopens; most are handled again and then accepted, some are resolved again and
wait for the return visit, a few are back with the handler now), and a share
only basically satisfied; rejected issues carry no verdict. A handful of fixed "showcase" issues in 解东社区
give the demo accounts something to do at any scale: xiufeng_community's
office inbox, xiufeng_leader's grid, xiufeng_street's supervision list and a
pending extension request.

Routing and supervision here call the services' own pure decisions
(`most_specific_rule`, `nearest_holder`, `office_path`, `grid_supervisor_path`,
`next_supervisor_path`) on the city preloaded in memory, so two years of
history insert in a few seconds.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password

from grids import demo_data, demo_geometry
from grids.models import PATH_STEP, GridUnit, Post, User
from guilin_portal.demo import DemoContext, insert_instances, issues_resolved_by_other_steps
from issues.handler_kinds import community_path, grid_supervisor_path, nearest_holder, office_path
from issues.models import (
    DeadlineExtension,
    Department,
    HandlerKind,
    Issue,
    IssueCategory,
    IssueEvent,
    IssueTask,
    Notification,
    RoutingRule,
)
from issues.services.routing import most_specific_rule
from issues.services.supervision import next_supervisor_path

REPORT_SOLVED = 6828  # 累计解决群众身边的实际问题6828个: every resolved issue, whoever handled it
FULL_SCALE = {"open": 240, "rejected": 120}
# Of the resident's first verdicts in a district, the dissatisfied share is drawn between these bounds;
# of those reopened, REDONE_ACCEPTED are handled again and accepted, the rest wait for the return visit.
DISSATISFIED_SHARE = (0.05, 0.19)
REDONE_ACCEPTED = 0.4
BASIC_WEIGHT = (8, 24)  # basically satisfied against 86 satisfied (on time)
REOPENED_OPEN_SHARE = 0.12  # of the open issues: reopened by a dissatisfied resident, back with the handler
SHOWCASE_OPEN = 6  # fixed issues for the demo accounts, at any scale
SHOWCASE_RESOLVED = 1
HISTORY_DAYS = 730
HISTORY_BATCH = 5000  # issues drawn, then written with their stories, at a time

K = Issue.Kind
S = Issue.Status
E = IssueEvent.Kind

# (code, kind, Chinese name, English name, time limit in hours)
CATEGORIES: list[tuple[str, str, str, str, int]] = [
    ("opinion-env", K.OPINION, "环境卫生", "Environmental sanitation", 48),
    ("opinion-facility", K.OPINION, "公共设施维修", "Public facility repairs", 72),
    ("opinion-property", K.OPINION, "物业服务", "Property management services", 72),
    ("opinion-traffic", K.OPINION, "交通出行", "Traffic and parking", 72),
    ("opinion-suggest", K.OPINION, "意见建议", "Suggestions", 168),
    ("proxy-social", K.PROXY_SERVICE, "社保医保代办", "Social and medical insurance (proxy)", 120),
    ("proxy-civil", K.PROXY_SERVICE, "民政救助代办", "Civil-affairs relief (proxy)", 120),
    ("proxy-cert", K.PROXY_SERVICE, "证照证明代办", "Certificates and permits (proxy)", 168),
    ("proxy-elderly", K.PROXY_SERVICE, "养老服务代办", "Elderly care services (proxy)", 72),
    ("dispute-neighbour", K.DISPUTE, "邻里纠纷", "Neighbour disputes", 72),
    ("dispute-family", K.DISPUTE, "婚姻家庭纠纷", "Marriage and family disputes", 72),
    ("dispute-property", K.DISPUTE, "物业纠纷", "Property-management disputes", 120),
    ("dispute-labour", K.DISPUTE, "劳资纠纷", "Unpaid wages and labour disputes", 120),
    ("hazard-fire", K.HAZARD, "消防安全隐患", "Fire hazards", 24),
    ("hazard-security", K.HAZARD, "治安隐患", "Public-security hazards", 24),
    ("hazard-building", K.HAZARD, "房屋安全隐患", "Building safety hazards", 48),
    ("hazard-health", K.HAZARD, "公共卫生隐患", "Public-health hazards", 48),
    ("other", K.OTHER, "其他", "Other", 120),
]
CATEGORY_WEIGHTS = {
    "opinion-env": 14,
    "opinion-facility": 10,
    "opinion-property": 7,
    "opinion-traffic": 5,
    "opinion-suggest": 4,
    "proxy-social": 9,
    "proxy-civil": 6,
    "proxy-cert": 4,
    "proxy-elderly": 5,
    "dispute-neighbour": 9,
    "dispute-family": 4,
    "dispute-property": 4,
    "dispute-labour": 2,
    "hazard-fire": 6,
    "hazard-security": 3,
    "hazard-building": 3,
    "hazard-health": 2,
    "other": 3,
}

# (function, Chinese suffix, English suffix)
DEPARTMENT_FUNCTIONS = [
    ("police", "公安分局", "Public Security Bureau"),
    ("health", "卫生健康局", "Health Bureau"),
    ("urban", "城市管理执法局", "Urban Management Bureau"),
    ("civil", "民政局", "Civil Affairs Bureau"),
    ("justice", "司法局", "Justice Bureau"),
]
DEPARTMENT_MEMBERS = 2

# City-wide rules: (category code or None, handler kind, office level or None)
CITY_RULES: list[tuple[str | None, str, int | None]] = [
    ("opinion-env", HandlerKind.GRID_LEADER, None),
    ("opinion-facility", HandlerKind.GRID_LEADER, None),
    ("opinion-property", HandlerKind.OFFICE, GridUnit.Level.COMMUNITY),
    ("opinion-traffic", HandlerKind.OFFICE, GridUnit.Level.STREET),
    ("opinion-suggest", HandlerKind.OFFICE, GridUnit.Level.COMMUNITY),
    ("proxy-social", HandlerKind.OFFICE, GridUnit.Level.COMMUNITY),
    ("proxy-cert", HandlerKind.OFFICE, GridUnit.Level.COMMUNITY),
    ("proxy-elderly", HandlerKind.OFFICE, GridUnit.Level.COMMUNITY),
    ("dispute-neighbour", HandlerKind.GRID_LEADER, None),
    ("dispute-family", HandlerKind.GRID_LEADER, None),
    ("dispute-property", HandlerKind.OFFICE, GridUnit.Level.COMMUNITY),
    ("hazard-fire", HandlerKind.OFFICE, GridUnit.Level.STREET),
    ("hazard-building", HandlerKind.OFFICE, GridUnit.Level.STREET),
    # "other" has no rule on purpose: it reaches the community office flagged "no rule".
]
# Each district sends these categories to its own department: (category code, department function).
DISTRICT_RULES = [
    ("hazard-security", "police"),
    ("hazard-health", "health"),
    ("proxy-civil", "civil"),
    ("dispute-labour", "justice"),
]
# A deeper rule: in 秀峰区 sanitation goes to urban management, not to the grid leader.
SUBTREE_RULES = [("秀峰区", "opinion-env", "urban")]

DESCRIPTIONS = {
    "opinion-env": [
        "{loc}楼道堆放杂物，居民反映影响通行。",
        "{loc}附近垃圾桶满溢，气味大，希望增加清运次数。",
        "{loc}下水道堵塞，下雨天积水严重。",
    ],
    "opinion-facility": [
        "{loc}路灯不亮已一周，晚上出行不便。",
        "{loc}健身器材损坏，老人锻炼有安全隐患。",
        "{loc}单元门禁损坏，外人随意进出。",
    ],
    "opinion-property": ["居民反映{loc}电梯经常故障，物业维修不及时。", "{loc}绿化带长期无人修剪，杂草丛生。"],
    "opinion-traffic": ["{loc}路口车辆乱停乱放，早晚高峰拥堵。", "{loc}公交站台缺少遮雨棚，希望增设。"],
    "opinion-suggest": ["居民建议在{loc}增设老年人休息座椅。", "居民希望社区多开展便民服务进小区活动。"],
    "proxy-social": ["居民{name}行动不便，需代办城乡居民医保参保缴费。", "代办养老保险待遇资格认证（老人卧床）。"],
    "proxy-civil": ["居民{name}家庭困难，代为申请最低生活保障。", "代办残疾人两项补贴申请。"],
    "proxy-cert": ["代办居住证申领。", "代办老年人优待证。"],
    "proxy-elderly": ["独居老人{name}需要助餐服务登记。", "高龄老人申请居家养老上门服务。"],
    "dispute-neighbour": [
        "{loc}楼上漏水导致楼下墙面受损，双方协商未果。",
        "{loc}邻居装修噪音扰民，引发争吵。",
        "{loc}邻里因公共区域堆放物品发生矛盾。",
    ],
    "dispute-family": ["夫妻因赡养老人问题发生争执，请求调解。", "兄弟姐妹因房产继承产生矛盾。"],
    "dispute-property": ["业主与物业因物业费标准发生纠纷。", "{loc}停车位收费引发业主与物业矛盾。"],
    "dispute-labour": ["{n}名务工人员反映被拖欠工资。", "装修工人与业主工钱结算纠纷。"],
    "hazard-fire": ["{loc}电动车在楼道内充电，存在火灾隐患。", "{loc}消防通道被车辆占用。", "{loc}灭火器过期未更换。"],
    "hazard-security": ["{loc}有陌生人多次深夜徘徊，居民担心安全。", "{loc}监控摄像头损坏。"],
    "hazard-building": ["{loc}外墙瓷砖脱落，存在坠物风险。", "{loc}老旧房屋墙体开裂。"],
    "hazard-health": ["{loc}出现多只流浪犬，居民担心伤人。", "{loc}餐饮店后厨污水直排。"],
    "other": ["居民咨询老旧小区改造政策。", "居民反映{loc}其他问题，需要核实。"],
}
RESOLUTIONS = {
    K.OPINION: ["已现场处理完毕，居民确认。", "已协调物业和相关单位处理到位。", "已维修完成，复查正常。"],
    K.PROXY_SERVICE: ["已代办完成，材料已送达居民。", "已协助居民办结，回执已交居民本人。"],
    K.DISPUTE: ["经调解双方达成一致，签订调解协议。", "已组织双方协商，矛盾化解。"],
    K.HAZARD: ["隐患已整改，复查合格。", "已督促责任单位整改到位。"],
    K.OTHER: ["已答复居民。", "已核实并处理。"],
}
PROGRESS_NOTES = ["已联系居民了解情况。", "已到现场查看。", "已协调相关单位，正在处理。", "已约双方当事人面谈。"]
REJECT_NOTES = ["属于民事合同纠纷，已告知居民通过法律途径解决。", "不在本级受理范围，已告知居民向相关机构反映。"]
DISSATISFIED_NOTES = ["居民认为处理不彻底，问题反复出现。", "居民对处理时间不满意。"]


# After the tree and its people (grids, 10), before the volunteer teams' demands (volunteers, 20).
DEMO_ORDER = 15


def plan(scale: float) -> dict[str, int]:
    def scaled(full: int) -> int:
        return max(1, round(full * scale))

    districts = len(demo_data.DISTRICTS)
    return {
        "issues.categories": len(CATEGORIES),
        "issues.departments": districts * len(DEPARTMENT_FUNCTIONS),
        "issues.routing_rules": len(CITY_RULES) + districts * len(DISTRICT_RULES) + len(SUBTREE_RULES),
        "issues.issues.resolved": scaled(REPORT_SOLVED) - issues_resolved_by_other_steps(scale),
        "issues.solved_in_all": scaled(REPORT_SOLVED),
        "issues.issues.open": scaled(FULL_SCALE["open"]) + SHOWCASE_OPEN,
        "issues.issues.rejected": scaled(FULL_SCALE["rejected"]),
    }


# ---------------------------------------------------------------------------
# The city as the issue generator sees it
# ---------------------------------------------------------------------------
@dataclass
class City:
    unit_pk: dict[str, int]  # path -> pk, levels city..community
    unit_name: dict[str, str]
    micro: list[tuple[int, str, str]]  # (pk, path, name) of areas and compounds
    leaders: dict[str, int]  # area path -> leader user id
    workers: dict[str, list[int]]  # area path -> worker user ids
    staff: dict[int, list[int]]  # unit pk -> staff user ids
    categories: dict[str, IssueCategory]
    departments: dict[tuple[str, str], Department]  # (district path, function) -> department
    department_members: dict[int, list[int]]
    rules: dict[tuple[str, int | None], RoutingRule]  # (unit path, category id or None) -> rule


@dataclass
class Draft:
    """An issue being written: the row, its events, its tasks, its extension."""

    issue: Issue
    events: list[IssueEvent] = field(default_factory=list)
    tasks: list[IssueTask] = field(default_factory=list)
    extension: DeadlineExtension | None = None
    notify: list[tuple[int, str, datetime, datetime | None]] = field(default_factory=list)

    def event(self, kind: str, at: datetime, actor: int | None = None, note: str = "", to: str = "", **data) -> None:
        before = self.issue.status
        if to:
            self.issue.status = to
        self.events.append(
            IssueEvent(
                kind=kind,
                at=at,
                actor_id=actor,
                note=note,
                from_status=before if to else "",
                to_status=to,
                data=data,
            )
        )


def seed(ctx: DemoContext) -> None:
    categories = _seed_categories(ctx)
    departments, members = _seed_departments(ctx)
    city = _load_city(ctx, categories, departments, members)
    city.rules = _seed_rules(ctx, city)
    _seed_history(ctx, city)


def _seed_categories(ctx: DemoContext) -> dict[str, IssueCategory]:
    rows = ctx.bulk_create(
        IssueCategory,
        (
            IssueCategory(code=code, kind=kind, name=name, name_en=name_en, time_limit_hours=hours, sort_order=i)
            for i, (code, kind, name, name_en, hours) in enumerate(CATEGORIES)
        ),
        total=len(CATEGORIES),
        label="问题类别",
    )
    return {row.code: row for row in rows}


def _seed_departments(ctx: DemoContext) -> tuple[dict[tuple[str, str], Department], dict[int, list[int]]]:
    districts = list(GridUnit.objects.filter(level=GridUnit.Level.DISTRICT).order_by("path"))
    departments = ctx.bulk_create(
        Department,
        (
            Department(
                code=f"{district.code}-{function}",
                name=f"{district.name}{suffix}",
                name_en=f"{district.name} {suffix_en}",
                unit_id=district.pk,
            )
            for district in districts
            for function, suffix, suffix_en in DEPARTMENT_FUNCTIONS
        ),
        total=len(districts) * len(DEPARTMENT_FUNCTIONS),
        label="职能部门",
    )
    by_key = {}
    people = []
    unusable = make_password(None)
    for department in departments:
        district = next(d for d in districts if d.pk == department.unit_id)
        function = department.code.rsplit("-", 1)[1]
        by_key[(district.path, function)] = department
        for n in range(DEPARTMENT_MEMBERS):
            username = f"dept{district.code}{function}{n + 1}"
            password = unusable
            if district.name == "秀峰区" and function == "urban" and n == 0:
                username = "xiufeng_urban"
                password = ctx.demo_password_hash
            surname = demo_data.SURNAMES[ctx.rng.randrange(len(demo_data.SURNAMES))]
            given = demo_data.GIVEN[ctx.rng.randrange(len(demo_data.GIVEN))]
            phone = demo_data.demo_mobile(demo_data.MOBILE_DEPARTMENTS_FROM + len(people))
            user = User(username=username, full_name=surname + given, password=password, phone=phone)
            people.append((department, user))
    users = ctx.bulk_create(User, (user for _d, user in people), total=len(people), label="部门人员")
    through = Department.members.through
    ctx.bulk_create(
        through,
        (through(department_id=d.pk, user_id=u.pk) for (d, _u), u in zip(people, users, strict=True)),
        total=len(people),
        label="部门成员",
    )
    members: dict[int, list[int]] = defaultdict(list)
    for (department, _u), user in zip(people, users, strict=True):
        members[department.pk].append(user.pk)
    ctx.add_account("xiufeng_urban", "秀峰区城市管理执法局工作人员（职能部门收件箱）")
    return by_key, members


def _load_city(ctx, categories, departments, members) -> City:
    upper = GridUnit.objects.filter(level__lte=GridUnit.Level.COMMUNITY).values_list("pk", "path", "name")
    micro = list(
        GridUnit.objects.filter(level__in=[GridUnit.Level.AREA, GridUnit.Level.COMPOUND])
        .order_by("path")
        .values_list("pk", "path", "name")
    )
    leaders: dict[str, int] = {}
    workers: dict[str, list[int]] = defaultdict(list)
    staff: dict[int, list[int]] = defaultdict(list)
    for role, unit_pk, path, user_id in Post.objects.order_by("pk").values_list(
        "role", "unit_id", "unit__path", "user_id"
    ):
        if role == Post.Role.GRID_LEADER:
            leaders.setdefault(path, user_id)
        elif role == Post.Role.GRID_WORKER:
            workers[path].append(user_id)
        elif role in Post.STAFF_ROLES:
            staff[unit_pk].append(user_id)
    return City(
        unit_pk={path: pk for pk, path, _n in upper},
        unit_name={path: name for _pk, path, name in upper},
        micro=micro,
        leaders=leaders,
        workers=workers,
        staff=staff,
        categories=categories,
        departments=departments,
        department_members=members,
        rules={},
    )


def _seed_rules(ctx: DemoContext, city: City) -> dict[tuple[str, int | None], RoutingRule]:
    city_path = next(path for path in city.unit_pk if len(path) == PATH_STEP)
    district_paths = sorted(path for path in city.unit_pk if len(path) == 2 * PATH_STEP)
    rows = [
        RoutingRule(
            unit_id=city.unit_pk[city_path],
            category_id=city.categories[code].pk if code else None,
            handler_kind=kind,
            office_level=level,
            note="全市通用规则",
            created_at=ctx.now - timedelta(days=HISTORY_DAYS + 30),
        )
        for code, kind, level in CITY_RULES
    ]
    for path in district_paths:
        rows.extend(
            RoutingRule(
                unit_id=city.unit_pk[path],
                category_id=city.categories[code].pk,
                handler_kind=HandlerKind.DEPARTMENT,
                department_id=city.departments[(path, function)].pk,
                note="城区职能部门承办",
                created_at=ctx.now - timedelta(days=HISTORY_DAYS + 30),
            )
            for code, function in DISTRICT_RULES
        )
    for district_name, code, function in SUBTREE_RULES:
        path = next(p for p in district_paths if city.unit_name[p] == district_name)
        rows.append(
            RoutingRule(
                unit_id=city.unit_pk[path],
                category_id=city.categories[code].pk,
                handler_kind=HandlerKind.DEPARTMENT,
                department_id=city.departments[(path, function)].pk,
                note="秀峰区：环境卫生由城管执法局承办",
                created_at=ctx.now - timedelta(days=HISTORY_DAYS + 30),
            )
        )
    created = ctx.bulk_create(RoutingRule, rows, total=len(rows), label="分派规则")
    unit_paths = {pk: path for path, pk in city.unit_pk.items()}
    return {(unit_paths[rule.unit_id], rule.category_id): rule for rule in created}


# ---------------------------------------------------------------------------
# Routing and people, in memory
# ---------------------------------------------------------------------------
def _route(city: City, path: str, category: IssueCategory) -> tuple[str, dict[str, int], RoutingRule | None]:
    """The routing service's decision (its pure rules: `most_specific_rule`, then the grid kinds'
    `nearest_holder` / `office_path`, else the community office), from the preloaded city."""
    rule = most_specific_rule(city.rules, path=path, category_id=category.pk)
    if rule is not None:
        if rule.handler_kind == HandlerKind.GRID_LEADER:
            leader = nearest_holder(city.leaders, path)
            if leader is not None:
                return HandlerKind.GRID_LEADER, {"handler_user": leader}, rule
        if rule.handler_kind == HandlerKind.OFFICE:
            office = office_path(path, rule.office_level)
            if office is not None:
                return HandlerKind.OFFICE, {"handler_unit": city.unit_pk[office]}, rule
        if rule.handler_kind == HandlerKind.DEPARTMENT:
            return HandlerKind.DEPARTMENT, {"handler_department": rule.department_id}, rule
    return HandlerKind.OFFICE, {"handler_unit": city.unit_pk[community_path(path)]}, None


def _handler_people(city: City, kind: str, refs: dict[str, int]) -> list[int]:
    if kind == HandlerKind.GRID_LEADER:
        return [refs["handler_user"]]
    if kind == HandlerKind.OFFICE:
        return city.staff.get(refs["handler_unit"], [])
    return city.department_members.get(refs["handler_department"], [])


def _supervisor_path(city: City, path: str, kind: str, refs: dict[str, int], pk_paths: dict[int, str]) -> str | None:
    """The supervision service's answer (`grid_supervisor_path`), from the preloaded city."""
    if kind == HandlerKind.OFFICE:
        handler_path = pk_paths[refs["handler_unit"]]
    elif kind == HandlerKind.DEPARTMENT:
        department = next(d for d in city.departments.values() if d.pk == refs["handler_department"])
        handler_path = pk_paths[department.unit_id]
    else:
        handler_path = None
    return grid_supervisor_path(kind, issue_path=path, handler_path=handler_path)


def _phone(rng) -> str:
    if rng.random() < 0.9:
        return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
    return f"0773-{rng.randrange(2000000, 5999999)}"


def _person(rng) -> str:
    return (
        rng.choice(demo_data.SURNAMES)
        + rng.choice(demo_data.GIVEN)
        + (rng.choice(demo_data.GIVEN) if rng.random() < 0.6 else "")
    )


# ---------------------------------------------------------------------------
# History
# ---------------------------------------------------------------------------
class HistoryWriter:
    def __init__(self, ctx: DemoContext, city: City):
        self.ctx = ctx
        self.rng = ctx.rng
        self.city = city
        self.now = ctx.now
        self.pk_paths = {pk: path for path, pk in city.unit_pk.items()}
        codes = [code for code, *_rest in CATEGORIES]
        self.codes = codes
        self.weights = [CATEGORY_WEIGHTS[code] for code in codes]
        # Each district's residents: how often dissatisfied, how often only basically satisfied.
        districts = sorted(path for path in city.unit_pk if len(path) == GridUnit.Level.DISTRICT * PATH_STEP)
        self.dissatisfied = {path: self.rng.uniform(*DISSATISFIED_SHARE) for path in districts}
        self.basic = {path: self.rng.uniform(*BASIC_WEIGHT) for path in districts}
        # Where in its micro-grid each issue was logged (a GPS point inside the unit's box): drawn from a
        # random stream of its own, so the rest of the history is the same with or without coordinates.
        self.place_rng = random.Random(ctx.seed * 7919 + 14)
        self.boxes = {
            pk: box
            for pk, *box in GridUnit.objects.filter(level__in=[GridUnit.Level.AREA, GridUnit.Level.COMPOUND])
            .exclude(bbox_south__isnull=True)
            .values_list("pk", "bbox_south", "bbox_west", "bbox_north", "bbox_east")
        }

    # -- building blocks --------------------------------------------------
    def new_draft(self, created: datetime, *, unit=None, code: str | None = None, reporter: int | None = None) -> Draft:
        rng = self.rng
        pk, path, name = unit or self.city.micro[rng.randrange(len(self.city.micro))]
        category = self.city.categories[code or rng.choices(self.codes, self.weights)[0]]
        area_path = path[: GridUnit.Level.AREA * PATH_STEP]
        if reporter is None:
            candidates = self.city.workers.get(area_path) or [self.city.leaders[area_path]]
            reporter = candidates[rng.randrange(len(candidates))]
        resident = _person(rng)
        loc = f"{name}{rng.randint(1, 12)}栋" if not name.startswith("第") else f"{name}{rng.randint(1, 40)}号"
        description = rng.choice(DESCRIPTIONS[category.code]).format(loc=loc, name=resident, n=rng.randint(2, 9))
        due, remind = Issue.deadlines(created, category.time_limit_hours)
        issue = Issue(
            unit_id=pk,
            category=category,
            kind=category.kind,
            description=description,
            location_text=loc,
            resident_name=resident if rng.random() < 0.8 else "",
            resident_phone=_phone(rng) if rng.random() < 0.85 else "",
            priority=rng.choices([1, 2, 3], [85, 12, 3])[0],
            reporter_id=reporter,
            status=S.COLLECTED,
            created_at=created,
            updated_at=created,
            due_at=due,
            remind_at=remind,
            next_escalation_at=due,
        )
        issue._path = path  # used only while generating
        if pk in self.boxes:
            lat, lng = demo_geometry.point_in(self.place_rng, *self.boxes[pk])
            issue.latitude, issue.longitude = Decimal(f"{lat:.6f}"), Decimal(f"{lng:.6f}")
            issue.location_accuracy = self.place_rng.choice((5, 8, 10, 15, 20, 30))
        draft = Draft(issue=issue)
        draft.event(E.COLLECTED, created, reporter, photos=0)
        return draft

    def route(self, draft: Draft) -> list[int]:
        issue = draft.issue
        kind, refs, rule = _route(self.city, issue._path, issue.category)
        issue.handler_kind = kind
        for name in Issue.HANDLER_FIELDS:
            setattr(issue, f"{name}_id", refs.get(name))
        issue.routing_rule_id = rule.pk if rule else None
        issue.routing_no_rule = rule is None
        at = issue.created_at + timedelta(seconds=self.rng.randint(2, 40))
        issue.routed_at = at
        issue.routing_sent_at = issue.created_at
        draft.event(
            E.ALLOCATED,
            at,
            None,
            "没有匹配的分派规则，转社区办公室。" if rule is None else "",
            to=S.ALLOCATED,
            handler_kind=kind,
            **refs,
            rule=rule.pk if rule else None,
            no_rule=rule is None,
        )
        issue._handler_path = self._handler_path(kind, refs)
        return _handler_people(self.city, kind, refs)

    def _handler_path(self, kind, refs) -> str:
        if kind == HandlerKind.OFFICE:
            return self.pk_paths[refs["handler_unit"]]
        return ""

    def accept(self, draft: Draft, people: list[int], at: datetime) -> int:
        actor = people[self.rng.randrange(len(people))] if people else draft.issue.reporter_id
        draft.issue.accepted_at = at
        draft.issue.assignee_id = actor
        draft.event(E.ACCEPTED, at, actor, to=S.IN_PROGRESS)
        return actor

    def escalate(self, draft: Draft, until: datetime) -> None:
        """Reminded at 80%, then escalated at the deadline and once more per time limit, while open before `until`."""
        issue = draft.issue
        limit = timedelta(hours=issue.category.time_limit_hours)
        if issue.remind_at < until:
            at = issue.remind_at + timedelta(seconds=self.rng.randint(5, 60))
            if at < issue.due_at:
                issue.reminded_at = at
                draft.event(E.REMINDED, at, None, "办理时限已过 80%，请尽快办结。")
        next_at = issue.due_at
        path = None
        refs = {n: getattr(issue, f"{n}_id") for n in Issue.HANDLER_FIELDS if getattr(issue, f"{n}_id")}
        while next_at is not None and next_at < until:
            if path is None:
                path = _supervisor_path(self.city, issue._path, issue.handler_kind, refs, self.pk_paths)
            else:
                path = next_supervisor_path(path)
            if path is None:
                next_at = None
                break
            at = next_at + timedelta(seconds=self.rng.randint(5, 60))
            issue.escalation_level += 1
            issue.escalated_at = at
            issue.supervision_unit_id = self.city.unit_pk[path]
            draft.event(
                E.SUPERVISED,
                at,
                None,
                f"逾期未办结，第 {issue.escalation_level} 次督办：提请{self.city.unit_name[path]}督办。",
                level=issue.escalation_level,
                supervision_unit=issue.supervision_unit_id,
            )
            # Supervised by the city: there is nothing higher to climb to.
            next_at = None if len(path) == PATH_STEP else at + limit
        issue.next_escalation_at = next_at

    def decompose(self, draft: Draft, actor: int, at: datetime, done_by: datetime | None) -> None:
        issue = draft.issue
        community = self.city.unit_pk[issue._path[: GridUnit.Level.COMMUNITY * PATH_STEP]]
        district_path = issue._path[: GridUnit.Level.DISTRICT * PATH_STEP]
        department = self.city.departments[(district_path, "urban")]
        specs = [
            ("入户核实情况", HandlerKind.OFFICE, {"handler_unit": community}, self.city.staff.get(community, [])),
            (
                "执法部门现场处置",
                HandlerKind.DEPARTMENT,
                {"handler_department": department.pk},
                self.city.department_members[department.pk],
            ),
        ]
        for title, kind, refs, people in specs:
            task = IssueTask(
                title=title,
                handler_kind=kind,
                handler_user_id=refs.get("handler_user"),
                handler_unit_id=refs.get("handler_unit"),
                handler_department_id=refs.get("handler_department"),
                created_by_id=actor,
                created_at=at,
            )
            if done_by is not None:
                task.status = IssueTask.Status.DONE
                task.done_at = at + (done_by - at) * self.rng.uniform(0.3, 0.95)
                task.done_by_id = people[0] if people else actor
                task.result = "已完成。"
            draft.tasks.append(task)
        draft.event(E.DECOMPOSED, at, actor, "；".join(t.title for t in draft.tasks), to=S.DECOMPOSED)
        if done_by is not None:
            for task in sorted(draft.tasks, key=lambda t: t.done_at):
                draft.event(E.TASK_DONE, task.done_at, task.done_by_id, f"{task.title}：{task.result}")

    # -- whole stories ----------------------------------------------------
    def resolved_story(self, created: datetime, *, awaiting_feedback: bool = False, **draft_kwargs) -> Draft:
        rng = self.rng
        draft = self.new_draft(created, **draft_kwargs)
        issue = draft.issue
        people = self.route(draft)
        limit = timedelta(hours=issue.category.time_limit_hours)
        accepted = issue.routed_at + limit * rng.uniform(0.01, 0.12)
        actor = self.accept(draft, people, accepted)
        late = rng.random() < 0.12
        extension = late and rng.random() < 0.3
        if extension:
            asked = issue.created_at + limit * 0.6
            extra = rng.choice([24, 48, 72])
            approver_path = _supervisor_path(
                self.city,
                issue._path,
                issue.handler_kind,
                {n: getattr(issue, f"{n}_id") for n in Issue.HANDLER_FIELDS if getattr(issue, f"{n}_id")},
                self.pk_paths,
            )
            approver = self.city.unit_pk[approver_path]
            approvers = self.city.staff.get(approver) or [actor]
            decided = asked + timedelta(hours=rng.uniform(1, 6))
            draft.extension = DeadlineExtension(
                hours=extra,
                reason="需要协调多个单位，申请延期。",
                approver_unit_id=approver,
                status=DeadlineExtension.Status.APPROVED,
                requested_by_id=actor,
                requested_at=asked,
                decided_by_id=approvers[0],
                decided_at=decided,
                decision_note="同意。",
            )
            draft.event(E.EXTENSION_REQUESTED, asked, actor, f"申请延长 {extra} 小时：需要协调多个单位。")
            draft.event(E.EXTENSION_APPROVED, decided, approvers[0], "同意。", hours=extra)
            issue.due_at += timedelta(hours=extra)
            issue.remind_at = issue.due_at - limit * 0.2
            issue.next_escalation_at = issue.due_at
            resolved = issue.created_at + (issue.due_at - issue.created_at) * rng.uniform(0.8, 0.98)
        elif late:
            resolved = issue.due_at + limit * rng.uniform(0.05, 1.6)
        else:
            resolved = issue.created_at + limit * rng.uniform(0.15, 0.78)
        resolved = max(resolved, accepted + timedelta(minutes=20))
        if awaiting_feedback:
            resolved = min(resolved, self.now - timedelta(hours=1))
        if rng.random() < 0.05:
            self.decompose(draft, actor, accepted + timedelta(minutes=30), resolved)
        elif rng.random() < 0.5:
            draft.event(E.PROGRESS, accepted + (resolved - accepted) * 0.5, actor, rng.choice(PROGRESS_NOTES))
        self.escalate(draft, resolved)
        self._resolve(draft, actor, resolved)
        if awaiting_feedback:
            return self._finish(draft)
        feedback_at = resolved + timedelta(hours=rng.uniform(2, 72))
        feedback_by = issue.reporter_id
        district = issue._path[: GridUnit.Level.DISTRICT * PATH_STEP]
        if rng.random() < self.dissatisfied[district]:
            # Dissatisfied: back to the same handler with a fresh time limit, resolved again; then the
            # resident accepts it, or the return visit is still to come (the last word stays dissatisfied).
            self._reopen(draft, feedback_at, rng.choice(DISSATISFIED_NOTES))
            resolved = feedback_at + limit * rng.uniform(0.2, 0.7)
            self._resolve(draft, actor, resolved)
            if rng.random() >= REDONE_ACCEPTED:
                return self._finish(draft)
            feedback_at = resolved + timedelta(hours=rng.uniform(2, 48))
        basic = self.basic[district] * (2 if late else 1)
        satisfaction = rng.choices([Issue.Satisfaction.SATISFIED, Issue.Satisfaction.BASIC], [86, basic])[0]
        issue.satisfaction = satisfaction
        issue.closed_at = feedback_at
        draft.event(E.FEEDBACK, feedback_at, feedback_by, "", to=S.CLOSED, satisfaction=str(satisfaction))
        return self._finish(draft)

    def _reopen(self, draft: Draft, at: datetime, note: str) -> None:
        """The resident's dissatisfied verdict, as `issue_feedback` records it: reopened with a fresh time limit."""
        issue = draft.issue
        issue.satisfaction = Issue.Satisfaction.DISSATISFIED
        draft.event(E.FEEDBACK, at, issue.reporter_id, note, satisfaction="dissatisfied")
        draft.event(E.REOPENED, at, issue.reporter_id, note, to=S.IN_PROGRESS)
        issue.reopen_count += 1
        issue.resolved_at = None
        issue.due_at, issue.remind_at = Issue.deadlines(at, issue.category.time_limit_hours)
        issue.reminded_at = None
        issue.next_escalation_at = issue.due_at
        issue.escalation_level = 0
        issue.escalated_at = None
        issue.supervision_unit_id = None

    def reopened_story(self, created: datetime, **draft_kwargs) -> Draft:
        """Resolved, the resident dissatisfied: back with the handler now, to be handled again."""
        draft = self.resolved_story(created, awaiting_feedback=True, **draft_kwargs)
        at = min(draft.issue.resolved_at + timedelta(hours=self.rng.uniform(2, 72)), self.now - timedelta(minutes=30))
        self._reopen(draft, at, self.rng.choice(DISSATISFIED_NOTES))
        self.escalate(draft, self.now)
        return self._finish(draft)

    def _resolve(self, draft: Draft, actor: int, at: datetime) -> None:
        issue = draft.issue
        issue.resolution = self.rng.choice(RESOLUTIONS[issue.kind])
        issue.resolved_at = at
        draft.event(E.RESOLVED, at, actor, issue.resolution, to=S.RESOLVED)

    def _finish(self, draft: Draft) -> Draft:
        issue = draft.issue
        issue.updated_at = max(event.at for event in draft.events)
        issue.version = 1 + sum(1 for event in draft.events if event.to_status)
        if not issue.is_open:
            issue.next_escalation_at = None
        return draft

    def open_story(self, created: datetime, status: str, **draft_kwargs) -> Draft:
        rng = self.rng
        draft = self.new_draft(created, **draft_kwargs)
        issue = draft.issue
        people = self.route(draft)
        for user_id in people:
            draft.notify.append((user_id, Notification.Kind.ROUTED, issue.routed_at, None))
        if status == S.ALLOCATED:
            self.escalate(draft, self.now)
            return self._finish(draft)
        accepted = min(self.now - timedelta(minutes=5), issue.routed_at + timedelta(hours=rng.uniform(0.2, 6)))
        actor = self.accept(draft, people, accepted)
        if status == S.DECOMPOSED:
            self.decompose(draft, actor, accepted + timedelta(minutes=10), None)
        elif rng.random() < 0.6:
            draft.event(E.PROGRESS, accepted + (self.now - accepted) * 0.5, actor, rng.choice(PROGRESS_NOTES))
        if status == S.SUSPENDED:
            at = accepted + (self.now - accepted) * 0.7
            self.escalate(draft, at)
            issue.suspended_at = at
            draft.event(E.SUSPENDED, at, actor, "当事人外出务工，待其返回后继续调解。", to=S.SUSPENDED)
            return self._finish(draft)
        self.escalate(draft, self.now)
        return self._finish(draft)

    def rejected_story(self, created: datetime, original: Closed | None) -> Draft:
        rng = self.rng
        if original is not None:
            draft = self.new_draft(
                created,
                unit=(original.unit_id, original._path, ""),
                code=original.category.code,
            )
        else:
            draft = self.new_draft(created)
        issue = draft.issue
        people = self.route(draft)
        at = issue.routed_at + timedelta(hours=rng.uniform(0.5, 8))
        actor = people[0] if people else issue.reporter_id
        if original is not None:
            issue.reject_reason = Issue.RejectReason.DUPLICATE
            issue.duplicate_of_id = original.pk
            draft.event(E.REJECTED, at, actor, f"与 #{original.pk} 重复。", to=S.REJECTED, reason="duplicate")
        else:
            issue.reject_reason = Issue.RejectReason.OUT_OF_SCOPE
            draft.event(E.REJECTED, at, actor, rng.choice(REJECT_NOTES), to=S.REJECTED, reason="out_of_scope")
        return self._finish(draft)


@dataclass(frozen=True, slots=True)
class Closed:
    """What a later duplicate needs of a closed issue: far less than the issue and its story kept in memory."""

    pk: int
    unit_id: int
    _path: str
    category: IssueCategory
    created_at: datetime


class Batches:
    """Drafts written HISTORY_BATCH at a time as they are drawn, so memory stays flat as the scale grows.

    Writing draws nothing from the random stream, so the data are the same as when every draft was
    written at the end.
    """

    def __init__(self, ctx: DemoContext, total: int, label: str) -> None:
        self.ctx = ctx
        self.pending: list[Draft] = []
        self.closed: list[Closed] = []
        self.bar = ctx.progress(label, total)

    def add(self, draft: Draft) -> None:
        self.pending.append(draft)
        if len(self.pending) >= HISTORY_BATCH:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            _write(self.pending, now=self.ctx.now)
            self.closed.extend(
                Closed(d.issue.pk, d.issue.unit_id, d.issue._path, d.issue.category, d.issue.created_at)
                for d in self.pending
                if d.issue.status == S.CLOSED
            )
            self.bar.update(len(self.pending))
            self.pending = []

    def close(self) -> list[Closed]:
        self.flush()
        self.bar.close()
        return self.closed


def _seed_history(ctx: DemoContext, city: City) -> None:
    rng = ctx.rng
    now = ctx.now
    writer = HistoryWriter(ctx, city)
    counts = plan(ctx.scale)
    resolved_count = counts["issues.issues.resolved"] - SHOWCASE_RESOLVED
    open_count = counts["issues.issues.open"] - SHOWCASE_OPEN
    batches = Batches(ctx, resolved_count + open_count + SHOWCASE_RESOLVED + SHOWCASE_OPEN, "居民问题（含经过）")

    # The showcase, in 解东社区 (xiufeng_worker's micro-grid), for the demo accounts.
    for draft in _showcase(writer):
        batches.add(draft)
    for _i in range(resolved_count):
        # Old enough that every step of the story (late, reopened, feedback) lies in the past.
        created = now - timedelta(days=HISTORY_DAYS) + timedelta(seconds=rng.uniform(0, (HISTORY_DAYS - 30) * 86400))
        batches.add(writer.resolved_story(created))
    statuses = [S.ALLOCATED, S.IN_PROGRESS, S.DECOMPOSED, S.SUSPENDED]
    for _i in range(open_count):
        if rng.random() < REOPENED_OPEN_SHARE:
            batches.add(writer.reopened_story(now - timedelta(hours=rng.uniform(48, 24 * 20))))
            continue
        status = rng.choices(statuses, [25, 60, 8, 7])[0]
        created = now - timedelta(hours=rng.uniform(1, 24 * 10))
        batches.add(writer.open_story(created, status))
    resolved_issues = batches.close()

    rejected = Batches(ctx, counts["issues.issues.rejected"], "重复或不受理的问题")
    for _i in range(counts["issues.issues.rejected"]):
        original = resolved_issues[rng.randrange(len(resolved_issues))] if rng.random() < 0.6 else None
        if original is not None:
            created = original.created_at + timedelta(hours=rng.uniform(1, 48))
        else:
            created = now - timedelta(days=HISTORY_DAYS) + timedelta(seconds=rng.uniform(0, HISTORY_DAYS * 86400))
        rejected.add(writer.rejected_story(min(created, now - timedelta(days=1)), original))
    rejected.close()


def _showcase(writer: HistoryWriter) -> list[Draft]:
    city = writer.city
    now = writer.now
    worker = User.objects.only("pk").get(username="xiufeng_worker")
    area_path = (
        Post.objects.filter(user=worker, role=Post.Role.GRID_WORKER).values_list("unit__path", flat=True).first()
    )
    compounds = [m for m in city.micro if m[1].startswith(area_path) and len(m[1]) > len(area_path)]
    unit = compounds[0] if compounds else next(m for m in city.micro if m[1] == area_path)
    kw = {"unit": unit, "reporter": worker.pk}
    hours = {code: limit for code, _kind, _name, _en, limit in CATEGORIES}

    def ago(hours_ago: float):
        return now - timedelta(hours=hours_ago)

    return [
        # 1. Waiting in 解东社区's office inbox (property services -> community office).
        writer.open_story(ago(2), S.ALLOCATED, code="opinion-property", **kw),
        # 2. In progress at the community office, near its deadline (yellow), with a pending extension.
        _with_pending_extension(
            writer, writer.open_story(ago(hours["proxy-social"] * 0.85), S.IN_PROGRESS, code="proxy-social", **kw)
        ),
        # 3. The grid leader's own (neighbour dispute -> grid leader).
        writer.open_story(ago(5), S.ALLOCATED, code="dispute-neighbour", **kw),
        # 4. Overdue at the community office: escalated to 秀峰街道 (red on the street's supervision list).
        writer.open_story(ago(hours["dispute-property"] * 1.3), S.IN_PROGRESS, code="dispute-property", **kw),
        # 5. Split between the community office and 秀峰区's urban management.
        writer.open_story(ago(20), S.DECOMPOSED, code="hazard-fire", **kw),
        # 6. "Other": no rule, at the community office flagged "no rule".
        writer.open_story(ago(1), S.ALLOCATED, code="other", **kw),
        # 7. Resolved yesterday, waiting for xiufeng_worker to bring back the resident's feedback.
        writer.resolved_story(ago(30), awaiting_feedback=True, code="opinion-facility", **kw),
    ]


def _with_pending_extension(writer: HistoryWriter, draft: Draft) -> Draft:
    issue = draft.issue
    requester = issue.assignee_id
    at = writer.now - timedelta(hours=1)
    approver = writer.city.unit_pk[writer.pk_paths[issue.handler_unit_id][:-PATH_STEP]]
    draft.extension = DeadlineExtension(
        hours=48,
        reason="需要等待社保部门核定材料，申请延期两天。",
        approver_unit_id=approver,
        requested_by_id=requester,
        requested_at=at,
    )
    draft.event(E.EXTENSION_REQUESTED, at, requester, "申请延长 48 小时：需要等待社保部门核定材料。")
    for user_id in writer.city.staff.get(approver, []):
        draft.notify.append((user_id, Notification.Kind.EXTENSION_REQUESTED, at, None))
    issue.updated_at = at
    return draft


def _write(drafts: list[Draft], *, now: datetime) -> None:
    """Insert a batch of issues, then everything that points at them, in bulk."""
    issues = insert_instances(Issue, [d.issue for d in drafts])
    for draft, issue in zip(drafts, issues, strict=True):
        for event in draft.events:
            event.issue_id = issue.pk
        for task in draft.tasks:
            task.issue_id = issue.pk
        if draft.extension is not None:
            draft.extension.issue_id = issue.pk
    insert_instances(IssueEvent, [event for d in drafts for event in d.events])
    tasks = [task for d in drafts for task in d.tasks]
    if tasks:
        insert_instances(IssueTask, tasks)
    extensions = [d.extension for d in drafts if d.extension is not None]
    if extensions:
        insert_instances(DeadlineExtension, extensions)
    read_before = now - timedelta(days=2)
    notifications = [
        Notification(
            recipient_id=user_id,
            issue_id=d.issue.pk,
            kind=kind,
            created_at=at,
            read_at=read_at or (at + timedelta(hours=1) if at < read_before else None),
        )
        for d in drafts
        for user_id, kind, at, read_at in d.notify
    ]
    if notifications:
        insert_instances(Notification, notifications)
