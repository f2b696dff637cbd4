"""The buttons a page shows are the actions `volunteers.access` allows, and the API accepts exactly those.

For each demo account and a sample team, activity, sign-up, record, account and demand of the demo's
秀峰区 team: the page's action forms and links (parsed from the HTML) equal `*_allowed_actions(viewer,
obj)`; every action the API offers answers 403 or 404 when it is not allowed and neither when it is
(each POST in a savepoint that is rolled back, so the next one meets the same state). An account that
cannot see the object gets a 404 on the page and on every call.
"""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from grids.viewer import Viewer
from issues import access as issue_access
from issues.models import Issue, IssueTask
from tests.actions import answer_and_undo
from tests.volunteers.factories import (
    community_of,
    fund,
    home_team,
    make_activity,
    make_record,
    make_signup,
    make_volunteer,
    staff_user,
)
from volunteers import access, services
from volunteers.models import Activity, ActivitySignup, Currency, ServiceRecord, TeamMember

ACCOUNTS = ["xiufeng_team_leader", "organ_member", "xiufeng_community", "xiufeng_worker", "qixing_worker", "admin"]
API = "/api/v1/volunteers"
HIDDEN = (403, 404)


class ActionForms(HTMLParser):
    """The volunteer forms a page offers (url name and kwargs of each action), links marked with
    `data-action`, and the roles the add-member form offers."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict]] = []
        self.links: set[str] = set()
        self.add_member_roles: set[str] = set()
        self._in_add_member = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method") == "post":
            try:
                match = resolve(attrs.get("action", ""))
            except Resolver404:
                return
            if match.namespace == "volunteers":
                self.forms.append((match.url_name, match.kwargs))
                self._in_add_member = match.url_name == "team_member_add"
        elif tag == "a" and attrs.get("data-action"):
            self.links.add(attrs["data-action"])
        elif tag == "option" and self._in_add_member:
            self.add_member_roles.add(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_add_member = False

    def names(self, *url_names: str) -> list[tuple[str, dict]]:
        return [(name, kwargs) for name, kwargs in self.forms if name in url_names]


def read_page(client, url: str) -> ActionForms | None:
    """The page's actions, or None when it is a 404."""
    response = client.get(url)
    if response.status_code == 404:
        return None
    assert response.status_code == 200, (url, response.status_code)
    parser = ActionForms()
    parser.feed(response.content.decode())
    return parser


def post_and_undo(client, url: str, body: dict | None = None) -> int:
    return answer_and_undo(client, "post", url, body, content_type="application/json")


def assert_api_matches(client, allowed: frozenset[str], calls: dict[str, tuple[str, dict]], who: str) -> None:
    for action, (url, body) in calls.items():
        status = post_and_undo(client, url, body)
        if action in allowed:
            assert status not in HIDDEN, (who, action, status)
        else:
            assert status in HIDDEN, (who, action, status)


def viewer_of_account(demo_user, name: str) -> Viewer:
    return Viewer.for_user(demo_user(name))


@pytest.fixture
def team_world(db):
    team = home_team()
    unit = community_of()
    member = make_volunteer(unit)
    TeamMember.objects.create(team=team, volunteer=member, joined_on=timezone.localdate())
    return team, unit, member


