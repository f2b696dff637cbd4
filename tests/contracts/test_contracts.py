"""Contracts: life cycle, who sees what (404 outside), pages and API, constant query counts."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts import services
from contracts.models import Contract, Evaluation, TallyRun
from contracts.services import tally_quarter
from grids.models import User

from . import factories as f

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------
# Life cycle
# ---------------------------------------------------------------------------
def test_a_contract_goes_draft_signed_active_closed():
    community, staff = f.community()
    unit, _contact = f.cobuilding_unit()
    year = f.last_year()
    contract = services.contract_create(actor=staff, community=community, unit=unit, year=year, title="共建")
    assert contract.status == Contract.Status.DRAFT
    assert contract.number == f"{year}-{community.code}-001"
    with pytest.raises(ValidationError) as error:
        services.contract_sign(actor=staff, contract=contract, signed_on=date(year, 1, 10))
    assert {"demands", "resources"} <= set(error.value.message_dict)
    demand = services.demand_add(actor=staff, contract=contract, title="帮扶")
    resource = services.resource_add(actor=staff, contract=contract, title="资金")
    services.contract_sign(actor=staff, contract=contract, signed_on=date(year, 1, 10))
    with pytest.raises(ValidationError, match="承诺服务事项"):
        services.contract_activate(actor=staff, contract=contract)
    services.commitment_add(
        actor=staff,
        contract=contract,
        demand=demand,
        resource=resource,
        title="帮扶",
        target_kind="count",
        weight=2,
        targets={1: 1},
    )
    services.contract_activate(actor=staff, contract=contract)
    assert Evaluation.objects.get(contract=contract).stage == Evaluation.Stage.SELF
    with pytest.raises(ValidationError, match="不能再修改"):
        services.demand_add(actor=staff, contract=contract, title="晚了")
    services.contract_close(actor=staff, contract=contract)
    kinds = list(contract.events.order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == ["created", "demand_added", "resource_added", "signed", "commitment_added", "activated", "closed"]


def test_contract_rules_refuse_bad_input():
    community, staff = f.community()
    unit, _contact = f.cobuilding_unit()
    with pytest.raises(ValidationError) as error:
        services.contract_create(
            actor=staff, community=community, unit=unit, year=timezone.localdate().year + 5, title="x"
        )
    assert "year" in error.value.message_dict
    f.contract(community=community, staff=staff, unit=unit)
    with pytest.raises(ValidationError) as error:
        services.contract_create(actor=staff, community=community, unit=unit, year=f.last_year(), title="又一份")
    assert "unit" in error.value.message_dict
    draft = f.contract(community=community, staff=staff, unit=f.cobuilding_unit()[0], status="draft")
    demand, resource = draft.demands.get(), draft.resources.get()
    for targets, kind in (({}, "count"), ({5: 1}, "count"), ({1: 0}, "count"), ({2: ""}, "milestone")):
        with pytest.raises(ValidationError) as error:
            services.commitment_add(
                actor=staff,
                contract=draft,
                demand=demand,
                resource=resource,
                title="x",
                target_kind=kind,
                weight=1,
                targets=targets,
            )
        assert "targets" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.commitment_add(
            actor=staff,
            contract=draft,
            demand=demand,
            resource=resource,
            title="x",
            target_kind="count",
            weight=11,
            targets={1: 1},
        )
    assert "weight" in error.value.message_dict


def test_only_the_communitys_staff_keep_its_contracts(demo_user):
    community, staff = f.community()
    unit, contact = f.cobuilding_unit()
    for actor in (contact, demo_user("xiufeng_street"), demo_user("xiufeng_community")):
        with pytest.raises(PermissionDenied):
            services.contract_create(actor=actor, community=community, unit=unit, year=f.last_year(), title="x")
    contract = f.contract(community=community, staff=staff, unit=unit, status="draft")
    with pytest.raises(PermissionDenied):
        services.demand_add(actor=contact, contract=contract, title="x")


# ---------------------------------------------------------------------------
# Who sees what
# ---------------------------------------------------------------------------
@pytest.fixture
def xiufeng_contract(demo_user):
    """A demo contract of unit_contact's unit in 秀峰区."""
    return (
        Contract.objects.filter(unit__contacts__user=demo_user("unit_contact"), evaluation__isnull=False)
        .order_by("-year", "number")
        .first()
    )


