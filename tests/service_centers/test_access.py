"""The access predicates are pure: a Viewer and an unsaved point in, an answer out, no query.

These tests have no database at all: a query would fail them.
"""

import pytest

from grids.models import GridUnit, Post
from grids.viewer import PostHeld, Standing, Viewer, ViewerKind
from service_centers import access
from service_centers.models import ServicePoint

# City 0001, district 00010001, street, community, area below it; another district's community.
DISTRICT = "00010001"
STREET = DISTRICT + "0001"
COMMUNITY = STREET + "0001"
AREA = COMMUNITY + "0001"
ELSEWHERE = "00010002" + "0001" + "0001"
OWN_POINT = 7


def viewer(*posts: tuple[str, str], points=(), superuser=False) -> Viewer:
    """A person's Viewer with this standing, built without the database."""
    built = Viewer(kind=ViewerKind.USER, sees_everything=superuser, label="test")
    held = tuple(PostHeld(role=role, unit_id=index, path=path) for index, (role, path) in enumerate(posts))
    built.__dict__["standing"] = Standing(posts=held, service_points=frozenset(points))
    return built


def point(kind: str, path: str = COMMUNITY, pk: int = OWN_POINT) -> ServicePoint:
    return ServicePoint(pk=pk, kind=kind, unit=GridUnit(path=path, level=len(path) // 4, name="单元"))


RED, WORK, CENTER = ServicePoint.Kind.RED_STATION, ServicePoint.Kind.WORKSTATION, ServicePoint.Kind.PARTY_CENTER
WORKSTATION_RECORDS = {access.RECORD_MEETING, access.RECORD_ACTIVITY, access.ADD_MEMBER}
MANAGE = {access.RATE, access.EDIT}

VIEWERS = {
    "anonymous": Viewer.anonymous(),
    "superuser": viewer(superuser=True),
    "district staff": viewer((Post.Role.DISTRICT_STAFF, DISTRICT)),
    "street staff": viewer((Post.Role.STREET_STAFF, STREET)),
    "community staff elsewhere": viewer((Post.Role.COMMUNITY_STAFF, ELSEWHERE)),
    "grid worker of the area": viewer((Post.Role.GRID_WORKER, AREA)),
    "grid worker of the community": viewer((Post.Role.GRID_WORKER, COMMUNITY)),
    "the point's own staff": viewer(points=[OWN_POINT]),
    "another point's staff": viewer(points=[OWN_POINT + 1]),
}

# (viewer, kind of point) -> the allowed actions.
EXPECTED = {
    ("anonymous", RED): set(),
    ("superuser", RED): {access.LOG_SERVICE, *MANAGE},
    ("superuser", WORK): {*WORKSTATION_RECORDS, *MANAGE},
    ("superuser", CENTER): MANAGE,
    ("district staff", RED): {access.LOG_SERVICE, *MANAGE},
    ("district staff", WORK): {*WORKSTATION_RECORDS, *MANAGE},
    ("district staff", CENTER): MANAGE,
    ("street staff", WORK): {*WORKSTATION_RECORDS, *MANAGE},
    ("community staff elsewhere", RED): set(),
    ("community staff elsewhere", WORK): set(),
    ("grid worker of the area", RED): set(),
    ("grid worker of the community", WORK): set(),
    ("the point's own staff", RED): {access.LOG_SERVICE},
    ("the point's own staff", WORK): WORKSTATION_RECORDS,
    ("the point's own staff", CENTER): set(),
    ("another point's staff", RED): set(),
}


@pytest.mark.parametrize(("who", "kind"), sorted(EXPECTED))
def test_allowed_actions(who, kind):
    assert access.allowed_actions(VIEWERS[who], point(kind)) == EXPECTED[(who, kind)]


@pytest.mark.parametrize(
    ("who", "work", "manage"),
    [
        ("anonymous", False, False),
        ("superuser", True, True),
        ("district staff", True, True),
        ("community staff elsewhere", False, False),
        ("grid worker of the community", False, False),
        ("the point's own staff", True, False),
        ("another point's staff", False, False),
    ],
)
def test_work_and_manage(who, work, manage):
    subject = point(RED)
    assert access.can_work_on_point(VIEWERS[who], subject) is work
    assert access.can_manage_unit(VIEWERS[who], subject.unit) is manage


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("the point's own staff", True),
        ("district staff", False),
        ("superuser", False),
        ("anonymous", False),
    ],
)
def test_is_point_staff_only_reads_the_viewer_alone(who, expected):
    assert access.is_point_staff_only(VIEWERS[who]) is expected


def test_a_point_staff_member_with_a_post_is_not_staff_only():
    both = viewer((Post.Role.GRID_WORKER, AREA), points=[OWN_POINT])
    assert not access.is_point_staff_only(both)


def test_visible_points_q_adds_the_viewers_own_points():
    assert "pk__in" in str(access.visible_points_q(VIEWERS["the point's own staff"]))
    assert "pk__in" not in str(access.visible_points_q(VIEWERS["district staff"]))
    # Everything stays everything, even for a superuser who also staffs a point.
    assert str(access.visible_points_q(viewer(points=[OWN_POINT], superuser=True))) == "(AND: )"
