"""Resident issues handled by volunteer teams: routing to the least-loaded team, who sees what, the five steps,
and the dual-registration page's resolved-issue counts."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grids.models import GridUnit, Post, User
from grids.viewer import Viewer
from issues import selectors as issue_selectors
from issues import services as issue_services
from issues.models import HandlerKind, Issue, IssueEvent, IssueTask, Notification, RoutingRule
from tests.issues.factories import category as issue_category
from tests.issues.factories import fresh, log, log_routed
from volunteers import selectors, services
from volunteers.models import (
    Activity,
    ActivitySignup,
    Currency,
    MemberRegistration,
    ServiceCategory,
    ServiceRecord,
    Team,
    TeamMember,
)

from .factories import make_volunteer, staff_user, volunteer_of

S = Issue.Status
ISSUE_CODE = "proxy-elderly"  # 养老服务代办: a demand a care team can take on
_seq = itertools.count(1)


# ---------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------
@pytest.fixture
def clock(monkeypatch):
    """Move the services' clock: clock.set(datetime)."""

    class Clock:
        def set(self, moment: datetime) -> None:
            monkeypatch.setattr(timezone, "now", lambda: moment)

    return Clock()


def worker() -> User:
    return User.objects.get(username="xiufeng_worker")


def log_unit() -> GridUnit:
    return issue_selectors.default_log_unit(viewer=worker())


def community() -> GridUnit:
    return GridUnit.objects.get(pk=Post.objects.get(user__username="xiufeng_community").unit_id)


def volunteer_category(code: str | None = None) -> ServiceCategory:
    """A service category of the test's own, so no demo team can be picked."""
    n = next(_seq)
    return ServiceCategory.objects.create(code=code or f"test-demand-{n}", name=f"测试诉求服务{n}", sort_order=99)


def team_at(
    unit: GridUnit,
    category: ServiceCategory,
    *,
    active: bool = True,
    led: bool = True,
    deputy: bool = False,
    members: int = 3,
) -> Team:
    """A team with a leader (a login), optionally a deputy (a login), and plain members (no logins)."""
    n = next(_seq)
    team = Team.objects.create(name=f"测试诉求服务队{n}", category=category, unit=unit, is_active=active)
    today = timezone.localdate()
    if led:
        leader = make_volunteer(unit, user=User.objects.create(username=f"tl{n}", full_name=f"队长{n}"))
        TeamMember.objects.create(team=team, volunteer=leader, role=TeamMember.Role.LEADER, joined_on=today)
    if deputy:
        second = make_volunteer(unit, user=User.objects.create(username=f"td{n}", full_name=f"副队长{n}"))
        TeamMember.objects.create(team=team, volunteer=second, role=TeamMember.Role.DEPUTY, joined_on=today)
    for _ in range(members):
        TeamMember.objects.create(team=team, volunteer=make_volunteer(unit), joined_on=today)
    return team


def leader_of(team: Team) -> User:
    return User.objects.get(volunteer__memberships__team=team, volunteer__memberships__role=TeamMember.Role.LEADER)


def members_of(team: Team) -> list:
    return [m.volunteer for m in TeamMember.objects.filter(team=team, role=TeamMember.Role.MEMBER).order_by("pk")]


def team_rule(unit: GridUnit, category: ServiceCategory, code: str = ISSUE_CODE) -> RoutingRule:
    rule = RoutingRule(
        unit=unit, category=issue_category(code), handler_kind=HandlerKind.VOLUNTEER_TEAM, volunteer_category=category
    )
    rule.full_clean()
    rule.save()
    return rule


def route_one(code: str = ISSUE_CODE) -> Issue:
    return log_routed(worker(), code=code)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def team_issues(team: Team, n: int) -> list[Issue]:
    """n issues already routed to the team (bulk, for the query-count tests)."""
    now = timezone.now()
    cat = issue_category(ISSUE_CODE)
    due, remind = Issue.deadlines(now, cat.time_limit_hours)
    return Issue.objects.bulk_create(
        Issue(
            unit=log_unit(),
            category=cat,
            kind=cat.kind,
            description=f"独居老人需要助餐服务 {i}",
            reporter=worker(),
            status=S.ALLOCATED,
            created_at=now,
            updated_at=now,
            due_at=due,
            remind_at=remind,
            routed_at=now,
            handler_kind=HandlerKind.VOLUNTEER_TEAM,
            handler_team=team,
        )
        for i in range(n)
    )


