"""`volunteers.access`: the predicates and actions, table by table, on rows held in memory.

These tests have no database at all (no `db` fixture): a predicate that queried would fail here.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from grids.models import GridUnit, Post, User
from grids.viewer import PostHeld, Standing, Viewer, ViewerKind
from volunteers import access
from volunteers.models import (
    Activity,
    ActivitySignup,
    LedgerAccount,
    ServiceRecord,
    Team,
    TeamMember,
    Volunteer,
)

COMMUNITY = "00010002"  # a community's path; its grids lie under it
GRID = COMMUNITY + "0003"
ELSEWHERE = "00090001"
TEAM_ID, OTHER_TEAM_ID = 7, 8
ME, SOMEONE = 11, 12
NOW = datetime(2026, 5, 1, 9, 0)


def viewer(*posts: tuple[str, str], led=(), volunteer: int | None = None, superuser=False) -> Viewer:
    """A person's Viewer with the standing given (no query: the standing is set, not read)."""
    user = User(pk=99, username="someone", is_superuser=superuser)
    built = Viewer(kind=ViewerKind.USER, user=user, sees_everything=superuser, label="someone")
    held = tuple(PostHeld(role=role, unit_id=n, path=path) for n, (role, path) in enumerate(posts))
    standing = Standing(posts=held, teams_led=frozenset(led), volunteer_ids=frozenset({volunteer} if volunteer else ()))
    built.__dict__["standing"] = standing  # what the one query would have read
    return built


STAFF = viewer((Post.Role.COMMUNITY_STAFF, COMMUNITY))
WORKER = viewer((Post.Role.GRID_WORKER, GRID))
LEADER = viewer(led={TEAM_ID}, volunteer=ME)
MEMBER = viewer(volunteer=ME)
OUTSIDER_STAFF = viewer((Post.Role.COMMUNITY_STAFF, ELSEWHERE))
ADMIN = viewer(superuser=True)
SYSTEM = Viewer.system()
NOBODY = Viewer.anonymous()


def unit(path: str) -> GridUnit:
    return GridUnit(pk=int(path[-4:]) + 1, path=path, name=path)


def team(*, active=True) -> Team:
    return Team(pk=TEAM_ID, unit=unit(COMMUNITY), name="队", is_active=active)


def activity(*, starts_in=timedelta(hours=1), hours=2, status=Activity.Status.OPEN, taken=0, team_id=TEAM_ID):
    starts = NOW + starts_in
    return Activity(
        pk=1,
        team_id=team_id,
        unit=unit(COMMUNITY),
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        capacity=3,
        places_taken=taken,
        status=status,
    )


@pytest.mark.parametrize(
    ("who", "manages", "appoints"),
    [
        (STAFF, True, True),
        (LEADER, True, False),
        (ADMIN, True, True),
        (SYSTEM, True, True),
        (WORKER, False, False),  # grid workers see but do not manage
        (MEMBER, False, False),
        (OUTSIDER_STAFF, False, False),
        (NOBODY, False, False),
    ],
)
def test_who_manages_a_team_and_appoints_its_leader(who, manages, appoints):
    assert access.can_manage_team(who, team()) is manages
    assert access.can_appoint_leader(who, team()) is appoints
    expected = {"publish_activity", "record_service", "add_member"} if manages else set()
    if appoints:
        expected.add("appoint_leader")
    assert access.team_allowed_actions(who, team()) == expected
    # A team stood down takes no one on.
    assert access.team_allowed_actions(who, team(active=False)) == expected - {"add_member", "appoint_leader"}


@pytest.mark.parametrize(
    ("who", "role", "row_actions"),
    [
        (LEADER, TeamMember.Role.MEMBER, {"set_role", "remove"}),
        (LEADER, TeamMember.Role.DEPUTY, {"set_role", "remove"}),
        (LEADER, TeamMember.Role.LEADER, set()),  # the leader's row is staff's
        (STAFF, TeamMember.Role.LEADER, {"set_role", "remove"}),
        (MEMBER, TeamMember.Role.MEMBER, set()),
    ],
)
def test_roster_rows(who, role, row_actions):
    membership = TeamMember(pk=5, team_id=TEAM_ID, role=role)
    assert access.membership_allowed_actions(who, membership, team()) == row_actions
    assert access.can_remove_member(who, membership, team()) is ("remove" in row_actions)
    gone = replace_left(membership)
    assert access.membership_allowed_actions(who, gone, team()) == set()


def replace_left(membership: TeamMember) -> TeamMember:
    return TeamMember(pk=membership.pk, team_id=membership.team_id, role=membership.role, left_on=NOW.date())


@pytest.mark.parametrize(
    ("case", "row", "who", "expected"),
    [
        ("open, a volunteer", activity(), MEMBER, {"sign_up"}),
        ("open, its leader", activity(), LEADER, {"sign_up", "cancel", "verify_all"}),
        ("open, staff (no volunteer record)", activity(), STAFF, {"cancel", "verify_all"}),
        ("full", activity(taken=3), MEMBER, set()),
        ("started", activity(starts_in=-timedelta(minutes=1)), MEMBER, set()),
        ("cancelled", activity(status=Activity.Status.CANCELLED), LEADER, {"verify_all"}),
        ("another team's", activity(team_id=OTHER_TEAM_ID), LEADER, {"sign_up"}),
        ("a grid worker", activity(), WORKER, set()),
    ],
)
def test_activity_actions(case, row, who, expected):
    assert access.activity_allowed_actions(who, row, now=NOW) == expected, case


def test_no_second_sign_up():
    assert access.activity_allowed_actions(MEMBER, activity(), signed_up=True, now=NOW) == set()