def test_out_of_jurisdiction_contracts_are_404_in_pages_and_api(xiufeng_contract, client_as):
    assert xiufeng_contract.community.path.startswith(
        Contract.objects.filter(pk=xiufeng_contract.pk).values_list("community__path", flat=True).get()[:8]
    )
    outsider = client_as("qixing_worker")
    assert outsider.get(reverse("contracts:contract_detail", args=[xiufeng_contract.pk])).status_code == 404
    assert outsider.get(f"/api/v1/contracts/{xiufeng_contract.pk}/").status_code == 404
    assert (
        outsider.post(reverse("contracts:contract_status", args=[xiufeng_contract.pk]), {"action": "close"}).status_code
        == 404
    )
    evaluation = xiufeng_contract.evaluation
    assert outsider.get(f"/api/v1/contracts/evaluations/{evaluation.pk}/").status_code == 404
    assert (
        outsider.post(
            f"/api/v1/contracts/evaluations/{evaluation.pk}/submit/", {"stage": "self", "score": 1}
        ).status_code
        == 404
    )
    assert xiufeng_contract.pk not in [c["id"] for c in outsider.get("/api/v1/contracts/").json()["results"]]
    for insider in ("xiufeng_district", "xiufeng_orgdept", "unit_contact"):
        assert (
            client_as(insider).get(reverse("contracts:contract_detail", args=[xiufeng_contract.pk])).status_code == 200
        )


def test_a_unit_contact_sees_only_its_units_contracts(demo_user, client_as):
    contact = demo_user("unit_contact")
    unit_id = contact.cobuilding_contacts.get().unit_id
    listed = client_as("unit_contact").get("/api/v1/contracts/?page_size=100").json()
    assert listed["count"] == Contract.objects.filter(unit_id=unit_id).count() > 0
    assert {row["unit"] for row in listed["results"]} == {unit_id}
    other = Contract.objects.exclude(unit_id=unit_id).first()
    assert client_as("unit_contact").get(reverse("contracts:contract_detail", args=[other.pk])).status_code == 404
    assert client_as("unit_contact").get(f"/api/v1/contracts/{other.pk}/").status_code == 404
    units = client_as("unit_contact").get("/api/v1/contracts/units/").json()
    assert [row["id"] for row in units["results"]] == [unit_id]


def test_tally_page_outside_jurisdiction_is_404(client_as, unit_named):
    xiufeng = unit_named("秀峰区")
    response = client_as("qixing_worker").get(reverse("contracts:tally_overview"), {"unit": xiufeng.pk})
    assert response.status_code == 404
    assert (
        client_as("xiufeng_district").get(reverse("contracts:tally_overview"), {"unit": xiufeng.pk}).status_code == 200
    )


# ---------------------------------------------------------------------------
# Pages and API writes
# ---------------------------------------------------------------------------
def test_drafting_a_contract_through_the_pages(client):
    community, staff = f.community()
    unit, _contact = f.cobuilding_unit()
    client.force_login(staff)
    year = f.last_year()
    response = client.post(
        reverse("contracts:contract_create"),
        {"community": community.pk, "unit": unit.pk, "year": year, "title": "共建"},
    )
    contract = Contract.objects.get(community=community)
    assert response.status_code == 302
    assert response["Location"] == reverse("contracts:contract_detail", args=[contract.pk])
    client.post(reverse("contracts:demand_add", args=[contract.pk]), {"title": "环境整治"})
    client.post(reverse("contracts:resource_add", args=[contract.pk]), {"title": "志愿者"})
    response = client.post(
        reverse("contracts:commitment_create", args=[contract.pk]),
        {
            "title": "清扫",
            "demand": contract.demands.get().pk,
            "resource": contract.resources.get().pk,
            "target_kind": "count",
            "weight": 2,
            "q1": "abc",
        },
    )
    assert response.status_code == 200
    assert "正整数" in response.content.decode()
    client.post(
        reverse("contracts:commitment_create", args=[contract.pk]),
        {
            "title": "清扫",
            "demand": contract.demands.get().pk,
            "resource": contract.resources.get().pk,
            "target_kind": "count",
            "weight": 2,
            "q1": "2",
            "q3": "2",
        },
    )
    client.post(
        reverse("contracts:contract_status", args=[contract.pk]), {"action": "sign", "signed_on": f"{year}-01-05"}
    )
    client.post(reverse("contracts:contract_status", args=[contract.pk]), {"action": "activate"})
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    assert list(contract.commitments.get().targets.values_list("quarter", "target_count")) == [(1, 2), (3, 2)]
    page = client.get(reverse("contracts:contract_detail", args=[contract.pk]))
    assert page.status_code == 200
    assert "清扫" in page.content.decode()


