"""The issue access predicates are pure: a Viewer and an unsaved issue in, an answer out, no query.

These tests have no database at all: a query would fail them.
"""

from __future__ import annotations

import pytest

from grids.models import GridUnit, Post, User
from grids.viewer import PostHeld, Standing, Viewer, ViewerKind
from issues import access
from issues.models import DeadlineExtension, HandlerKind, Issue, IssueTask

S = Issue.Status

# City 0001, district, street, community, area below it; another district's community.
DISTRICT = "00010001"
STREET = DISTRICT + "0001"
COMMUNITY = STREET + "0001"
AREA = COMMUNITY + "0001"
ELSEWHERE = "00010002" + "0001" + "0001"
UNITS = {DISTRICT: 2, STREET: 3, COMMUNITY: 4, AREA: 5, ELSEWHERE: 9}

REPORTER, LEADER, ASSIGNEE, MEMBER, TEAM_LEADER, STAFF = 101, 102, 103, 104, 105, 106
DEPARTMENT, TEAM, OTHER_TEAM = 31, 41, 42


def viewer(user_id=STAFF, *posts: tuple[str, str], departments=(), teams=(), superuser=False) -> Viewer:
    """A person's Viewer with this standing, built without the database."""
    built = Viewer(kind=ViewerKind.USER, user=User(pk=user_id), sees_everything=superuser, label=str(user_id))
    held = tuple(PostHeld(role=role, unit_id=UNITS[path], path=path) for role, path in posts)
    built.__dict__["standing"] = Standing(posts=held, departments=frozenset(departments), teams_led=frozenset(teams))
    return built


