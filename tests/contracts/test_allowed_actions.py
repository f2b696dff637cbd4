"""For every demo account and a sample contract in each state: the contract page shows exactly the
actions `contract_allowed_actions` gives (with its evaluation's), and the API accepts exactly those.

One table says what each account may do. A call the table refuses answers 404 when the contract is
out of sight, 403 when the account lacks the role, and 400 only when the account holds the role but
the state does not allow the action yet (signing a contract already signed).
"""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from contracts import access, services
from contracts.models import CoBuildingUnitContact, Contract, Evaluation
from contracts.periods import has_started
from grids.models import Post, User
from grids.viewer import Viewer
from tests.actions import answer_and_undo
from tests.actions import page_actions as shown_actions

from . import factories as f

pytestmark = pytest.mark.django_db

ACCOUNTS = (
    "xiufeng_community",
    "xiufeng_street",
    "xiufeng_orgdept",
    "unit_contact",
    "yangshuo_station",
    "xiufeng_worker",
    "admin",
)
LISTS = {access.ADD_DEMAND, access.ADD_RESOURCE, access.ADD_COMMITMENT}
JUDGE = {access.SUBMIT, access.SEND_BACK}
NONE: set[str] = set()
HIDDEN = None  # out of the account's sight: 404 for the page and every call

# Samples: in 解东社区 (xiufeng_community's), a draft, unit_contact's active contract waiting for its
# self-evaluation, an active contract waiting for the community, a closed one; unit_contact's signed
# contract in another district (叠彩区); and two contracts of a new community under 秀峰街道 waiting for the street and
# for the district. The current year's contracts are active, so nobody may close them yet.
SAMPLES = ("draft", "self", "community", "closed", "signed", "street", "district")
EXPECTED: dict[str, dict[str, set[str] | None]] = {
    "xiufeng_community": {
        "draft": {*LISTS, access.SIGN},
        "self": NONE,
        "community": JUDGE,
        "closed": NONE,
        "signed": HIDDEN,
        "street": HIDDEN,
        "district": HIDDEN,
    },
    "xiufeng_street": {
        "draft": NONE,
        "self": NONE,
        "community": NONE,
        "closed": NONE,
        "signed": HIDDEN,
        "street": JUDGE,
        "district": NONE,
    },
    "xiufeng_orgdept": {
        "draft": NONE,
        "self": NONE,
        "community": NONE,
        "closed": NONE,
        "signed": HIDDEN,
        "street": NONE,
        "district": JUDGE,
    },
    "unit_contact": {
        "draft": HIDDEN,
        "self": {access.SUBMIT, access.REPORT_PROGRESS},  # the first stage cannot be sent back
        "community": HIDDEN,
        "closed": HIDDEN,
        "signed": NONE,  # their own unit's: they read it, and report once it is active
        "street": HIDDEN,
        "district": HIDDEN,
    },
    "yangshuo_station": dict.fromkeys(SAMPLES, HIDDEN),
    "xiufeng_worker": dict.fromkeys(SAMPLES, HIDDEN),  # a micro-grid below the community holds no contract
    "admin": dict.fromkeys(SAMPLES, NONE),  # reads everything; acting needs a named role at a named unit
}

MANAGER_ACTIONS = {*LISTS, access.SIGN, access.ACTIVATE, access.CLOSE}


def _advance(contract: Contract, to: str) -> Contract:
    """Score the stages before `to`, each by its role."""
    evaluation = Evaluation.objects.get(contract=contract)
    actors = {
        Evaluation.Stage.SELF: CoBuildingUnitContact.objects.filter(unit=contract.unit).first().user,
        Evaluation.Stage.COMMUNITY: User.objects.filter(
            posts__role=Post.Role.COMMUNITY_STAFF, posts__unit=contract.community
        ).first(),
        Evaluation.Stage.STREET: User.objects.get(username="xiufeng_street"),
    }
    while evaluation.stage != to:
        evaluation = services.evaluation_submit(
            actor=actors[evaluation.stage], evaluation=evaluation, stage=evaluation.stage, score=88
        )
    return contract


def samples() -> dict[str, Contract]:
    community = Post.objects.get(user__username="xiufeng_community").unit
    own_unit = CoBuildingUnitContact.objects.get(user__username="unit_contact").unit
    here = Contract.objects.filter(community=community)
    found = {
        "draft": here.filter(status=Contract.Status.DRAFT).first(),
        "self": here.filter(unit=own_unit, evaluation__stage=Evaluation.Stage.SELF).first(),
        "community": here.filter(evaluation__stage=Evaluation.Stage.COMMUNITY).first(),
        "closed": here.filter(status=Contract.Status.CLOSED).exclude(unit=own_unit).first(),
        "signed": Contract.objects.filter(unit=own_unit, status=Contract.Status.SIGNED).first(),
    }
    new_community, staff = f.community()
    this_year = timezone.localdate().year
    for stage, name in ((Evaluation.Stage.STREET, "street"), (Evaluation.Stage.DISTRICT, "district")):
        unit, _contact = f.cobuilding_unit()
        made = f.contract(community=new_community, staff=staff, unit=unit, year=this_year)
        found[name] = _advance(made, stage)
    assert all(found.values()), {name: contract for name, contract in found.items() if contract is None}
    return {name: Contract.objects.select_related("community", "unit").get(pk=c.pk) for name, c in found.items()}


