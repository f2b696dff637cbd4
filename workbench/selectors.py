"""What waits for each role a person holds: the cards of the workbench 工作台.

Roles come from the Viewer's standing (read once per request); the counts come from
each app's own selectors and access filters, so a count and the list it links to are
the same rows. Every figure is a COUNT: the issues' figures are ONE aggregate query
(conditional counts over the issues the viewer may read), the other domains one query
each, whatever the amount of data. The number of queries of each demo account's
workbench is pinned in tests/workbench/test_workbench.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts import selectors as contract_selectors
from contracts.models import Evaluation
from grids.jurisdiction import jurisdiction_q, paths_q
from grids.models import GridUnit, Post
from grids.viewer import Viewer
from issues import access as issue_access
from issues import selectors as issue_selectors
from issues.models import Issue, Notification
from party import selectors as party_selectors
from service_centers import selectors as point_selectors
from service_centers.models import ServicePoint
from volunteers import selectors as volunteer_selectors
from volunteers.models import ActivitySignup, ServiceRecord

GRID_ROLES = (Post.Role.GRID_WORKER, Post.Role.GRID_LEADER)
OFFICE_ROLES = (Post.Role.COMMUNITY_STAFF, Post.Role.STREET_STAFF, Post.Role.DISTRICT_STAFF, Post.Role.CITY_ADMIN)


@dataclass(frozen=True)
class Tally:
    """A count of what waits, linking to the list of exactly those rows."""

    label: str
    value: int
    url: str
    # Shown in red when above zero: late, or waiting on this person.
    urgent: bool = False


@dataclass(frozen=True)
class Action:
    label: str
    url: str
    primary: bool = False


@dataclass
class Card:
    role: str  # a stable key: grid, handler, office, org_department, team_leader, volunteer, station, cobuilding, admin
    title: str
    where: str = ""
    tallies: list[Tally] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)


def roles_of(*, viewer: Viewer) -> list[str]:
    """The workbench roles the viewer holds, in the order their cards show. No query."""
    if not viewer.is_person:
        return []
    roles = []
    if viewer.user.is_superuser:
        roles.append("admin")
    if viewer.paths_for(*GRID_ROLES):
        roles.append("grid")
    if viewer.paths_for(*OFFICE_ROLES):
        roles.append("office")
    if viewer.departments:
        roles.append("handler")
    if viewer.paths_for(Post.Role.ORG_DEPARTMENT):
        roles.append("org_department")
    if viewer.cobuilding_units:
        roles.append("cobuilding")
    if viewer.teams_led:
        roles.append("team_leader")
    if viewer.service_points:
        roles.append("station")
    if viewer.volunteer_ids:
        roles.append("volunteer")
    if viewer.party_organisations:
        roles.append("party_secretary")
    return roles


def is_field_role(*, viewer: Viewer) -> bool:
    """Works on a phone in the street: a grid post, a station's staff, a team leader, a volunteer without a desk post."""
    roles = set(roles_of(viewer=viewer))
    desk = {"admin", "office", "handler", "org_department", "cobuilding"}
    return "grid" in roles or (bool(roles) and not roles & desk)


def _url(name: str, *args, query: str = "") -> str:
    url = reverse(name, args=args)
    return f"{url}?{query}" if query else url