def test_team_page_buttons_and_api_match_allowed_actions(team_world, client_as, demo_user):
    team, unit, member = team_world
    newcomer = make_volunteer(unit)
    start = timezone.now() + timedelta(days=9)
    served = timezone.localtime(timezone.now() - timedelta(days=50)).replace(hour=9, minute=0, second=0, microsecond=0)
    calls = {
        "add_member": (f"{API}/teams/{team.pk}/members/", {"volunteer": newcomer.pk, "role": "member"}),
        "appoint_leader": (f"{API}/teams/{team.pk}/members/", {"volunteer": newcomer.pk, "role": "leader"}),
        "publish_activity": (
            f"{API}/activities/",
            {
                "title": "便民理发",
                "team": team.pk,
                "category": team.category_id,
                "unit": team.unit_id,
                "place": "广场",
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=2)).isoformat(),
                "capacity": 6,
            },
        ),
        "record_service": (
            f"{API}/service-records/",
            {
                "team": team.pk,
                "volunteer": member.pk,
                "category": team.category_id,
                "started_at": served.isoformat(),
                "ended_at": (served + timedelta(hours=2)).isoformat(),
                "hours": "2",
                "description": "入户探访",
            },
        ),
    }
    seen_by: dict[str, frozenset[str]] = {}
    for name in ACCOUNTS:
        client, viewer = client_as(name), viewer_of_account(demo_user, name)
        page = read_page(client, reverse("volunteers:team_detail", args=[team.pk]))
        if page is None:
            assert_api_matches(client, frozenset(), calls, name)
            continue
        allowed = access.team_allowed_actions(viewer, team)
        shown = set(page.links) & {"publish_activity", "record_service"}
        if page.names("team_member_add"):
            shown.add("add_member")
            if "leader" in page.add_member_roles:
                shown.add("appoint_leader")
        assert shown == allowed, name
        # Each roster row: exactly the membership's actions.
        rows: dict[int, set[str]] = {}
        for url_name, kwargs in page.names("team_member_role", "team_member_remove"):
            rows.setdefault(kwargs["member_pk"], set()).add("set_role" if url_name == "team_member_role" else "remove")
        for membership in TeamMember.objects.filter(team=team, left_on__isnull=True).select_related("volunteer"):
            expected = access.membership_allowed_actions(viewer, membership, team)
            assert rows.get(membership.pk, set()) == expected, (name, membership.role)
        assert_api_matches(client, allowed, calls, name)
        seen_by[name] = allowed
    assert seen_by["xiufeng_team_leader"] == {"publish_activity", "record_service", "add_member"}
    assert seen_by["organ_member"] == set()
    assert seen_by["xiufeng_community"] == seen_by["admin"] == set(access.TEAM_ACTIONS)


def test_activity_page_buttons_and_api_match_allowed_actions(team_world, client_as, demo_user):
    team, unit, member = team_world
    soon = timezone.now() + timedelta(minutes=10)  # sign-up still open, check-in already open
    activity = make_activity(unit=unit, team=team, starts_at=soon, capacity=5)
    waiting = make_record(member, unit=unit, team=team, days_ago=60)
    ServiceRecord.objects.filter(pk=waiting.pk).update(activity=activity)
    calls = {
        "sign_up": (f"{API}/activities/{activity.pk}/sign-up/", {}),
        "cancel": (f"{API}/activities/{activity.pk}/cancel/", {"note": "天气原因"}),
    }
    names = {"activity_signup": "sign_up", "activity_cancel": "cancel", "activity_verify_all": "verify_all"}
    seen_by: dict[str, frozenset[str]] = {}
    for name in ACCOUNTS:
        client, viewer = client_as(name), viewer_of_account(demo_user, name)
        page = read_page(client, reverse("volunteers:activity_detail", args=[activity.pk]))
        if page is None:
            assert_api_matches(client, frozenset(), calls, name)
            continue
        activity.refresh_from_db()
        allowed = access.activity_allowed_actions(viewer, activity)
        assert {names[url_name] for url_name, _ in page.names(*names)} == allowed, name
        assert_api_matches(client, allowed, calls, name)
        seen_by[name] = allowed
    assert seen_by["organ_member"] == {"sign_up"}
    assert seen_by["xiufeng_team_leader"] == {"sign_up", "cancel", "verify_all"}
    assert seen_by["xiufeng_community"] == seen_by["admin"] == {"cancel", "verify_all"}


def test_sign_up_buttons_and_api_match_allowed_actions(team_world, client_as, demo_user):
    team, unit, _member = team_world
    me = demo_user("organ_member").volunteer
    upcoming = make_activity(unit=unit, team=team, starts_at=timezone.now() + timedelta(minutes=10))
    waiting = make_signup(upcoming, me)
    under_way = make_activity(unit=unit, team=team, starts_at=timezone.now() - timedelta(hours=1), hours=2)
    arrived = make_signup(under_way, me)
    ActivitySignup.objects.filter(pk=arrived.pk).update(
        status=ActivitySignup.Status.CHECKED_IN, checked_in_at=under_way.starts_at
    )
    arrived.refresh_from_db()
    for signup, activity, offered in (
        (waiting, upcoming, ("check-in", "cancel")),
        (arrived, under_way, ("check-out",)),
    ):
        calls = {action: (f"{API}/signups/{signup.pk}/{action}/", {}) for action in offered}
        for name in ACCOUNTS:
            client, viewer = client_as(name), viewer_of_account(demo_user, name)
            page = read_page(client, reverse("volunteers:activity_detail", args=[activity.pk]))
            if page is None:
                assert_api_matches(client, frozenset(), calls, name)
                continue
            allowed = access.signup_allowed_actions(viewer, signup, activity)
            shown = {kwargs["action"] for _, kwargs in page.names("signup_action") if kwargs["pk"] == signup.pk}
            assert shown == allowed, (name, signup.status)
            assert_api_matches(client, allowed, calls, name)
            assert (allowed == set(offered)) == (name != "xiufeng_worker"), (name, allowed)