def api_calls(contract: Contract) -> dict[str, tuple[str, dict]]:
    """Each write the API offers on this contract: action -> (url, a valid body)."""
    base = f"/api/v1/contracts/{contract.pk}/"
    today = timezone.localdate()
    calls = {
        access.ADD_DEMAND: (f"{base}demands/", {"title": "助老服务"}),
        access.ADD_RESOURCE: (f"{base}resources/", {"title": "志愿者队伍"}),
        access.SIGN: (f"{base}sign/", {"signed_on": min(date(contract.year, 1, 15), today).isoformat()}),
        access.ACTIVATE: (f"{base}activate/", {}),
        access.CLOSE: (f"{base}close/", {}),
    }
    demand, resource = contract.demands.first(), contract.resources.first()
    if demand and resource:
        calls[access.ADD_COMMITMENT] = (
            "/api/v1/contracts/commitments/",
            {
                "contract": contract.pk,
                "demand": demand.pk,
                "resource": resource.pk,
                "title": "上门服务",
                "target_kind": "count",
                "weight": 1,
                "targets": {"4": 1},
            },
        )
    target = (
        contract.commitments.filter(targets__isnull=False)
        .values_list("pk", "targets__quarter")
        .order_by("targets__quarter", "pk")
    )
    started = [(pk, quarter) for pk, quarter in target if has_started(contract.year, quarter, today)]
    if started:
        commitment, quarter = started[0]
        calls[access.REPORT_PROGRESS] = (
            "/api/v1/contracts/progress/",
            {
                "commitment": commitment,
                "year": contract.year,
                "quarter": quarter,
                "status": "scheduled",
                "evidence_text": "已排期，下月开展。",
            },
        )
    evaluation = Evaluation.objects.filter(contract=contract).first()
    if evaluation is not None:
        stage = evaluation.stage
        calls[access.SUBMIT] = (f"/api/v1/contracts/evaluations/{evaluation.pk}/submit/", {"stage": stage, "score": 90})
        calls[access.SEND_BACK] = (
            f"/api/v1/contracts/evaluations/{evaluation.pk}/send-back/",
            {"stage": stage, "reason": "请补充佐证"},
        )
    return calls


def holds_the_role(viewer: Viewer, contract: Contract, action: str) -> bool:
    if action in MANAGER_ACTIONS:
        return access.can_manage(viewer, contract)
    if action == access.REPORT_PROGRESS:
        return access.is_contact_of(viewer, contract)
    return False  # an evaluation refused is always a 403 (wrong role, or a stage out of turn)


def page_actions(client: Client, contract: Contract) -> set[str] | None:
    return shown_actions(client, reverse("contracts:contract_detail", args=[contract.pk]))


def api_answer(client: APIClient, url: str, body: dict) -> int:
    return answer_and_undo(client, "post", url, body, format="json")


@pytest.mark.parametrize("username", ACCOUNTS)
def test_page_buttons_equal_allowed_actions_equal_what_the_api_accepts(username):
    user = User.objects.get(username=username)
    viewer = Viewer.for_user(user)
    page_client = Client()
    page_client.force_login(user)
    api_client = APIClient()
    api_client.force_authenticate(user)
    for name, contract in samples().items():
        expected = EXPECTED[username][name]
        where = f"{username} on {name} ({contract.number}, {contract.status})"
        shown = page_actions(page_client, contract)
        calls = api_calls(contract)
        if expected is HIDDEN:
            assert shown is HIDDEN, where
            for action, call in calls.items():
                assert api_answer(api_client, *call) == 404, f"{where}: {action}"
            continue
        evaluation = Evaluation.objects.filter(contract=contract).first()
        allowed = access.contract_allowed_actions(viewer, contract, evaluation)
        assert allowed == expected, where
        assert shown == allowed, where
        for action, call in calls.items():
            status = api_answer(api_client, *call)
            if action in allowed:
                assert 200 <= status < 300, f"{where}: {action} answered {status}"
            elif holds_the_role(viewer, contract, action):
                assert status == 400, f"{where}: {action} answered {status}"
            else:
                assert status == 403, f"{where}: {action} answered {status}"