def _issue_figures(viewer: Viewer, roles: list[str], now: dt.datetime) -> dict[str, int]:
    """Every issue figure of every card in ONE aggregate query over the issues the viewer may read.

    The conditions are the lists' own: `issue_mine` (reported by the viewer), `issue_inbox`
    (`issue_handled_q`, open), `issue_supervision` (jurisdiction, clock running, reminder passed).
    """
    open_ = Q(status__in=Issue.OPEN_STATUSES)
    running = Q(status__in=Issue.CLOCK_STATUSES)
    late = running & Q(due_at__lt=now)
    mine = Q(reporter_id=viewer.user_id)
    handled = issue_access.issue_handled_q(viewer)
    measures = {
        "mine_open": Count("pk", filter=mine & open_),
        "feedback_due": Count("pk", filter=mine & Q(status=Issue.Status.RESOLVED)),
        "inbox": Count("pk", filter=handled & open_),
        "inbox_new": Count("pk", filter=handled & Q(status=Issue.Status.ALLOCATED)),
        "inbox_late": Count("pk", filter=handled & late),
    }
    if "grid" in roles:
        measures["grid_late"] = Count("pk", filter=paths_q(viewer.paths_for(*GRID_ROLES)) & late)
    if "office" in roles or "admin" in roles:
        supervised = jurisdiction_q(viewer, unit_field="unit") & running & Q(remind_at__lte=now)
        measures["red"] = Count("pk", filter=supervised & Q(due_at__lt=now))
        measures["yellow"] = Count("pk", filter=supervised & Q(due_at__gte=now))
        measures["escalated"] = Count("pk", filter=issue_access.supervised_q(viewer) & running)
    if "admin" in roles:
        measures["unrouted"] = Count("pk", filter=Q(status=Issue.Status.COLLECTED))
    if "team_leader" in roles:
        measures["demands_new"] = Count(
            "pk", filter=Q(handler_team_id__in=sorted(viewer.teams_led), status=Issue.Status.ALLOCATED)
        )
    return Issue.objects.filter(issue_access.issue_visible_q(viewer)).order_by().aggregate(**measures)


def _unit_names(viewer: Viewer) -> dict[int, GridUnit]:
    ids = sorted({post.unit_id for post in viewer.posts})
    return {unit.pk: unit for unit in GridUnit.objects.filter(pk__in=ids).only("pk", "name", "level", "path")}


def _where(viewer: Viewer, units: dict[int, GridUnit], *roles: str) -> str:
    names = [units[uid].name for uid in sorted(viewer.unit_ids_for(*roles)) if uid in units]
    return "、".join(names[:3]) + (" …" if len(names) > 3 else "")


def _role_title(viewer: Viewer, *roles: str) -> str:
    """The names of the roles the viewer holds among these (网格员、网格长), in the order given."""
    held = {post.role for post in viewer.posts}
    return " / ".join(str(Post.Role(role).label) for role in roles if role in held)


def _highest(viewer: Viewer, units: dict[int, GridUnit], *roles: str) -> GridUnit | None:
    held = [units[uid] for uid in viewer.unit_ids_for(*roles) if uid in units]
    return min(held, key=lambda unit: (unit.level, unit.path)) if held else None


def _evaluation_stages(viewer: Viewer) -> dict[str, int]:
    """Evaluations waiting for the viewer, per stage (the evaluation inbox's rows): one query."""
    rows = contract_selectors.evaluation_inbox(viewer=viewer).order_by().values("stage").annotate(n=Count("pk"))
    return {row["stage"]: row["n"] for row in rows}


def _records_to_verify(viewer: Viewer) -> dict[str, int]:
    """Pending service records the viewer verifies (not their own), as the volunteer home counts them:
    all of them, and those on residents' demands (source "issue"); one query."""
    return (
        volunteer_selectors.record_list(viewer=viewer, status=ServiceRecord.Status.PENDING)
        .exclude(volunteer_id=viewer.volunteer_id)
        .order_by()
        .aggregate(records=Count("pk"), demands=Count("pk", filter=Q(source=ServiceRecord.Source.ISSUE)))
    )