def test_record_buttons_and_api_match_allowed_actions(team_world, client_as, demo_user):
    team, unit, member = team_world
    pending = make_record(member, unit=unit, team=team, days_ago=61)
    verified = services.record_verify(record=make_record(member, unit=unit, team=team, days_ago=62), actor=staff_user())
    names = {"record_verify": "verify", "record_reject": "reject", "record_reverse": "reverse"}
    for record, offered in ((pending, ("verify", "reject")), (verified, ("reverse",))):
        calls = {action: (f"{API}/service-records/{record.pk}/{action}/", {"note": "核实"}) for action in offered}
        for name in ACCOUNTS:
            client, viewer = client_as(name), viewer_of_account(demo_user, name)
            page = read_page(client, reverse("volunteers:record_detail", args=[record.pk]))
            if page is None:
                assert_api_matches(client, frozenset(), calls, name)
                continue
            record = ServiceRecord.objects.select_related("unit", "team__unit").get(pk=record.pk)
            allowed = access.record_allowed_actions(viewer, record)
            assert {names[url_name] for url_name, _ in page.names(*names)} == allowed, (name, record.status)
            assert_api_matches(client, allowed, calls, name)
            verifier = name in {"xiufeng_team_leader", "xiufeng_community", "admin"}
            assert allowed == (set(offered) if verifier else set()), (name, allowed)


def test_account_buttons_and_api_match_allowed_actions(team_world, client_as, demo_user):
    _team, _unit, member = team_world
    account = fund(member, "3", Currency.HOURS)
    calls = {"withdraw": (f"{API}/accounts/{account.pk}/withdraw/", {"amount": "1"})}
    for name in ACCOUNTS:
        client, viewer = client_as(name), viewer_of_account(demo_user, name)
        page = read_page(client, reverse("volunteers:account_detail", args=[account.pk]))
        if page is None:
            assert_api_matches(client, frozenset(), calls, name)
            continue
        account.refresh_from_db()
        allowed = access.account_allowed_actions(viewer, account)
        assert {"withdraw" for _ in page.names("account_withdraw")} == allowed, name
        assert_api_matches(client, allowed, calls, name)
        assert ("withdraw" in allowed) == (name in {"xiufeng_community", "admin"}), name


def test_demand_buttons_match_allowed_actions(client_as, demo_user):
    team = home_team()
    waiting = Issue.objects.filter(handler_team=team, status=Issue.Status.ALLOCATED).order_by("pk").first()
    split = Issue.objects.filter(handler_team=team, status=Issue.Status.DECOMPOSED).order_by("pk").first()
    names = {
        "demand_accept": "accept",
        "demand_decompose": "decompose",
        "demand_record": "record",
        "demand_shift_complete": "complete_shift",
    }
    checked = 0
    for issue in (waiting, split):
        shifts = Activity.objects.filter(issue=issue)
        has_open_shift = shifts.filter(issue_task__status=IssueTask.Status.OPEN).exists()
        for name in ACCOUNTS:
            client, viewer = client_as(name), viewer_of_account(demo_user, name)
            page = read_page(client, reverse("volunteers:demand_detail", args=[issue.pk]))
            if page is None:
                continue
            allowed = access.demand_allowed_actions(
                viewer, issue, lifecycle=issue_access.issue_allowed_actions(viewer, issue)
            )
            # What the page can only offer with something to act on: an open shift to record in or complete.
            expected = {a for a in allowed if has_open_shift or a not in {"record", "complete_shift"}}
            assert {names[url_name] for url_name, _ in page.names(*names)} == expected, (name, issue.status)
            checked += 1
    assert checked >= 4