def unit(path: str) -> GridUnit:
    return GridUnit(pk=UNITS[path], path=path, level=len(path) // 4, name=path)


def issue(kind: str = HandlerKind.OFFICE, status: str = S.ALLOCATED, *, assignee=None, tasks_for=()) -> Issue:
    """An unsaved issue of the area, logged by REPORTER, handled by the community office (or another kind)."""
    refs = {
        HandlerKind.GRID_LEADER: {"handler_user_id": LEADER},
        HandlerKind.OFFICE: {"handler_unit_id": UNITS[COMMUNITY]},
        HandlerKind.DEPARTMENT: {"handler_department_id": DEPARTMENT},
        HandlerKind.VOLUNTEER_TEAM: {"handler_team_id": TEAM},
    }[kind]
    built = Issue(
        pk=1, unit=unit(AREA), reporter_id=REPORTER, status=status, handler_kind=kind, assignee_id=assignee, **refs
    )
    built._prefetched_objects_cache = {"photos": []}
    return built


def annotated(issue: Issue, who: Viewer, handles_task: bool = False) -> Issue:
    """As the selectors read it for this viewer: with whether they handle one of its sub-tasks."""
    issue.viewer_task_handler = handles_task
    issue.annotated_for = who.user_id
    return issue


VIEWERS = {
    "anonymous": Viewer.anonymous(),
    "system": Viewer.system(),
    "superuser": viewer(999, superuser=True),
    "reporter (grid worker of the area)": viewer(REPORTER, (Post.Role.GRID_WORKER, AREA)),
    "grid leader": viewer(LEADER, (Post.Role.GRID_LEADER, COMMUNITY)),
    "community staff": viewer(STAFF, (Post.Role.COMMUNITY_STAFF, COMMUNITY)),
    "street staff": viewer(STAFF + 1, (Post.Role.STREET_STAFF, STREET)),
    "staff elsewhere": viewer(STAFF + 2, (Post.Role.COMMUNITY_STAFF, ELSEWHERE)),
    "department member": viewer(MEMBER, departments=[DEPARTMENT]),
    "team leader": viewer(TEAM_LEADER, teams=[TEAM]),
    "another team's leader": viewer(TEAM_LEADER + 1, teams=[OTHER_TEAM]),
    "assignee (no post)": viewer(ASSIGNEE),
}

# Who handles an issue of each kind (the kind's predicate, from the Viewer's facets).
HANDLES = {
    HandlerKind.GRID_LEADER: {"grid leader"},
    HandlerKind.OFFICE: {"community staff"},
    HandlerKind.DEPARTMENT: {"department member"},
    HandlerKind.VOLUNTEER_TEAM: {"team leader"},
}


@pytest.mark.parametrize("kind", list(HANDLES))
@pytest.mark.parametrize("name", list(VIEWERS))
def test_who_handles_an_issue_of_each_kind(kind, name):
    who = VIEWERS[name]
    assert access.handles_issue(who, issue(kind)) == (name in HANDLES[kind])
    # The assignee handles it too, whatever the kind; the superuser and the system act as handlers.
    assert access.handles_issue(who, issue(kind, assignee=ASSIGNEE)) == (
        name in HANDLES[kind] or name == "assignee (no post)"
    )
    assert access.can_handle_issue(who, issue(kind)) == (name in HANDLES[kind] | {"superuser", "system"})


@pytest.mark.parametrize("name", list(VIEWERS))
def test_who_sees_the_residents_contact_and_what_the_others_read(name):
    who = VIEWERS[name]
    seen = annotated(issue(HandlerKind.OFFICE), who)
    seen.resident_phone, seen.resident_name = "13812345678", "张三丰"
    full = name in {"reporter (grid worker of the area)", "community staff"}
    assert access.can_see_resident_contact(who, seen) == full
    assert access.resident_phone_for(who, seen) == ("13812345678" if full else "138****5678")
    assert access.resident_name_for(who, seen) == ("张三丰" if full else "张**")


def test_a_sub_task_handler_sees_the_contact_through_the_annotation():
    who = VIEWERS["department member"]
    assert not access.can_see_resident_contact(who, annotated(issue(HandlerKind.OFFICE), who))
    assert access.can_see_resident_contact(who, annotated(issue(HandlerKind.OFFICE), who, handles_task=True))


def test_who_handles_a_sub_task():
    task = IssueTask(pk=5, issue_id=1, handler_kind=HandlerKind.DEPARTMENT, handler_department_id=DEPARTMENT)
    parent = issue(HandlerKind.OFFICE, S.DECOMPOSED)
    assert access.handles_task(VIEWERS["department member"], task)
    assert not access.handles_task(VIEWERS["community staff"], task)
    for name, expected in [
        ("department member", True),  # the sub-task's handler
        ("community staff", True),  # the issue's handler
        ("superuser", True),
        ("street staff", False),
        ("reporter (grid worker of the area)", False),
    ]:
        assert access.can_complete_task(VIEWERS[name], task, parent) is expected, name
        assert access.task_allowed_actions(VIEWERS[name], task, parent) == ({"complete"} if expected else set())
    # Not while the issue is suspended, nor once done.
    assert access.task_allowed_actions(VIEWERS["department member"], task, issue(status=S.SUSPENDED)) == set()
    task.status = IssueTask.Status.DONE
    assert access.task_allowed_actions(VIEWERS["department member"], task, parent) == set()


# The community office handles it: the reporter, the grid's people and the street's staff (a return
# visit 回访) record the resident's word; the community staff who handled it never do.
FEEDBACK = {"superuser", "system", "reporter (grid worker of the area)", "grid leader", "street staff"}


@pytest.mark.parametrize("name", list(VIEWERS))
def test_who_records_the_residents_feedback(name):
    assert access.can_record_feedback(VIEWERS[name], issue(status=S.RESOLVED)) == (name in FEEDBACK)


@pytest.mark.parametrize("kind", [HandlerKind.GRID_LEADER, HandlerKind.OFFICE, HandlerKind.DEPARTMENT])
def test_no_handler_records_feedback_on_its_own_issue(kind):
    resolved = issue(kind, status=S.RESOLVED)
    for name, who in VIEWERS.items():
        if access.handles_issue(who, resolved):
            assert not access.can_record_feedback(who, resolved), (kind, name)
    # Nor the assignee who resolved it, whatever their standing.
    assigned = issue(kind, status=S.RESOLVED, assignee=REPORTER)
    assert not access.can_record_feedback(VIEWERS["reporter (grid worker of the area)"], assigned)


SUPERVISE_COMMUNITY = {"superuser", "system", "community staff", "street staff"}


@pytest.mark.parametrize("name", list(VIEWERS))
def test_who_supervises_a_unit_and_decides_its_extensions(name):
    who = VIEWERS[name]
    assert access.can_supervise(who, unit(COMMUNITY)) == (name in SUPERVISE_COMMUNITY)
    extension = DeadlineExtension(pk=3, issue_id=1, approver_unit=unit(COMMUNITY), status="pending")
    expected = {"decide"} if name in SUPERVISE_COMMUNITY else set()
    assert access.extension_allowed_actions(who, extension) == expected
    extension.status = DeadlineExtension.Status.APPROVED
    assert access.extension_allowed_actions(who, extension) == set()


def test_who_an_issue_may_be_assigned_to():
    office, leaders = issue(HandlerKind.OFFICE), issue(HandlerKind.GRID_LEADER)
    assert access.can_assign_to(VIEWERS["community staff"], office)
    assert not access.can_assign_to(VIEWERS["street staff"], office)
    # A grid leader's issue: the named leader, or a grid worker or leader of the micro-grid.
    assert access.can_assign_to(VIEWERS["grid leader"], leaders)
    assert access.can_assign_to(VIEWERS["reporter (grid worker of the area)"], leaders)
    assert not access.can_assign_to(VIEWERS["community staff"], leaders)
    assert access.can_assign_to(VIEWERS["team leader"], issue(HandlerKind.VOLUNTEER_TEAM))
    assert not access.can_assign_to(VIEWERS["another team's leader"], issue(HandlerKind.VOLUNTEER_TEAM))


HANDLER_ACTIONS = {
    S.ALLOCATED: {"accept", "progress", "assign", "decompose", "request_extension", "suspend", "escalate", "reject"},
    S.IN_PROGRESS: {"resolve", "progress", "assign", "decompose", "request_extension", "suspend", "escalate", "reject"},
    S.DECOMPOSED: {"resolve", "progress", "assign", "decompose", "request_extension", "suspend"},
    S.SUSPENDED: {"resume"},
    S.RESOLVED: set(),
    S.CLOSED: set(),
}


@pytest.mark.parametrize("status", list(HANDLER_ACTIONS))
@pytest.mark.parametrize("name", list(VIEWERS))
def test_allowed_actions_are_status_and_rule(name, status):
    who = VIEWERS[name]
    handler = name in {"community staff", "superuser", "system"}
    expected = set(HANDLER_ACTIONS[status]) if handler else set()
    if status == S.RESOLVED and name in FEEDBACK:
        expected.add("feedback")
    photo_statuses = {S.ALLOCATED, S.IN_PROGRESS, S.DECOMPOSED, S.SUSPENDED, S.RESOLVED}
    if status in photo_statuses and (handler or name == "reporter (grid worker of the area)"):
        expected.add("add_photo")
    if name in SUPERVISE_ISSUE:
        expected |= SUPERVISION_ACTIONS[status]
    assert access.issue_allowed_actions(who, issue(HandlerKind.OFFICE, status)) == expected


# Staff above the community office's issue who do not handle it (and the superuser, the system) supervise it.
SUPERVISE_ISSUE = {"superuser", "system", "street staff"}
SUPERVISION_ACTIONS = {
    S.ALLOCATED: {"urge", "reassign", "lift"},
    S.IN_PROGRESS: {"urge", "reassign", "lift"},
    S.DECOMPOSED: {"urge"},
    S.SUSPENDED: set(),
    S.RESOLVED: set(),
    S.CLOSED: set(),
}


def test_an_issue_urged_within_the_interval_is_not_offered_another_urge():
    from datetime import timedelta

    from django.utils import timezone

    recent = issue(HandlerKind.OFFICE, S.IN_PROGRESS)
    recent.last_urged_at = timezone.now() - timedelta(hours=1)
    assert "urge" not in access.issue_allowed_actions(VIEWERS["street staff"], recent)
    recent.last_urged_at = timezone.now() - timedelta(hours=25)
    assert "urge" in access.issue_allowed_actions(VIEWERS["street staff"], recent)


def test_no_photo_once_there_are_six():
    full = issue(HandlerKind.OFFICE, S.IN_PROGRESS)
    full._prefetched_objects_cache = {"photos": [object()] * Issue.MAX_PHOTOS}
    assert "add_photo" not in access.issue_allowed_actions(VIEWERS["community staff"], full)
    assert "add_photo" in access.issue_status_allows(full)  # the status alone would allow it


def lookups(q) -> dict:
    """The lookups of a Q, flattened (a subquery's value as the word "subquery": its repr would run it)."""
    found = {}
    for child in q.children:
        if isinstance(child, tuple):
            name, value = child
            found[name] = "subquery" if hasattr(value, "query") else value
        else:
            found.update(lookups(child))
    return found


def test_list_filters_are_built_without_a_query():
    assert access.issue_visible_q(Viewer.anonymous()) == access.issue_handled_q(Viewer.anonymous())
    assert lookups(access.issue_visible_q(VIEWERS["superuser"])) == {}
    handled = lookups(access.issue_handled_q(VIEWERS["department member"]))
    assert handled["handler_user_id__in"] == [MEMBER]  # named as grid leader
    assert handled["handler_department_id__in"] == "subquery"  # their memberships, read by the database
    assert handled["assignee_id"] == MEMBER
    assert lookups(access.supervised_q(VIEWERS["street staff"])) == {"supervision_unit_id__in": [3]}
    assert lookups(access.extensions_decidable_q(VIEWERS["street staff"])) == {
        "approver_unit__path__startswith": STREET
    }