def workbench(*, viewer: Viewer, now: dt.datetime | None = None) -> list[Card]:
    """One card per role the viewer holds, with what waits for them and the actions they take most."""
    roles = roles_of(viewer=viewer)
    if not roles:
        return []
    now = now or timezone.now()
    units = _unit_names(viewer) if viewer.posts else {}
    issue_roles = {"admin", "grid", "office", "handler", "team_leader"}
    issues = _issue_figures(viewer, roles, now) if issue_roles & set(roles) else {}
    needs_evaluations = {"office", "org_department", "cobuilding"} & set(roles)
    stages = _evaluation_stages(viewer) if needs_evaluations else {}
    to_verify = _records_to_verify(viewer) if {"office", "team_leader"} & set(roles) else {}
    inbox_url = _url("issues:issue_inbox")
    cards: list[Card] = []

    for role in roles:
        if role == "admin":
            cards.append(
                Card(
                    role,
                    _("系统管理员"),
                    _("全市"),
                    tallies=[
                        # Not yet routed issues have no clock, so no portal list holds them all: the admin's changelist does.
                        Tally(
                            _("待分配的问题"),
                            issues["unrouted"],
                            _url("admin:issues_issue_changelist", query=f"status__exact={Issue.Status.COLLECTED}"),
                            urgent=True,
                        ),
                        Tally(
                            _("全市逾期"),
                            issues["red"],
                            _url("issues:issue_supervision", query="overdue=1"),
                            urgent=True,
                        ),
                    ],
                    actions=[
                        Action(_("管理后台"), _url("admin:index"), primary=True),
                        Action(_("全市看板"), _url("dashboards:city")),
                        Action(_("操作审计"), _url("audit:home")),
                        Action(_("季度统计"), _url("contracts:tally_overview")),
                        Action(_("服务阵地"), _url("service_centers:staff_home")),
                    ],
                )
            )
        elif role == "grid":
            card = Card(
                role,
                _role_title(viewer, *GRID_ROLES),
                _where(viewer, units, *GRID_ROLES),
                tallies=[
                    Tally(_("我登记的在办问题"), issues["mine_open"], _url("issues:issue_mine", query="open=1")),
                    Tally(
                        _("待记录群众反馈"),
                        issues["feedback_due"],
                        _url("issues:issue_mine", query=f"status={Issue.Status.RESOLVED}"),
                        urgent=True,
                    ),
                    Tally(
                        _("我的网格逾期"),
                        issues["grid_late"],
                        _url("issues:issue_supervision", query="overdue=1"),
                        urgent=True,
                    ),
                ],
                actions=[
                    Action(_("登记问题"), _url("issues:issue_create"), primary=True),
                    Action(_("我的问题"), _url("issues:issue_mine")),
                ],
            )
            if viewer.paths_for(Post.Role.GRID_LEADER) or issues["inbox"]:
                card.tallies.insert(0, Tally(_("待我办理"), issues["inbox"], inbox_url, urgent=True))
                card.actions.append(Action(_("待办"), inbox_url))
            cards.append(card)
        elif role == "office":
            top = _highest(viewer, units, *OFFICE_ROLES)
            extensions = issue_selectors.extensions_pending_for(viewer=viewer).count()
            card = Card(
                role,
                _role_title(viewer, *OFFICE_ROLES),
                _where(viewer, units, *OFFICE_ROLES),
                tallies=[
                    Tally(_("待办问题"), issues["inbox"], inbox_url),
                    Tally(
                        _("督办：已逾期"),
                        issues["red"],
                        _url("issues:issue_supervision", query="overdue=1"),
                        urgent=True,
                    ),
                    Tally(_("督办：临近到期"), issues["yellow"], _url("issues:issue_supervision", query="near_due=1")),
                    Tally(_("提级到本级"), issues["escalated"], _url("issues:issue_supervision", query="escalated=1")),
                    Tally(_("待审批延期"), extensions, _url("issues:issue_supervision") + "#extensions", urgent=True),
                    Tally(
                        _("待审核服务记录"),
                        to_verify["records"],
                        _url("volunteers:record_list", query=f"status={ServiceRecord.Status.PENDING}"),
                    ),
                    Tally(
                        _("待审核的群众诉求服务"),
                        to_verify["demands"],
                        _url(
                            "volunteers:record_list",
                            query=f"status={ServiceRecord.Status.PENDING}&source={ServiceRecord.Source.ISSUE}",
                        ),
                    ),
                    Tally(
                        _("待我考评的契约"),
                        stages.get(Evaluation.Stage.COMMUNITY, 0) + stages.get(Evaluation.Stage.STREET, 0),
                        _url("contracts:evaluation_inbox"),
                    ),
                    Tally(
                        _("本辖区契约"),
                        contract_selectors.contract_list(viewer=viewer).order_by().count(),
                        _url("contracts:contract_list"),
                    ),
                ],
                actions=[
                    Action(_("待办"), inbox_url, primary=True),
                    Action(_("督办"), _url("issues:issue_supervision")),
                    Action(_("登记问题"), _url("issues:issue_create")),
                    Action(_("服务阵地"), _url("service_centers:staff_home")),
                    Action(_("志愿服务"), _url("volunteers:home")),
                ],
            )
            if top is not None:
                card.actions.insert(1, Action(_("本单位看板"), _url("dashboards:unit", top.pk)))
                card.actions.append(Action(_("辖区单元"), _url("grids:unit_detail", top.pk)))
            cards.append(card)
        elif role == "handler":
            cards.append(
                Card(
                    role,
                    _("职能部门"),
                    "",
                    tallies=[
                        Tally(_("待办问题"), issues["inbox"], inbox_url),
                        Tally(
                            _("新分配待受理"),
                            issues["inbox_new"],
                            _url("issues:issue_inbox", query=f"status={Issue.Status.ALLOCATED}"),
                            urgent=True,
                        ),
                        Tally(
                            _("已逾期"),
                            issues["inbox_late"],
                            _url("issues:issue_inbox", query="overdue=1"),
                            urgent=True,
                        ),
                        Tally(_("子任务"), issue_selectors.tasks_inbox(viewer=viewer).order_by().count(), inbox_url),
                        # The requester hears of a decision by notification: the unread ones are the news.
                        Tally(
                            _("延期审批结果（未读）"),
                            issue_selectors.notifications_for(
                                viewer=viewer, kind=Notification.Kind.EXTENSION_DECIDED, unread_only=True
                            )
                            .order_by()
                            .count(),
                            _url(
                                "issues:notification_list",
                                query=f"kind={Notification.Kind.EXTENSION_DECIDED}&unread=1",
                            ),
                        ),
                    ],
                    actions=[
                        Action(_("待办"), inbox_url, primary=True),
                        Action(_("通知"), _url("issues:notification_list")),
                    ],
                )
            )
        elif role == "org_department":
            district = _highest(viewer, units, Post.Role.ORG_DEPARTMENT)
            card = Card(
                role,
                _("城区党委组织部"),
                _where(viewer, units, Post.Role.ORG_DEPARTMENT),
                tallies=[
                    Tally(
                        _("待复核的考评"),
                        stages.get(Evaluation.Stage.DISTRICT, 0),
                        _url("contracts:evaluation_inbox"),
                        urgent=True,
                    ),
                ],
                actions=[
                    Action(_("考评复核"), _url("contracts:evaluation_inbox"), primary=True),
                    Action(_("评选先进"), _url("contracts:award_manage")),
                    Action(_("季度统计"), _url("contracts:tally_overview")),
                    Action(_("共建契约"), _url("contracts:contract_list")),
                ],
            )
            if district is not None:
                card.actions.append(Action(_("本区看板"), _url("dashboards:unit", district.pk)))
            cards.append(card)
        elif role == "cobuilding":
            due = contract_selectors.contract_list(viewer=viewer, due=True).order_by().count()
            cards.append(
                Card(
                    role,
                    _("共建单位联系人"),
                    "",
                    tallies=[
                        Tally(
                            _("本季度待报进度的契约"), due, _url("contracts:contract_list", query="due=1"), urgent=True
                        ),
                        Tally(
                            _("待自评的契约"),
                            stages.get(Evaluation.Stage.SELF, 0),
                            _url("contracts:evaluation_inbox"),
                            urgent=True,
                        ),
                    ],
                    actions=[
                        Action(_("我们的契约"), _url("contracts:contract_list"), primary=True),
                        Action(_("考评待办"), _url("contracts:evaluation_inbox")),
                        Action(_("党务公开栏"), _url("contracts:board_index")),
                    ],
                )
            )
        elif role == "team_leader":
            teams = list(volunteer_selectors.team_list(viewer=viewer).filter(pk__in=sorted(viewer.teams_led)))
            signups = (
                volunteer_selectors.activity_list(viewer=viewer, upcoming_only=True)
                .filter(team_id__in=sorted(viewer.teams_led))
                .order_by()
                .aggregate(n=Count("signups", filter=Q(signups__status=ActivitySignup.Status.SIGNED_UP)))["n"]
            )
            first = teams[0] if teams else None
            card = Card(
                role,
                _("服务队队长"),
                "、".join(team.name for team in teams[:3]),
                tallies=[
                    Tally(
                        _("待审核服务记录"),
                        to_verify["records"],
                        _url("volunteers:record_list", query=f"status={ServiceRecord.Status.PENDING}"),
                        urgent=True,
                    ),
                    # The sign-ups of the activities the list shows: the team's own when the viewer leads one.
                    Tally(
                        _("近期活动报名"),
                        signups,
                        _url(
                            "volunteers:activity_list",
                            query=f"team={next(iter(viewer.teams_led))}" if len(viewer.teams_led) == 1 else "",
                        ),
                    ),
                ],
                actions=[Action(_("发布活动"), _url("volunteers:activity_create"))],
            )
            if first is not None:
                card.tallies.insert(0, Tally(_("队员"), first.member_count, _url("volunteers:team_detail", first.pk)))
                card.tallies.append(
                    Tally(
                        _("待接单的需求"), issues["demands_new"], _url("volunteers:team_inbox", first.pk), urgent=True
                    )
                )
                card.actions.insert(0, Action(_("我的服务队"), _url("volunteers:team_detail", first.pk), primary=True))
                card.actions.insert(1, Action(_("需求待办"), _url("volunteers:team_inbox", first.pk)))
            cards.append(card)
        elif role == "station":
            points = point_selectors.member_points(viewer=viewer)
            card = Card(role, _("服务阵地工作人员"), "、".join(point.name for point in points[:2]))
            for point in points[:3]:
                if point.kind == ServicePoint.Kind.RED_STATION:
                    log = _url("service_centers:red_station_log", point.pk)
                    today_count = point_selectors.red_station_today_count(viewer=viewer, point=point)
                    card.tallies.append(Tally(_("今日已登记服务"), today_count, log))
                    card.actions.append(Action(_("一键登记服务"), log, primary=True))
                else:
                    card.actions.append(Action(point.name, _url("service_centers:point_detail", point.pk)))
            cards.append(card)
        elif role == "volunteer":
            summary = volunteer_selectors.my_summary(viewer=viewer)
            upcoming = volunteer_selectors.activity_list(viewer=viewer, upcoming_only=True).order_by().count()
            hours = _url("volunteers:my_hours")
            cards.append(
                Card(
                    role,
                    _("志愿者 / 党员"),
                    summary.volunteer.full_name if summary.volunteer else "",
                    tallies=[
                        Tally(_("累计服务时长（小时）"), summary.hours_total, hours),
                        Tally(_("时间银行（小时）"), summary.balances.get("hours", 0), hours),
                        Tally(_("党员积分"), summary.balances.get("points", 0), hours),
                        Tally(_("可报名的活动"), upcoming, _url("volunteers:activity_list")),
                    ],
                    actions=[
                        Action(_("报名活动"), _url("volunteers:activity_list"), primary=True),
                        Action(_("登记服务"), _url("volunteers:record_create")),
                        Action(_("我的时长"), hours),
                    ],
                )
            )
        elif role == "party_secretary":
            summary = party_selectors.secretary_card(viewer=viewer)
            if summary is not None:
                mine = _url("party:organisation_detail", summary.first_organisation_id)
                cards.append(
                    Card(
                        role,
                        _("党组织书记"),
                        _("%(n)d 个党组织") % {"n": summary.organisations},
                        tallies=[
                            Tally(_("本期待开的三会一课"), summary.due_soon, mine),
                            Tally(_("上期未按时召开"), summary.overdue, _url("party:overdue_list"), urgent=True),
                        ],
                        actions=[
                            Action(
                                _("记录组织生活"),
                                _url("party:meeting_create", summary.first_organisation_id),
                                primary=True,
                            ),
                            Action(_("我的党组织"), mine),
                        ],
                    )
                )
    return cards
