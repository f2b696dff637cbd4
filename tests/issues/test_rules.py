"""The routing and supervision decisions the services and the demo seed share: pure, no database."""

import pytest

from grids.models import PATH_STEP, GridUnit
from issues.handler_kinds import community_path, grid_supervisor_path, nearest_holder, office_path
from issues.models import HandlerKind
from issues.services.routing import most_specific_rule
from issues.services.supervision import next_supervisor_path

L = GridUnit.Level


def path(*steps: int) -> str:
    """A tree path from one number per level (city first)."""
    return "".join(str(step).zfill(PATH_STEP) for step in steps)


CITY, DISTRICT, STREET, COMMUNITY, AREA, COMPOUND = (path(*range(1, n + 1)) for n in range(1, 7))
OTHER_DISTRICT = path(1, 9)
CATEGORY = 7

RULES = {
    (CITY, None): "city, any category",
    (CITY, CATEGORY): "city, this category",
    (DISTRICT, None): "district, any category",
    (STREET, CATEGORY): "street, this category",
    (OTHER_DISTRICT, CATEGORY): "the other district",
}


@pytest.mark.parametrize(
    ("rules", "at", "category_id", "expected"),
    [
        (RULES, COMPOUND, CATEGORY, "street, this category"),  # the deepest unit of the ancestry
        (RULES, STREET, CATEGORY, "street, this category"),  # a rule on the unit itself counts
        (RULES, COMPOUND, 8, "district, any category"),  # no rule for 8 on the street: the district's catch-all
        ({k: v for k, v in RULES.items() if k[0] != STREET}, COMPOUND, CATEGORY, "district, any category"),
        ({(CITY, None): "any", (CITY, CATEGORY): "this"}, COMPOUND, CATEGORY, "this"),  # category beats catch-all
        ({(CITY, CATEGORY): "this"}, COMPOUND, 8, None),  # nothing matches
        ({(OTHER_DISTRICT, CATEGORY): "elsewhere"}, COMPOUND, CATEGORY, None),  # not an ancestor
    ],
)
def test_most_specific_rule(rules, at, category_id, expected):
    assert most_specific_rule(rules, path=at, category_id=category_id) == expected


@pytest.mark.parametrize(
    ("holders", "at", "expected"),
    [
        ({AREA: 1}, COMPOUND, 1),
        ({AREA: 1, COMPOUND: 2}, COMPOUND, 2),  # the nearest enclosing unit wins
        ({COMPOUND: 2}, AREA, None),  # a post below the unit does not count
        ({}, COMPOUND, None),
    ],
)
def test_nearest_holder(holders, at, expected):
    assert nearest_holder(holders, at) == expected


def test_office_and_community_paths():
    assert office_path(COMPOUND, L.STREET) == STREET
    assert office_path(COMMUNITY, L.COMMUNITY) == COMMUNITY
    assert office_path(STREET, L.COMMUNITY) is None  # the unit is above that level
    assert community_path(COMPOUND) == COMMUNITY


@pytest.mark.parametrize(
    ("kind", "handler_path", "expected"),
    [
        (HandlerKind.GRID_LEADER, None, COMMUNITY),  # a grid leader: the issue's community
        (HandlerKind.OFFICE, COMMUNITY, STREET),  # an office: the unit above it
        (HandlerKind.OFFICE, CITY, None),  # nothing above the city
        (HandlerKind.DEPARTMENT, DISTRICT, DISTRICT),  # a department: the district it serves
        (HandlerKind.VOLUNTEER_TEAM, None, COMMUNITY),  # a kind without its own rule: the community
    ],
)
def test_grid_supervisor_path(kind, handler_path, expected):
    assert grid_supervisor_path(kind, issue_path=COMPOUND, handler_path=handler_path) == expected


def test_supervision_climbs_one_level_at_a_time_up_to_the_city():
    assert next_supervisor_path(STREET) == DISTRICT
    assert next_supervisor_path(DISTRICT) == CITY
    assert next_supervisor_path(CITY) is None