@pytest.mark.parametrize(
    ("case", "starts_in", "status", "who", "expected"),
    [
        ("a day ahead", timedelta(days=1), ActivitySignup.Status.SIGNED_UP, MEMBER, {"cancel"}),
        ("ten minutes ahead", timedelta(minutes=10), ActivitySignup.Status.SIGNED_UP, MEMBER, {"cancel", "check-in"}),
        ("under way", -timedelta(minutes=10), ActivitySignup.Status.SIGNED_UP, MEMBER, {"check-in"}),
        ("over", -timedelta(hours=3), ActivitySignup.Status.SIGNED_UP, MEMBER, set()),
        ("arrived, under way", -timedelta(minutes=10), ActivitySignup.Status.CHECKED_IN, MEMBER, {"check-out"}),
        ("arrived, not started", timedelta(minutes=10), ActivitySignup.Status.CHECKED_IN, MEMBER, set()),
        (
            "its leader for a member",
            timedelta(minutes=10),
            ActivitySignup.Status.SIGNED_UP,
            LEADER,
            {"cancel", "check-in"},
        ),
        ("someone else", timedelta(minutes=10), ActivitySignup.Status.SIGNED_UP, WORKER, set()),
        ("left already", -timedelta(minutes=10), ActivitySignup.Status.CHECKED_OUT, MEMBER, set()),
    ],
)
def test_sign_up_actions(case, starts_in, status, who, expected):
    row = activity(starts_in=starts_in)
    volunteer = ME if who is MEMBER else SOMEONE
    signup = ActivitySignup(pk=3, activity=row, volunteer_id=volunteer, status=status)
    assert access.signup_allowed_actions(who, signup, row, now=NOW) == expected, case


def record(*, volunteer=SOMEONE, team_id=TEAM_ID, status=ServiceRecord.Status.PENDING, where=COMMUNITY):
    row = ServiceRecord(pk=4, volunteer_id=volunteer, unit=unit(where), status=status, hours=Decimal(2))
    row.team_id = team_id
    if team_id is not None:
        row.team = Team(pk=team_id, unit=unit(COMMUNITY))
    return row


@pytest.mark.parametrize(
    ("case", "row", "who", "expected"),
    [
        ("pending, its team's leader", record(), LEADER, {"verify", "reject"}),
        ("pending, staff over the unit", record(team_id=None), STAFF, {"verify", "reject"}),
        ("pending elsewhere, staff over the team's unit", record(where=ELSEWHERE), STAFF, {"verify", "reject"}),
        ("verified", record(status=ServiceRecord.Status.VERIFIED), LEADER, {"reverse"}),
        ("rejected", record(status=ServiceRecord.Status.REJECTED), LEADER, set()),
        ("one's own", record(volunteer=ME), LEADER, set()),
        ("another team's", record(team_id=OTHER_TEAM_ID), LEADER, set()),
        ("a grid worker", record(), WORKER, set()),
        ("staff elsewhere", record(), OUTSIDER_STAFF, set()),
        ("a superuser", record(), ADMIN, {"verify", "reject"}),
    ],
)
def test_record_actions(case, row, who, expected):
    assert access.record_allowed_actions(who, row) == expected, case


@pytest.mark.parametrize(
    ("who", "expected"),
    [(STAFF, {"withdraw"}), (ADMIN, {"withdraw"}), (MEMBER, set()), (LEADER, set()), (OUTSIDER_STAFF, set())],
)
def test_account_actions(who, expected):
    person = Volunteer(pk=ME, unit=unit(GRID))
    account = LedgerAccount(pk=2, volunteer=person, currency="hours")
    assert access.account_allowed_actions(who, account) == expected
    system = LedgerAccount(pk=1, volunteer=None, currency="hours")
    assert access.account_allowed_actions(who, system) == set()


@pytest.mark.parametrize(
    ("who", "gives", "draws"),
    [(MEMBER, True, False), (STAFF, True, True), (LEADER, True, False), (WORKER, False, False)],
)
def test_one_gives_ones_own_and_staff_draw_where_the_person_lives(who, gives, draws):
    me = Volunteer(pk=ME, unit=unit(GRID))
    assert access.can_transfer_from(who, me) is gives
    assert access.can_draw_on(who, me) is draws


def test_recording_service_depends_on_where_it_counts():
    person = Volunteer(pk=ME, unit=unit(GRID))
    home = {unit(GRID).pk}
    at_home = {"volunteer": person, "team": None, "unit": unit(GRID), "home_unit_ids": home}
    away = {**at_home, "unit": unit(ELSEWHERE)}
    assert access.can_record_service(MEMBER, **at_home)
    assert not access.can_record_service(MEMBER, **away)
    assert access.can_record_service(STAFF, **at_home)
    assert not access.can_record_service(OUTSIDER_STAFF, **at_home)
    someone = {**at_home, "volunteer": Volunteer(pk=SOMEONE, unit=unit(GRID))}
    assert not access.can_record_service(MEMBER, **someone)
    assert access.can_record_service(LEADER, **{**someone, "team": team(), "unit": unit(COMMUNITY)})


def test_list_filters_read_the_viewer_only():
    """The Q builders are built from the Viewer alone; everything or nothing where that is the answer."""
    everything = access.record_visible_q(ADMIN)
    assert not everything  # Q(): every row
    assert access.team_visible_q(SYSTEM) == everything
    nothing = str(access.activity_visible_q(NOBODY))
    assert "pk__in" in nothing
    assert access.sees_system_accounts(viewer((Post.Role.CITY_ADMIN, "0001")))
    assert not access.sees_system_accounts(STAFF)


def test_a_viewer_is_never_changed():
    before = replace(LEADER)
    access.team_allowed_actions(LEADER, team())
    access.record_allowed_actions(LEADER, record())
    assert before == LEADER
    assert not hasattr(LEADER.user, "_volunteer_access_cache")
