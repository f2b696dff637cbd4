"""Demo resident demands handled by volunteer teams (the five steps on the issue life cycle).

Routing rules in every district send 社保医保代办 to convenience teams (便民服务)
and 养老服务代办 to care teams (爱心帮困). Demands already resolved across the
city, each split into two evening shifts of two members whose verified records
(source "issue") count on the dual-registration pages; and, for the demo team
led by `xiufeng_team_leader`, a few in every state: waiting to be accepted,
accepted, split into upcoming shifts, resolved awaiting the resident's word,
and closed.

Rows are written as the services would have written them (issue, timeline,
sub-tasks, activities, sign-ups, records), in bulk. The records join the main
seed's list before the ledger is built, so they are verified and posted like
every other record and the promised totals stay exact.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from grids import demo_data
from grids.models import PATH_STEP, GridUnit, Post, User
from guilin_portal.demo import DemoContext, update_instances
from issues.models import HandlerKind, Issue, IssueCategory, IssueEvent, IssueTask, Notification, RoutingRule

from ..models import Activity, ActivityKind, ActivitySignup, ServiceCategory, ServiceRecord, Team
from .fast import IdBlock, insert_rows, reset_sequences
from .ledger import Rec

# The columns of a demo activity row, shared by the activities of the calendar (__init__) and the
# demand shifts here (which add their issue and sub-task).
ACTIVITY_COLUMNS = (
    "id",
    "title",
    "team_id",
    "category_id",
    "kind",
    "unit_id",
    "place",
    "starts_at",
    "ends_at",
    "capacity",
    "places_taken",
    "status",
    "created_by_id",
    "description",
    "created_at",
)

# (issue category code, volunteer category code): what the district rules send to teams.
DEMAND_RULES = [("proxy-social", "convenience"), ("proxy-elderly", "care_relief")]
FULL_SCALE_RESOLVED = 600  # city-wide demands resolved by teams, over two years
SHIFTS = 2  # per demand
PARTICIPANTS = 2  # per shift
# The demo team's showcase, at any scale.
SHOWCASE_CLOSED = 3
SHOWCASE_AWAITING_FEEDBACK = 1
SHOWCASE_DECOMPOSED = 1  # two upcoming shifts, members signed up
SHOWCASE_IN_PROGRESS = 1  # accepted, not split yet
SHOWCASE_ALLOCATED = 2  # waiting for the leader to accept

S = Issue.Status
E = IssueEvent.Kind

SHIFT_TITLES = {
    "convenience": [("上门代办材料收集", "居民家中"), ("陪同办理窗口业务", "社区党群服务中心")],
    "care_relief": [("上门助餐助洁", "老人家中"), ("陪同就医", "社区卫生服务站")],
}
DEMAND_TEXT = {
    "proxy-social": ["居民{name}行动不便，需志愿者上门协助办理医保参保缴费。", "独居老人需协助办理养老保险资格认证。"],
    "proxy-elderly": ["独居老人{name}需要助餐和陪同就医服务。", "高龄老人申请上门助洁、代购生活用品。"],
}


def demand_counts(scale: float) -> dict[str, int]:
    resolved_city = max(1, round(FULL_SCALE_RESOLVED * scale))
    resolved = resolved_city + SHOWCASE_CLOSED + SHOWCASE_AWAITING_FEEDBACK
    open_ = SHOWCASE_DECOMPOSED + SHOWCASE_IN_PROGRESS + SHOWCASE_ALLOCATED
    return {
        "resolved_city": resolved_city,
        "resolved": resolved,
        "open": open_,
        "shifts": SHIFTS * (resolved + SHOWCASE_DECOMPOSED),
        "records": SHIFTS * PARTICIPANTS * resolved,
        "upcoming_signups": SHIFTS * PARTICIPANTS * SHOWCASE_DECOMPOSED,
    }


def plan_keys(scale: float, districts: int) -> dict[str, int]:
    d = demand_counts(scale)
    return {
        "volunteers.demands.routing_rules": len(DEMAND_RULES) * districts,
        "volunteers.demands.resolved": d["resolved"],
        "volunteers.demands.open": d["open"],
        "volunteers.demands.shifts": d["shifts"],
        "volunteers.records.issue": d["records"],
    }


@dataclass(eq=False)
class Demand:
    issue: Issue
    team: Team
    actor_id: int | None  # who acted for the team (its leader's login, else the community's staff)
    code: str  # volunteer category code
    path: str  # the issue's unit
    shift_day: int | None = None  # days ago (None: no shifts yet; negative: upcoming)
    events: list = field(default_factory=list)
    tasks: list = field(default_factory=list)
    shift_starts: list = field(default_factory=list)


class DemandWriter:
    def __init__(self, ctx: DemoContext, *, clock, staff_user: dict[int, int], unit_pk: dict[str, int]):
        self.ctx = ctx
        self.rng = ctx.rng
        self.clock = clock
        self.now = ctx.now
        self.staff_user = staff_user
        self.unit_pk = unit_pk  # path -> pk for levels city..community

    def community_pk(self, path: str) -> int | None:
        return self.unit_pk.get(path[: GridUnit.Level.COMMUNITY * PATH_STEP])

    def new_issue(
        self, *, unit: tuple[int, str], category: IssueCategory, reporter: int, created: datetime, rule, team, name
    ) -> Issue:
        due, remind = Issue.deadlines(created, category.time_limit_hours)
        text = self.rng.choice(DEMAND_TEXT[category.code]).format(name=name)
        return Issue(
            unit_id=unit[0],
            category=category,
            kind=category.kind,
            description=text,
            location_text="",
            resident_name=name,
            resident_phone=f"1{self.rng.choice('3578')}{self.rng.randrange(10**9):09d}",
            reporter_id=reporter,
            status=S.ALLOCATED,
            created_at=created,
            updated_at=created,
            due_at=due,
            remind_at=remind,
            next_escalation_at=due,
            routing_sent_at=created,
            routed_at=created + timedelta(seconds=self.rng.randint(2, 40)),
            routing_rule_id=rule.pk,
            handler_kind=HandlerKind.VOLUNTEER_TEAM,
            handler_team_id=team.pk,
        )


def seed_demands(
    ctx: DemoContext,
    *,
    clock,
    by_code: dict[str, ServiceCategory],
    units: list[GridUnit],
    party_teams: list[Team],
    roster: dict[int, list[int]],
    home_team: Team,
    leader_user: User,
    staff_user: dict[int, int],
    activity_ids: IdBlock,
    signup_ids: IdBlock,
) -> list[Rec]:
    """Rules, demands, their timelines, sub-tasks, shifts and sign-ups; returns the shifts' records (verified)."""
    rng = ctx.rng
    now = ctx.now
    d = demand_counts(ctx.scale)
    unit_pk = {u.path: u.pk for u in units}
    districts = [u for u in units if u.level == GridUnit.Level.DISTRICT]
    issue_categories = {c.code: c for c in IssueCategory.objects.filter(code__in=[r[0] for r in DEMAND_RULES])}
    rules = ctx.bulk_create(
        RoutingRule,
        (
            RoutingRule(
                unit_id=district.pk,
                category=issue_categories[issue_code],
                handler_kind=HandlerKind.VOLUNTEER_TEAM,
                volunteer_category=by_code[volunteer_code],
                note=f"{issue_categories[issue_code].name}交由就近{by_code[volunteer_code].name}类党员志愿者服务队",
                created_at=now,
            )
            for district in districts
            for issue_code, volunteer_code in DEMAND_RULES
        ),
        total=len(districts) * len(DEMAND_RULES),
        label="志愿服务分派规则",
    )
    rule_at = {(r.unit_id, r.category.code): r for r in rules}
    issue_code_for = {volunteer_code: issue_code for issue_code, volunteer_code in DEMAND_RULES}

    # Micro-grids (areas) with the grid people who log issues there, in path order for subtree ranges.
    reporters: dict[str, list[int]] = {}
    area_pk: dict[str, int] = {}
    for unit_id, path, user_id in Post.objects.filter(
        role__in=[Post.Role.GRID_WORKER, Post.Role.GRID_LEADER], unit__level=GridUnit.Level.AREA
    ).values_list("unit_id", "unit__path", "user_id"):
        reporters.setdefault(path, []).append(user_id)
        area_pk[path] = unit_id
    area_paths = sorted(reporters)
    worker_post = (
        Post.objects.filter(
            user__username="xiufeng_worker",
            role__in=[Post.Role.GRID_WORKER, Post.Role.GRID_LEADER],
            unit__level__gte=GridUnit.Level.AREA,
        )
        .select_related("unit")
        .order_by("unit__path")
        .first()
    )
    district_path_len = GridUnit.Level.DISTRICT * PATH_STEP
    team_path = {u.pk: u.path for u in units}
    writer = DemandWriter(ctx, clock=clock, staff_user=staff_user, unit_pk=unit_pk)

    def areas_under(path: str) -> list[str]:
        start = bisect_left(area_paths, path)
        end = start
        while end < len(area_paths) and area_paths[end].startswith(path):
            end += 1
        return area_paths[start:end]

    def resident() -> str:
        return rng.choice(demo_data.SURNAMES) + rng.choice(["阿姨", "大爷", "奶奶", "爷爷", "女士", "先生"])

    # --- which demands: the showcase first, then teams of the two categories across the city --------------
    demands: list[Demand] = []
    home_code = next(v for _i, v in DEMAND_RULES if by_code[v].pk == home_team.category_id)
    home_area = (worker_post.unit.pk, worker_post.unit.path)
    worker_id = worker_post.user_id
    home_actor = leader_user.pk

    def add(team: Team, code: str, area: tuple[int, str], reporter: int, created: datetime, actor: int | None):
        district_pk = unit_pk[area[1][:district_path_len]]
        category = issue_categories[issue_code_for[code]]
        issue = writer.new_issue(
            unit=area,
            category=category,
            reporter=reporter,
            created=created,
            rule=rule_at[(district_pk, category.code)],
            team=team,
            name=resident(),
        )
        demand = Demand(issue=issue, team=team, actor_id=actor, code=code, path=area[1])
        demands.append(demand)
        return demand

    # Closed and awaiting feedback: shifts on even days, evenings (no clash with any other record).
    showcase_days = [20, 12, 6, 2][: SHOWCASE_CLOSED + SHOWCASE_AWAITING_FEEDBACK]
    for day in showcase_days:
        demand = add(home_team, home_code, home_area, worker_id, clock.at(day + 1, 10.0), home_actor)
        demand.shift_day = day
    decomposed = add(home_team, home_code, home_area, worker_id, clock.at(1, 10.0), home_actor)
    decomposed.shift_day = -1
    accepted = add(home_team, home_code, home_area, worker_id, clock.at(1, 9.0), home_actor)
    waiting = [
        add(home_team, home_code, home_area, worker_id, now - timedelta(hours=hours), home_actor) for hours in (2, 5)
    ][:SHOWCASE_ALLOCATED]

    candidates = [
        t for t in party_teams if t.pk != home_team.pk and t.category_id in {by_code[v].pk for _i, v in DEMAND_RULES}
    ]
    code_of = {by_code[v].pk: v for _i, v in DEMAND_RULES}
    even_days = list(range(22, 726, 2))
    placed = 0
    attempts = 0
    while placed < d["resolved_city"] and candidates:
        attempts += 1
        team = candidates[rng.randrange(len(candidates))]
        areas = areas_under(team_path[team.unit_id])
        if not areas and attempts < 50 * d["resolved_city"]:
            continue
        path = rng.choice(areas) if areas else area_paths[rng.randrange(len(area_paths))]
        day = rng.choice(even_days)
        actor = staff_user.get(writer.community_pk(path))
        who = reporters[path][rng.randrange(len(reporters[path]))]
        demand = add(team, code_of[team.category_id], (area_pk[path], path), who, clock.at(day + 1, 10.0), actor)
        demand.shift_day = day
        placed += 1

    # --- people for the shifts: at most one demand shift a person a day ---------------------------------
    busy: set[tuple[int, int]] = set()

    def pick(team: Team, day: int, n: int, must: int | None = None) -> list[int]:
        pool = [pk for pk in roster[team.pk][1:] if (pk, day) not in busy]  # the leader organises
        chosen = [must] if must is not None and must in pool else []
        rest = [pk for pk in pool if pk not in chosen]
        chosen += rng.sample(rest, min(len(rest), n - len(chosen)))
        if len(chosen) < n:  # a small team on a busy day: the leader joins in
            chosen += [roster[team.pk][0]][: n - len(chosen)]
        for pk in chosen:
            busy.add((pk, day))
        return chosen

    organ_member = roster[home_team.pk][1]  # the demo's dual-registered member serves in the showcase

    # --- timelines, shifts, sign-ups, records ------------------------------------------------------------
    issues = ctx.bulk_create(Issue, (dm.issue for dm in demands), total=len(demands), label="志愿服务队承办的群众诉求")
    for dm, issue in zip(demands, issues, strict=True):
        dm.issue = issue
    activities: list[tuple] = []
    signups: list[tuple] = []
    recs: list[Rec] = []
    finished: list[tuple[Demand, list[datetime]]] = []
    notifications: list[Notification] = []

    def event(dm: Demand, kind: str, at: datetime, actor: int | None, note: str = "", to: str = "", **data):
        before = dm.issue.status
        if to:
            dm.issue.status = to
        dm.events.append(
            IssueEvent(
                issue_id=dm.issue.pk,
                kind=kind,
                at=at,
                actor_id=actor,
                note=note,
                from_status=before if to else "",
                to_status=to,
                data=data,
            )
        )

    for dm in demands:
        issue = dm.issue
        issue.status = S.COLLECTED
        event(dm, E.COLLECTED, issue.created_at, issue.reporter_id, photos=0)
        event(
            dm,
            E.ALLOCATED,
            issue.routed_at,
            None,
            f"分派给：{dm.team.name}。",
            to=S.ALLOCATED,
            handler_kind=HandlerKind.VOLUNTEER_TEAM,
            handler_team=dm.team.pk,
            rule=issue.routing_rule_id,
            no_rule=False,
        )
        if dm in waiting:
            notifications.append(
                Notification(recipient_id=leader_user.pk, issue_id=issue.pk, kind="routed", created_at=issue.routed_at)
            )
            continue
        accepted_at = issue.created_at + timedelta(hours=4)
        issue.accepted_at = accepted_at
        issue.assignee_id = dm.actor_id
        event(dm, E.ACCEPTED, accepted_at, dm.actor_id, to=S.IN_PROGRESS)
        if dm is accepted:
            continue
        # 分解: two shifts the same evening (or tomorrow's, for the showcase still under way).
        split_at = accepted_at + timedelta(hours=1)
        titles = SHIFT_TITLES[dm.code]
        shift_starts = (
            [clock.at(dm.shift_day, 19.0), clock.at(dm.shift_day, 19.5)]
            if dm.shift_day >= 0
            else [clock.at(-1, 19.0), clock.at(-1, 19.5)]
        )
        creator = dm.actor_id or issue.reporter_id
        for k in range(SHIFTS):
            title, _place = titles[k % len(titles)]
            dm.tasks.append(
                IssueTask(
                    issue_id=issue.pk,
                    title=f"{title}（{shift_starts[k]:%m-%d %H:%M}）",
                    handler_kind=HandlerKind.VOLUNTEER_TEAM,
                    handler_team_id=dm.team.pk,
                    status=IssueTask.Status.OPEN,
                    created_by_id=creator,
                    created_at=split_at,
                )
            )
        event(
            dm,
            E.DECOMPOSED,
            split_at,
            dm.actor_id,
            "；".join(f"{t.title}（{dm.team.name}）" for t in dm.tasks),
            to=S.DECOMPOSED,
        )
        dm.shift_starts = shift_starts

    tasks = ctx.bulk_create(
        IssueTask, (t for dm in demands for t in dm.tasks), total=sum(len(dm.tasks) for dm in demands), label="子任务"
    )
    by_issue: dict[int, list[IssueTask]] = {}
    for task in tasks:
        by_issue.setdefault(task.issue_id, []).append(task)

    for dm in demands:
        if not dm.tasks:
            continue
        dm.tasks = by_issue[dm.issue.pk]
        issue = dm.issue
        upcoming = dm.shift_day < 0
        day = dm.shift_day if not upcoming else -1
        done_times: list[datetime] = []
        for k, (task, start) in enumerate(zip(dm.tasks, dm.shift_starts, strict=True)):
            title, place = SHIFT_TITLES[dm.code][k % len(SHIFT_TITLES[dm.code])]
            end = start + timedelta(hours=2)
            must = organ_member if dm.team.pk == home_team.pk and k == 0 else None
            people = pick(dm.team, day, PARTICIPANTS, must=must)
            activity_id = activity_ids.take()
            activities.append(
                (
                    activity_id,
                    title,
                    dm.team.pk,
                    dm.team.category_id,
                    ActivityKind.DEMAND,
                    issue.unit_id,
                    place,
                    start,
                    end,
                    PARTICIPANTS + (1 if upcoming else 0),
                    len(people),
                    Activity.Status.OPEN,
                    dm.actor_id,
                    f"群众诉求 #{issue.pk}：{issue.description[:200]}",
                    issue.created_at,
                    issue.pk,
                    task.pk,
                )
            )
            verified_at = clock.at(day - 1, 10.0) if not upcoming else None
            for pk in people:
                signup_id = signup_ids.take()
                if upcoming:
                    signups.append(
                        (signup_id, activity_id, pk, ActivitySignup.Status.SIGNED_UP, issue.accepted_at, None, None)
                    )
                    continue
                signups.append(
                    (signup_id, activity_id, pk, ActivitySignup.Status.CHECKED_OUT, issue.accepted_at, start, end)
                )
                rec = Rec(
                    pk,
                    dm.team.pk,
                    ServiceRecord.Source.ISSUE,
                    activity_id,
                    signup_id,
                    dm.team.category_id,
                    ActivityKind.DEMAND,
                    issue.unit_id,
                    start,
                    end,
                    Decimal("2.0"),
                    title,
                )
                rec.issue_id = issue.pk
                rec.status = ServiceRecord.Status.VERIFIED
                rec.verified_at = verified_at
                rec.verified_by_id = dm.actor_id or staff_user.get(writer.community_pk(dm.path))
                recs.append(rec)
            if not upcoming:
                done = verified_at + timedelta(minutes=30 + 10 * k)
                task.status = IssueTask.Status.DONE
                task.done_by_id = dm.actor_id or issue.reporter_id
                task.done_at = done
                task.result = f"{title}：{len(people)} 名志愿者服务 {2 * len(people)} 小时"
                done_times.append(done)
        if done_times:
            finished.append((dm, done_times))

    # 开展 done, 办结 and 反馈 on the timeline; the sub-tasks marked done.
    done_tasks = [t for dm, _times in finished for t in dm.tasks]
    update_instances(IssueTask, done_tasks, ["status", "done_by", "done_at", "result"])
    awaiting = {dm.issue.pk for dm in demands if dm.actor_id == leader_user.pk and dm.shift_day == 2}
    for dm, times in finished:
        issue = dm.issue
        for task, at in zip(dm.tasks, times, strict=True):
            event(dm, E.TASK_DONE, at, task.done_by_id, f"{task.title}：{task.result}", task=task.pk)
        resolved_at = max(times)
        issue.resolution = "\n".join(f"{t.title}：{t.result}" for t in dm.tasks)
        issue.resolved_at = resolved_at
        event(dm, E.RESOLVED, resolved_at, dm.tasks[-1].done_by_id, issue.resolution, to=S.RESOLVED)
        if issue.pk in awaiting:
            continue
        feedback_at = min(resolved_at + timedelta(hours=5), now - timedelta(minutes=5))
        issue.satisfaction = Issue.Satisfaction.SATISFIED if rng.random() < 0.85 else Issue.Satisfaction.BASIC
        issue.closed_at = feedback_at
        event(
            dm,
            E.FEEDBACK,
            feedback_at,
            issue.reporter_id,
            "居民对志愿者服务表示感谢。",
            to=S.CLOSED,
            satisfaction=issue.satisfaction,
        )
    for dm in demands:
        dm.issue.updated_at = dm.events[-1].at
        dm.issue.version = len(dm.events)
    update_instances(
        Issue,
        [dm.issue for dm in demands],
        [
            "status",
            "accepted_at",
            "assignee",
            "resolution",
            "resolved_at",
            "satisfaction",
            "closed_at",
            "updated_at",
            "version",
        ],
    )
    ctx.bulk_create(
        IssueEvent, (e for dm in demands for e in dm.events), total=sum(len(dm.events) for dm in demands), label="事件"
    )
    ctx.bulk_create(Notification, notifications, total=len(notifications), label="通知")
    insert_rows(
        ctx,
        Activity,
        [*ACTIVITY_COLUMNS, "issue_id", "issue_task_id"],
        activities,
        total=len(activities),
        label="诉求服务班次",
    )
    insert_rows(
        ctx,
        ActivitySignup,
        ["id", "activity_id", "volunteer_id", "status", "signed_up_at", "checked_in_at", "checked_out_at"],
        signups,
        total=len(signups),
        label="班次报名",
    )
    reset_sequences(Activity, ActivitySignup)
    return recs
