"""The contract predicates are pure: a Viewer and unsaved objects in, an answer out.

These tests have no database at all: a query would fail them.
"""

from datetime import date

import pytest

from contracts import access
from contracts.models import AwardList, Contract, Evaluation
from grids.models import GridUnit, Post
from grids.viewer import PostHeld, Standing, Viewer, ViewerKind

DISTRICT = "00010001"
STREET = DISTRICT + "0001"
COMMUNITY = STREET + "0001"
NEIGHBOUR = STREET + "0002"  # another community of the same street
UNIT = 5  # the co-building unit of the contract
YEAR = 2025
DURING, AFTER = date(YEAR, 6, 1), date(YEAR + 1, 1, 2)


def viewer(*posts: tuple[str, str], units=(), superuser=False) -> Viewer:
    built = Viewer(kind=ViewerKind.USER, sees_everything=superuser, label="test")
    held = tuple(PostHeld(role=role, unit_id=index, path=path) for index, (role, path) in enumerate(posts))
    built.__dict__["standing"] = Standing(posts=held, cobuilding_units=frozenset(units))
    return built


def unit(path: str) -> GridUnit:
    return GridUnit(path=path, level=len(path) // 4, name="单元")


def contract(status: str) -> Contract:
    return Contract(pk=1, status=status, year=YEAR, unit_id=UNIT, community=unit(COMMUNITY))


VIEWERS = {
    "community staff": viewer((Post.Role.COMMUNITY_STAFF, COMMUNITY)),
    "neighbour's community staff": viewer((Post.Role.COMMUNITY_STAFF, NEIGHBOUR)),
    "street staff": viewer((Post.Role.STREET_STAFF, STREET)),
    "district staff": viewer((Post.Role.DISTRICT_STAFF, DISTRICT)),
    "organisation department": viewer((Post.Role.ORG_DEPARTMENT, DISTRICT)),
    "unit contact": viewer(units=[UNIT]),
    "another unit's contact": viewer(units=[UNIT + 1]),
    "superuser": viewer(superuser=True),
    "anonymous": Viewer.anonymous(),
}
LISTS = {access.ADD_DEMAND, access.ADD_RESOURCE, access.ADD_COMMITMENT}
S = Contract.Status


@pytest.mark.parametrize(
    ("who", "status", "today", "expected"),
    [
        ("community staff", S.DRAFT, DURING, {*LISTS, access.SIGN}),
        ("community staff", S.SIGNED, DURING, {*LISTS, access.ACTIVATE}),
        ("community staff", S.ACTIVE, DURING, set()),  # the year is not over: not yet closed
        ("community staff", S.ACTIVE, AFTER, {access.CLOSE}),
        ("community staff", S.CLOSED, AFTER, set()),
        ("neighbour's community staff", S.DRAFT, DURING, set()),
        ("street staff", S.DRAFT, DURING, set()),  # a named role at a named unit, never "anything above"
        ("district staff", S.SIGNED, DURING, set()),
        ("superuser", S.DRAFT, DURING, set()),
        ("unit contact", S.DRAFT, DURING, set()),
        ("unit contact", S.ACTIVE, DURING, {access.REPORT_PROGRESS}),
        ("unit contact", S.CLOSED, AFTER, set()),
        ("another unit's contact", S.ACTIVE, DURING, set()),
        ("anonymous", S.ACTIVE, DURING, set()),
    ],
)
def test_contract_allowed_actions(who, status, today, expected):
    assert access.contract_allowed_actions(VIEWERS[who], contract(status), today=today) == expected


STAGE = Evaluation.Stage
BOTH = {access.SUBMIT, access.SEND_BACK}


@pytest.mark.parametrize(
    ("who", "stage", "expected"),
    [
        ("unit contact", STAGE.SELF, {access.SUBMIT}),  # the first stage has nowhere to send back to
        ("community staff", STAGE.SELF, set()),
        ("community staff", STAGE.COMMUNITY, BOTH),
        ("unit contact", STAGE.COMMUNITY, set()),
        ("street staff", STAGE.STREET, BOTH),
        ("district staff", STAGE.STREET, set()),
        ("organisation department", STAGE.DISTRICT, BOTH),
        ("district staff", STAGE.DISTRICT, set()),
        ("organisation department", STAGE.DONE, set()),
        ("superuser", STAGE.DISTRICT, set()),
    ],
)
def test_evaluation_allowed_actions(who, stage, expected):
    evaluation = Evaluation(stage=stage, contract=contract(S.ACTIVE))
    assert access.evaluation_allowed_actions(VIEWERS[who], evaluation) == expected
    combined = access.contract_allowed_actions(VIEWERS[who], evaluation.contract, evaluation, today=DURING)
    assert combined & set(access.EVALUATION_ACTIONS) == expected
    assert access.acting_stage(VIEWERS[who], evaluation.contract, evaluation) == (stage if expected else None)


def test_an_evaluation_waits_while_the_contract_is_not_active():
    evaluation = Evaluation(stage=STAGE.SELF, contract=contract(S.SIGNED))
    assert access.evaluation_allowed_actions(VIEWERS["unit contact"], evaluation) == set()


@pytest.mark.parametrize(
    ("who", "published", "today", "expected"),
    [
        ("community staff", False, date(YEAR, 4, 1), {access.PUBLISH}),
        ("community staff", False, date(YEAR, 3, 31), set()),  # the first quarter has not ended
        ("community staff", True, date(YEAR, 4, 1), {access.CORRECT}),
        ("neighbour's community staff", False, date(YEAR, 4, 1), set()),
        ("street staff", False, date(YEAR, 4, 1), set()),
        ("superuser", True, date(YEAR, 4, 1), set()),
    ],
)
def test_board_allowed_actions(who, published, today, expected):
    actions = access.board_allowed_actions(
        VIEWERS[who], unit(COMMUNITY), year=YEAR, quarter=1, published=published, today=today
    )
    assert actions == expected


def test_only_a_community_has_a_board():
    assert (
        access.board_allowed_actions(
            viewer((Post.Role.STREET_STAFF, STREET), (Post.Role.COMMUNITY_STAFF, STREET)),
            unit(STREET),
            year=YEAR,
            quarter=1,
            published=False,
            today=AFTER,
        )
        == set()
    )


DRAFT, PUBLISHED = AwardList(status=AwardList.Status.DRAFT), AwardList(status=AwardList.Status.PUBLISHED)


@pytest.mark.parametrize(
    ("who", "award_list", "has_entries", "expected"),
    [
        ("organisation department", None, False, {access.ADD_ENTRY}),
        ("organisation department", DRAFT, False, {access.ADD_ENTRY, access.REMOVE_ENTRY}),
        ("organisation department", DRAFT, True, set(access.AWARD_ACTIONS)),
        ("organisation department", PUBLISHED, True, set()),
        ("district staff", DRAFT, True, set()),
        ("street staff", None, False, set()),
        ("superuser", DRAFT, True, set()),
    ],
)
def test_award_allowed_actions(who, award_list, has_entries, expected):
    actions = access.award_allowed_actions(VIEWERS[who], unit(DISTRICT), award_list, has_entries=has_entries)
    assert actions == expected


@pytest.mark.parametrize(
    ("who", "stages"),
    [
        ("unit contact", [STAGE.SELF]),
        ("community staff", [STAGE.COMMUNITY]),
        ("street staff", [STAGE.STREET]),
        ("organisation department", [STAGE.DISTRICT]),
        ("district staff", []),
        ("superuser", []),
    ],
)
def test_each_stage_has_one_role(who, stages):
    assert access.actionable_stages(VIEWERS[who], contract(S.ACTIVE)) == stages


def test_visibility_is_the_jurisdiction_plus_the_contacts_own_units():
    assert str(access.contract_visible_q(VIEWERS["superuser"])) == "(AND: )"
    assert "unit_id__in" in str(access.contract_visible_q(VIEWERS["unit contact"], prefix="contract__"))
    community = str(access.contract_visible_q(VIEWERS["community staff"]))
    assert COMMUNITY in community
    assert "unit_id" not in community
    # Nothing at all: no posts, no units.
    assert str(access.contract_visible_q(VIEWERS["anonymous"])) == "(AND: ('pk__in', []))"