# ---------------------------------------------------------------------------
# Routing rules
# ---------------------------------------------------------------------------
def test_a_team_rule_needs_a_volunteer_category(db):
    rule = RoutingRule(unit=community(), category=issue_category(ISSUE_CODE), handler_kind=HandlerKind.VOLUNTEER_TEAM)
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    assert "请选择志愿服务类别" in caught.value.message_dict["volunteer_category"][0]
    # The database holds the rule too.
    with pytest.raises(IntegrityError), transaction.atomic():
        rule.save()


# ---------------------------------------------------------------------------
# Routing to a team
# ---------------------------------------------------------------------------
def test_routing_picks_the_least_loaded_active_team_of_the_category_in_the_nearest_unit(db):
    cat = volunteer_category()
    here = community()
    street = here.parent
    # Skipped: inactive, of another category, with nobody to lead it, and farther away (the street).
    team_at(here, cat, active=False)
    team_at(here, volunteer_category())
    team_at(here, cat, led=False)
    far = team_at(street, cat)
    first, second = team_at(here, cat), team_at(here, cat)
    team_rule(street, cat)

    issue = route_one()
    assert (issue.status, issue.handler_kind, issue.handler_team) == (S.ALLOCATED, HandlerKind.VOLUNTEER_TEAM, first)
    assert not issue.routing_no_rule
    assert issue.handler_label == first.name
    # Then the other one (fewer open issues), then the tie goes to the lower id.
    assert route_one().handler_team == second
    assert route_one().handler_team == first
    assert route_one().handler_team == second
    # Finished issues do not count: two of first's are closed, so first has the fewest open ones.
    Issue.objects.filter(handler_team=first).update(status=S.REJECTED, reject_reason=Issue.RejectReason.OUT_OF_SCOPE)
    assert route_one().handler_team == first
    # With no team of the category left in the community, the next enclosing unit's team takes it.
    Team.objects.filter(pk__in=[first.pk, second.pk]).update(is_active=False)
    assert route_one().handler_team == far


def test_with_no_team_the_issue_goes_to_the_community_office_flagged_like_no_rule(db):
    cat = volunteer_category()
    team_at(community(), volunteer_category())  # another category only
    rule = team_rule(community(), cat)
    issue = route_one()
    assert issue.handler_kind == HandlerKind.OFFICE
    assert issue.handler_unit == community()
    assert issue.routing_rule == rule
    assert issue.routing_no_rule
    event = IssueEvent.objects.get(issue=issue, kind=IssueEvent.Kind.ALLOCATED)
    assert "附近没有该类别的在册志愿服务队" in event.note
    assert event.data["no_rule"] is True


def test_routing_twice_gives_the_same_result(db):
    cat = volunteer_category()
    team = team_at(community(), cat, deputy=True)
    team_rule(community(), cat)
    issue = log(worker(), code=ISSUE_CODE)
    issue_services.issue_route(issue_id=issue.pk)
    once = fresh(issue)
    issue_services.issue_route(issue_id=issue.pk)
    twice = fresh(issue)
    assert (once.handler_team_id, once.status, once.version) == (twice.handler_team_id, twice.status, twice.version)
    assert once.handler_team == team
    assert IssueEvent.objects.filter(issue=issue, kind=IssueEvent.Kind.ALLOCATED).count() == 1
    # The team's leader and deputy are told, once.
    notified = set(Notification.objects.filter(issue=issue, kind="routed").values_list("recipient_id", flat=True))
    managers = TeamMember.objects.filter(team=team, role__in=TeamMember.MANAGER_ROLES).values_list(
        "volunteer__user_id", flat=True
    )
    assert notified == set(managers)
    assert len(notified) == 2


