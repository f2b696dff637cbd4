"""A small city for the issue service tests, built with the shared factories (tests/factories.py).

Two districts with one chain of units each; district `a` has a grid worker and
leader, community and street staff and an urban management department, district
`b` a grid worker and a leader. The rules mirror the demo's shape: city-wide
rules for some categories, a deeper district rule for sanitation, none for "other".
"""

from __future__ import annotations

from dataclasses import dataclass

from grids.models import GridUnit, Post, User
from issues import selectors
from issues.models import Department, HandlerKind, Issue, IssueCategory
from tests.factories import (
    Branch,
    CategoryFactory,
    DepartmentFactory,
    IssueFactory,
    RoutingRuleFactory,
    UnitFactory,
    UserFactory,
    grid_branch,
    person_at,
)

K = Issue.Kind
R = Post.Role
L = GridUnit.Level


@dataclass(frozen=True)
class World:
    """A city with district `a` (its people below) and district `b` (a worker and a leader)."""

    city: GridUnit
    a: Branch
    b: Branch
    worker: User  # grid worker of a's area
    leader: User  # grid leader of a's area
    community: User  # staff of a's community office
    street: User  # staff of a's street office
    worker_b: User
    urban: User  # member of a's urban management department
    department: Department
    categories: dict[str, IssueCategory]


def build_world() -> World:
    city = UnitFactory()
    a, b = grid_branch(city), grid_branch(city)
    categories = {
        code: CategoryFactory(kind=kind, time_limit_hours=hours)
        for code, kind, hours in [
            ("opinion-property", K.OPINION, 72),
            ("opinion-env", K.OPINION, 48),
            ("proxy-cert", K.PROXY_SERVICE, 168),
            ("dispute-neighbour", K.DISPUTE, 72),
            ("hazard-fire", K.HAZARD, 24),
            ("other", K.OTHER, 120),
        ]
    }
    urban = UserFactory()
    department = DepartmentFactory(unit=a.district, members=[urban])
    # City-wide rules, and a deeper one: in district a sanitation goes to its department.
    RoutingRuleFactory(unit=city, category=categories["opinion-property"])
    RoutingRuleFactory(unit=city, category=categories["proxy-cert"])
    RoutingRuleFactory(unit=city, category=categories["hazard-fire"], office_level=L.STREET)
    for code in ("opinion-env", "dispute-neighbour"):
        RoutingRuleFactory(unit=city, category=categories[code], handler_kind=HandlerKind.GRID_LEADER)
    RoutingRuleFactory(
        unit=a.district,
        category=categories["opinion-env"],
        handler_kind=HandlerKind.DEPARTMENT,
        department=department,
    )
    # "other" has no rule: it reaches the community office flagged "no rule".
    person_at(b.area, R.GRID_LEADER)
    return World(
        city=city,
        a=a,
        b=b,
        worker=person_at(a.area, R.GRID_WORKER),
        leader=person_at(a.area, R.GRID_LEADER),
        community=person_at(a.community, R.COMMUNITY_STAFF),
        street=person_at(a.street, R.STREET_STAFF),
        worker_b=person_at(b.area, R.GRID_WORKER),
        urban=urban,
        department=department,
        categories=categories,
    )


def category(world: World, code: str) -> IssueCategory:
    return world.categories[code]


def log(
    world: World, reporter: User, *, code: str = "opinion-property", unit: GridUnit | None = None, **kwargs
) -> Issue:
    """A logged issue, still waiting for routing, in the reporter's usual micro-grid unless told."""
    unit = unit or selectors.default_log_unit(viewer=reporter)
    return IssueFactory(reporter=reporter, unit=unit, category=category(world, code), **kwargs)


def log_routed(world: World, reporter: User, **kwargs) -> Issue:
    return log(world, reporter, routed=True, **kwargs)
