"""Yearly awards: ranking by final score and completion, selection by the district organisation department."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from contracts import services
from contracts.models import AwardList, Progress, TallyRun
from contracts.selectors import award_ranking
from grids import services as grid_services
from grids.models import Post

from . import factories as f

pytestmark = pytest.mark.django_db


def evaluate(contract, contact, staff, people, final: int):
    evaluation = contract.evaluation
    services.evaluation_submit(actor=contact, evaluation=evaluation, stage="self", score=95)
    services.evaluation_submit(actor=staff, evaluation=evaluation, stage="community", score=90)
    services.evaluation_submit(actor=people["street"], evaluation=evaluation, stage="street", score=88)
    services.evaluation_submit(actor=people["orgdept"], evaluation=evaluation, stage="district", score=final)


@pytest.fixture
def evaluated():
    """Three fully evaluated contracts and one waiting, in 雁山区 (a district with no demo award list)."""
    street = f.street("雁山镇")
    district = street.parent
    people = {"street": f.user("sstaff"), "orgdept": f.user("orgdept")}
    grid_services.post_assign(user=people["street"], unit=street, role=Post.Role.STREET_STAFF)
    grid_services.post_assign(user=people["orgdept"], unit=district, role=Post.Role.ORG_DEPARTMENT)
    community, staff = f.community(street)
    rows = []
    for final in (82, 97, 90):
        unit, contact = f.cobuilding_unit("雁山区")
        contract = f.contract(
            community=community, staff=staff, unit=unit, commitments=[{"weight": 2, "targets": {4: 1}}]
        )
        f.report(contract, contact, 0, 4, Progress.Status.MET, achieved=1)
        evaluate(contract, contact, staff, people, final)
        rows.append(contract)
    pending_unit, _c = f.cobuilding_unit("雁山区")
    pending = f.contract(community=community, staff=staff, unit=pending_unit)  # not evaluated: not rankable
    services.tally_quarter(year=pending.year, quarter=4, trigger=TallyRun.Trigger.COMMAND)
    return {"contracts": rows, "pending": pending, "district": district, **people}


def test_ranking_orders_by_final_score_then_completion(evaluated):
    ranked, units = award_ranking(viewer=evaluated["orgdept"], district=evaluated["district"], year=f.last_year())
    ours = [row for row in ranked if row.contract in evaluated["contracts"]]
    assert [row.final_score for row in ours] == [97, 90, 82]
    assert all(str(row.completion_rate) == "100.00" for row in ours)
    assert evaluated["pending"].pk not in [row.contract.pk for row in ranked]
    assert {u.unit.pk for u in units} >= {c.unit_id for c in evaluated["contracts"]}


def test_the_organisation_department_selects_and_publishes(evaluated):
    orgdept = evaluated["orgdept"]
    best = evaluated["contracts"][1]
    award_list = services.award_list_open(actor=orgdept, district=evaluated["district"], year=f.last_year())
    services.award_entry_add(actor=orgdept, award_list=award_list, kind="unit", contract=best, citation="成效突出")
    services.award_entry_add(actor=orgdept, award_list=award_list, kind="person", contract=best, person_name="李建国")
    with pytest.raises(ValidationError, match="尚未完成"):
        services.award_entry_add(actor=orgdept, award_list=award_list, kind="unit", contract=evaluated["pending"])
    with pytest.raises(ValidationError, match="已在名单上"):
        services.award_entry_add(actor=orgdept, award_list=award_list, kind="unit", contract=best)
    with pytest.raises(ValidationError) as error:
        services.award_entry_add(actor=orgdept, award_list=award_list, kind="person", contract=best, person_name=" ")
    assert "person_name" in error.value.message_dict
    services.award_list_publish(actor=orgdept, award_list=award_list)
    with pytest.raises(ValidationError, match="已公布"):
        services.award_entry_add(actor=orgdept, award_list=award_list, kind="unit", contract=evaluated["contracts"][2])
    page = Client().get(reverse("contracts:award_public")).content.decode()
    assert "李建国" in page
    assert best.unit.name in page
    api = Client().get("/api/v1/contracts/awards/").json()
    assert any(row["id"] == award_list.pk for row in api["results"])


def test_other_roles_cannot_select(evaluated, demo_user, client_as):
    for actor in (evaluated["street"], demo_user("xiufeng_orgdept"), demo_user("xiufeng_district")):
        with pytest.raises(PermissionDenied):
            services.award_list_open(actor=actor, district=evaluated["district"], year=f.last_year())
    assert client_as("xiufeng_street").get(reverse("contracts:award_manage")).status_code == 403
    client = Client()
    client.force_login(evaluated["orgdept"])
    page = client.get(reverse("contracts:award_manage"), {"year": f.last_year()})
    assert page.status_code == 200
    assert len(page.context["contracts"]) == 3
    # The demo's 秀峰区 organisation department sees its own district's published list and ranking.
    xiufeng = client_as("xiufeng_orgdept").get(reverse("contracts:award_manage"), {"year": f.last_year()})
    assert xiufeng.status_code == 200
    assert xiufeng.context["award_list"].status == AwardList.Status.PUBLISHED


def test_selection_through_the_page(evaluated):
    client = Client()
    client.force_login(evaluated["orgdept"])
    best = evaluated["contracts"][1]
    response = client.post(
        reverse("contracts:award_entry_add"),
        {
            "district": evaluated["district"].pk,
            "year": f.last_year(),
            "kind": "unit",
            "contract": best.pk,
            "citation": "好",
        },
    )
    assert response.status_code == 302
    award_list = AwardList.objects.get(district=evaluated["district"], year=f.last_year())
    assert award_list.entries.filter(unit=best.unit).exists()
    client.post(reverse("contracts:award_publish", args=[award_list.pk]))
    award_list.refresh_from_db()
    assert award_list.status == AwardList.Status.PUBLISHED
    ranking = client.get(
        "/api/v1/contracts/awards/ranking/", {"district": evaluated["district"].pk, "year": f.last_year()}
    )
    assert ranking.status_code == 200
    assert ranking.json()["contracts"][0]["final_score"] >= 97