def test_the_team_choice_is_one_query(db, django_assert_num_queries):
    cat = volunteer_category()
    for _ in range(3):
        team_at(community(), cat, members=0)
    unit = log_unit()
    with django_assert_num_queries(1):
        team = selectors.least_loaded_team(unit=unit, category_id=cat.pk)
    assert team is not None


# ---------------------------------------------------------------------------
# Who sees an issue routed to a team
# ---------------------------------------------------------------------------
def test_the_team_leader_handles_the_issue_and_another_teams_leader_gets_404(db, client_as):
    cat = volunteer_category()
    mine, other = team_at(community(), cat), team_at(community(), cat)
    team_rule(community(), cat)
    issue = route_one()
    assert issue.handler_team == mine
    leader, outsider = leader_of(mine), leader_of(other)

    # The leader: in the grids inbox, the issue page with the resident's contact, the team inbox, the API.
    assert issue in issue_selectors.issue_inbox(viewer=leader)
    client = client_for(leader)
    page = client.get(reverse("issues:issue_detail", args=[issue.pk]))
    assert page.status_code == 200
    assert page.context["is_handler"]
    assert client.get(reverse("volunteers:demand_detail", args=[issue.pk])).status_code == 200
    inbox = client.get(reverse("volunteers:team_inbox", args=[mine.pk]))
    assert inbox.status_code == 200
    assert [i.pk for i in inbox.context["page"].object_list] == [issue.pk]
    assert client.get(f"/api/v1/issues/{issue.pk}/").status_code == 200

    # Another team's leader, a plain member of the team and a grid worker elsewhere: 404 everywhere.
    stranger = client_for(outsider)
    assert issue not in issue_selectors.issue_inbox(viewer=outsider)
    assert issue not in issue_selectors.issue_list(viewer=outsider)
    for url in (
        reverse("issues:issue_detail", args=[issue.pk]),
        reverse("volunteers:demand_detail", args=[issue.pk]),
        reverse("volunteers:team_inbox", args=[mine.pk]),
        f"/api/v1/issues/{issue.pk}/",
    ):
        assert stranger.get(url).status_code == 404, url
        assert client_as("qixing_worker").get(url).status_code == 404, url
    # The demo's own team leader leads a different team: the issue does not exist for them.
    assert client_as("xiufeng_team_leader").get(reverse("issues:issue_detail", args=[issue.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        issue_services.issue_accept(actor=outsider, issue=issue)


def test_a_plain_member_has_no_team_inbox(db):
    cat = volunteer_category()
    team = team_at(community(), cat)
    member = members_of(team)[0]
    member.user = User.objects.create(username=f"member{next(_seq)}")
    member.save()
    client = client_for(member.user)
    assert client.get(reverse("volunteers:team_detail", args=[team.pk])).status_code == 200
    assert client.get(reverse("volunteers:team_inbox", args=[team.pk])).status_code == 404


def test_the_team_page_links_to_its_inbox(db):
    team = team_at(community(), volunteer_category())
    response = client_for(leader_of(team)).get(reverse("volunteers:team_detail", args=[team.pk]))
    assert reverse("volunteers:team_inbox", args=[team.pk]) in response.content.decode()


# ---------------------------------------------------------------------------
# The five steps
# ---------------------------------------------------------------------------
def test_the_five_steps_end_to_end(db, clock):
    cat = volunteer_category()
    team = team_at(community(), cat, members=3)
    team_rule(community(), cat)
    leader = leader_of(team)
    m1, m2, m3 = members_of(team)

    # 收集 + 分配: logged by the grid worker, routed to the team.
    issue = route_one()
    assert issue.status == S.ALLOCATED
    assert issue.handler_team == team

    # 受理 through grids' service.
    issue = issue_services.issue_accept(actor=leader, issue=issue)
    assert issue.status == S.IN_PROGRESS
    assert issue.assignee == leader

    # 分解: two shifts for several members: one sub-task each (handler: the team), one activity each.
    tomorrow = timezone.localtime(timezone.now()).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    shifts = services.demand_decompose(
        actor=leader,
        issue=issue,
        shifts=[
            services.ShiftSpec(
                "上门助餐", "老人家中", tomorrow + timedelta(hours=9), tomorrow + timedelta(hours=11), [m1, m2]
            ),
            services.ShiftSpec(
                "陪同就医", "社区卫生服务站", tomorrow + timedelta(hours=14), tomorrow + timedelta(hours=16), [m3]
            ),
        ],
    )
    issue = fresh(issue)
    assert issue.status == S.DECOMPOSED
    tasks = list(IssueTask.objects.filter(issue=issue).order_by("pk"))
    assert [(t.handler_kind, t.handler_team_id) for t in tasks] == [(HandlerKind.VOLUNTEER_TEAM, team.pk)] * 2
    assert [(a.issue_id, a.issue_task_id, a.kind, a.team_id) for a in shifts] == [
        (issue.pk, tasks[0].pk, Activity.Kind.DEMAND, team.pk),
        (issue.pk, tasks[1].pk, Activity.Kind.DEMAND, team.pk),
    ]
    assert ActivitySignup.objects.filter(activity__in=shifts).count() == 3
    first, second = shifts
    with pytest.raises(ValidationError) as caught:
        services.demand_shift_complete(actor=leader, activity=first)
    assert "还没有已审核的服务记录" in caught.value.message_dict["records"][0]

    # 开展: the first shift's members check in and out (the leader does it for them).
    clock.set(first.starts_at)
    for signup in ActivitySignup.objects.filter(activity=first):
        services.signup_check_in(signup=signup, actor=leader)
    clock.set(first.ends_at)
    records = [
        services.signup_check_out(signup=signup, actor=leader)
        for signup in ActivitySignup.objects.filter(activity=first)
    ]
    assert {(r.source, r.issue_id, r.hours) for r in records} == {(ServiceRecord.Source.ISSUE, issue.pk, Decimal("2"))}
    with pytest.raises(ValidationError) as caught:
        services.demand_shift_complete(actor=leader, activity=first)
    assert "待审核" in caught.value.message_dict["records"][0]
    for record in records:
        services.record_verify(record=record, actor=leader)
    task = services.demand_shift_complete(actor=leader, activity=first, result="送餐到家")
    assert task.status == IssueTask.Status.DONE
    assert "2 名志愿者服务 4 小时" in task.result
    assert fresh(issue).status == S.DECOMPOSED  # one shift left

    # The second member did not check in: the leader records the time afterwards.
    clock.set(second.ends_at + timedelta(minutes=30))
    record = services.demand_record(
        actor=leader,
        activity=second,
        volunteer=m3,
        started_at=second.starts_at,
        ended_at=second.ends_at,
        hours=Decimal("2"),
    )
    assert (record.source, record.issue_id, record.activity_id) == (ServiceRecord.Source.ISSUE, issue.pk, second.pk)
    services.record_verify(record=record, actor=leader)
    services.demand_shift_complete(actor=leader, activity=second)

    # The last shift done resolves the issue, in grids.
    issue = fresh(issue)
    assert issue.status == S.RESOLVED
    assert "上门助餐" in issue.resolution
    assert "陪同就医" in issue.resolution

    # 反馈: recorded by the grid worker as usual; satisfied closes it.
    issue = issue_services.issue_feedback(actor=worker(), issue=issue, satisfaction=Issue.Satisfaction.SATISFIED)
    assert issue.status == S.CLOSED
    kinds = list(IssueEvent.objects.filter(issue=issue).order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == [
        "collected",
        "allocated",
        "accepted",
        "decomposed",
        "task_done",
        "task_done",
        "resolved",
        "feedback",
    ]

    # Verified hours count as usual: time bank and points (party members: 1.5 a hour + 2 a service for demands).
    balances = selectors.balances_of(volunteer=m1)
    assert balances[Currency.HOURS] == Decimal("2.00")
    assert balances[Currency.POINTS] == Decimal("5.00")
    demand = selectors.demand_get(viewer=Viewer.for_user(leader), issue_pk=issue.pk)
    assert demand.hours == Decimal("6")
    assert all(shift.task_done for shift in demand.shifts)


def test_shifts_go_only_to_the_teams_own_members_and_change_nothing_when_refused(db):
    cat = volunteer_category()
    team = team_at(community(), cat)
    team_rule(community(), cat)
    leader = leader_of(team)
    issue = route_one()
    start = timezone.now() + timedelta(days=2)
    outsider = make_volunteer(community())
    with pytest.raises(ValidationError) as caught:
        services.demand_decompose(
            actor=leader,
            issue=issue,
            shifts=[
                services.ShiftSpec("助餐", "家中", start, start + timedelta(hours=2), [members_of(team)[0], outsider])
            ],
        )
    assert "不是本队队员" in caught.value.message_dict["volunteers"][0]
    with pytest.raises(ValidationError) as caught:
        services.demand_decompose(
            actor=leader,
            issue=issue,
            shifts=[services.ShiftSpec("助餐", "家中", start - timedelta(days=3), start, members_of(team))],
        )
    assert "晚于现在" in caught.value.message_dict["starts_at"][0]
    # Another team's leader cannot split it (grids refuses: not the handler).
    other = team_at(community(), cat)
    with pytest.raises(PermissionDenied):
        services.demand_decompose(
            actor=leader_of(other),
            issue=issue,
            shifts=[services.ShiftSpec("助餐", "家中", start, start + timedelta(hours=2), members_of(team)[:1])],
        )
    assert fresh(issue).status == S.ALLOCATED
    assert not IssueTask.objects.filter(issue=issue).exists()
    assert not Activity.objects.filter(issue=issue).exists()


def test_the_demand_page_splits_the_issue_into_a_shift(db):
    cat = volunteer_category()
    team = team_at(community(), cat)
    team_rule(community(), cat)
    issue = route_one()
    client = client_for(leader_of(team))
    url = reverse("volunteers:demand_detail", args=[issue.pk])
    assert client.post(reverse("volunteers:demand_accept", args=[issue.pk]), {"version": issue.version}).url == url
    issue = fresh(issue)
    assert issue.status == S.IN_PROGRESS
    start = timezone.localtime(timezone.now() + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    form = {
        "title": "上门助浴",
        "place": "老人家中",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "volunteers": [m.pk for m in members_of(team)[:2]],
        "version": issue.version,
    }
    bad = client.post(reverse("volunteers:demand_decompose", args=[issue.pk]), form | {"ends_at": form["starts_at"]})
    assert bad.status_code == 400
    assert "结束时间必须晚于开始时间" in bad.content.decode()
    response = client.post(reverse("volunteers:demand_decompose", args=[issue.pk]), form)
    assert response.status_code == 302
    (shift,) = Activity.objects.filter(issue=issue)
    assert shift.places_taken == 2
    assert fresh(issue).status == S.DECOMPOSED
    page = client.get(url)
    assert "上门助浴" in page.content.decode()


# ---------------------------------------------------------------------------
# Query counts
# ---------------------------------------------------------------------------
def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_team_inbox_has_a_constant_query_count(db):
    team = team_at(community(), volunteer_category())
    client = client_for(leader_of(team))
    url = reverse("volunteers:team_inbox", args=[team.pk])
    team_issues(team, 3)
    three = _queries(client, url)
    team_issues(team, 27)
    assert _queries(client, url) == three
    response = client.get(url)
    assert len(response.context["page"].object_list) == 30
    assert "#" in response.content.decode()
    assert "badge" in response.content.decode()


def test_the_grids_inbox_of_a_team_leader_has_a_constant_query_count(db):
    team = team_at(community(), volunteer_category())
    client = client_for(leader_of(team))
    url = reverse("issues:issue_inbox")
    team_issues(team, 3)
    three = _queries(client, url)
    team_issues(team, 27)
    assert _queries(client, url) == three


# ---------------------------------------------------------------------------
# Dual registration: the resident issues they helped resolve
# ---------------------------------------------------------------------------
def _issue_record(volunteer, issue: Issue, team: Team, *, day: int, verify: User | None, unit: GridUnit | None = None):
    # At dawn: no demo record of the person is then.
    start = timezone.localtime(timezone.now() - timedelta(days=day)).replace(hour=6, minute=0, second=0, microsecond=0)
    record = ServiceRecord.objects.create(
        volunteer=volunteer,
        team=team,
        source=ServiceRecord.Source.ISSUE,
        issue=issue,
        category=team.category,
        kind=Activity.Kind.DEMAND,
        unit=unit or community(),
        started_at=start,
        ended_at=start + timedelta(hours=1),
        hours=Decimal("1"),
        created_at=timezone.now(),
    )
    if verify is not None:
        services.record_verify(record=record, actor=verify)
    return record


def test_the_dual_registration_page_counts_the_resolved_issues_members_helped_with(db, client_as):
    member = volunteer_of("organ_member")
    team = Team.objects.get(memberships__volunteer=member, memberships__left_on=None)
    staff = staff_user("xiufeng_community")

    def counts() -> tuple[int, int, int]:
        data = selectors.community_registration(viewer=Viewer.for_user(staff), community_id=community().pk)
        row = next(m for m in data.members if m.pk == member.pk)
        org = next(r for r in data.organisations if r.registration.organisation_id == member.organisation_id)
        return row.issues, org.issues, data.issues

    before = counts()  # the demo's own demands, some of which the member helped with
    resolved, closed, still_open, unverified = (route_one("opinion-property") for _ in range(4))
    Issue.objects.filter(pk=resolved.pk).update(status=S.RESOLVED, resolved_at=timezone.now())
    Issue.objects.filter(pk=closed.pk).update(
        status=S.CLOSED, resolved_at=timezone.now(), satisfaction=Issue.Satisfaction.SATISFIED
    )
    # Two verified services on one resolved issue count it once; an open issue and an unverified record not at all.
    _issue_record(member, resolved, team, day=20, verify=staff)
    _issue_record(member, resolved, team, day=21, verify=staff)
    _issue_record(member, closed, team, day=22, verify=staff)
    _issue_record(member, still_open, team, day=23, verify=staff)
    Issue.objects.filter(pk=unverified.pk).update(status=S.RESOLVED, resolved_at=timezone.now())
    _issue_record(member, unverified, team, day=24, verify=None)

    assert counts() == tuple(n + 2 for n in before)
    data = selectors.community_registration(viewer=Viewer.for_user(staff), community_id=community().pk)
    assert {i.pk for i in data.recent_issues[:2]} == {resolved.pk, closed.pk}
    assert not {still_open.pk, unverified.pk} & {i.pk for i in data.recent_issues}

    page = client_as("xiufeng_community").get(reverse("volunteers:registration_community", args=[community().pk]))
    assert page.status_code == 200
    assert reverse("issues:issue_detail", args=[closed.pk]) in page.content.decode()
    assert MemberRegistration.objects.filter(volunteer=member, community=community(), ended_on=None).exists()


def test_the_dual_registration_page_stays_constant_with_issue_counts(client_as, django_assert_num_queries):
    from .test_views import _fresh_community

    client = client_as("xiufeng_street")
    unit = _fresh_community()
    staff = staff_user("xiufeng_street")
    organisation = volunteer_of("organ_member").organisation
    services.organisation_register(organisation=organisation, community=unit, actor=staff)
    issue = route_one("opinion-property")
    Issue.objects.filter(pk=issue.pk).update(status=S.RESOLVED, resolved_at=timezone.now())
    team = team_at(unit, volunteer_category(), members=0)

    def register(n: int) -> None:
        for _ in range(n):
            member = make_volunteer(unit)
            member.organisation = organisation
            member.save()
            TeamMember.objects.create(team=team, volunteer=member, joined_on=timezone.localdate())
            services.member_register(volunteer=member, community=unit, actor=staff)
            _issue_record(member, issue, team, day=5, verify=staff, unit=unit)

    register(3)
    url = reverse("volunteers:registration_community", args=[unit.pk])
    three = _queries(client, url)
    register(27)
    with django_assert_num_queries(three):
        response = client.get(url)
    members = list(response.context["members"].object_list)
    assert len(members) == 30
    assert all(m.issues == 1 for m in members)
    assert response.context["data"].issues == 1