def test_drafting_through_the_api(client):
    community, staff = f.community()
    unit, _contact = f.cobuilding_unit()
    client.force_login(staff)
    response = client.post(
        "/api/v1/contracts/", {"community": community.pk, "unit": unit.pk, "year": f.last_year(), "title": "共建"}
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    demand = client.post(f"/api/v1/contracts/{pk}/demands/", {"title": "帮扶"}).json()["id"]
    resource = client.post(f"/api/v1/contracts/{pk}/resources/", {"title": "资金"}).json()["id"]
    bad = client.post(
        "/api/v1/contracts/commitments/",
        {
            "contract": pk,
            "demand": demand,
            "resource": resource,
            "title": "x",
            "target_kind": "count",
            "weight": 1,
            "targets": {"1": -1},
        },
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "targets" in bad.json()
    made = client.post(
        "/api/v1/contracts/commitments/",
        {
            "contract": pk,
            "demand": demand,
            "resource": resource,
            "title": "帮扶",
            "target_kind": "milestone",
            "weight": 3,
            "targets": {"2": "方案", "4": "验收"},
        },
        content_type="application/json",
    )
    assert made.status_code == 201
    assert [t["milestone"] for t in made.json()["targets"]] == ["方案", "验收"]
    assert client.post(f"/api/v1/contracts/{pk}/activate/").status_code == 400  # still a draft
    assert (
        client.post(f"/api/v1/contracts/{pk}/sign/", {"signed_on": f"{f.last_year()}-01-05"}).json()["status"]
        == "signed"
    )
    detail = client.post(f"/api/v1/contracts/{pk}/activate/").json()
    assert detail["status"] == "active"
    assert detail["evaluation_stage"] == "self"


# ---------------------------------------------------------------------------
# Constant query counts
# ---------------------------------------------------------------------------
def _community_with(n: int):
    """n active contracts, each self-evaluated (so they wait in the community's inbox), tallied."""
    community, staff = f.community()
    for _i in range(n):
        unit, contact = f.cobuilding_unit()
        contract = f.contract(community=community, staff=staff, unit=unit)
        services.evaluation_submit(actor=contact, evaluation=contract.evaluation, stage="self", score=90)
    tally_quarter(year=contract.year, quarter=4, trigger=TallyRun.Trigger.COMMAND)
    return community, staff, contract.year


def _queries(client: Client, url: str, params: dict | None = None) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.parametrize(
    ("url", "rows"),
    [
        (reverse("contracts:contract_list"), lambda r: len(r.context["page"].object_list)),
        ("/api/v1/contracts/", lambda r: len(r.json()["results"])),
        (reverse("contracts:evaluation_inbox"), lambda r: len(r.context["page"].object_list)),
        ("/api/v1/contracts/evaluations/", lambda r: len(r.json()["results"])),
        ("/api/v1/contracts/commitments/", lambda r: len(r.json()["results"])),
        ("/api/v1/contracts/tallies/", lambda r: len(r.json()["results"])),
    ],
)
def test_lists_take_the_same_queries_for_3_and_30_contracts(url, rows):
    counts = []
    for n in (3, 30):
        _community, staff, _year = _community_with(n)
        client = Client()
        client.force_login(staff)
        count, response = _queries(client, url)
        assert rows(response) >= n if "tallies" not in url else rows(response) == n + 1
        counts.append(count)
    assert counts[0] == counts[1]


def test_the_tally_page_takes_the_same_queries_for_3_and_30_contracts():
    counts = []
    for n in (3, 30):
        community, staff, year = _community_with(n)
        client = Client()
        client.force_login(staff)
        count, response = _queries(
            client, reverse("contracts:tally_overview"), {"unit": community.pk, "year": year, "quarter": 4}
        )
        assert len(response.context["overview"].contracts) == n
        counts.append(count)
    assert counts[0] == counts[1]
    # The street's page lists its communities (the demo's and the new ones) in the same number of queries.
    client = Client()
    client.force_login(User.objects.get(username="xiufeng_street"))
    street_count, response = _queries(
        client, reverse("contracts:tally_overview"), {"unit": community.parent_id, "year": year, "quarter": 4}
    )
    assert len(response.context["overview"].children) >= 2
    assert street_count <= counts[0] + 1
