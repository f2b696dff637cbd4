"""The demo step builds exactly what it promises, with the named accounts in place."""

import pytest
from django.db.models import Count

from contracts import models as m
from contracts.demo import layout, plan
from grids.models import GridUnit, Post, User
from tests.conftest import DEMO_SCALE

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    got = {
        "contracts.units": m.CoBuildingUnit.objects.count(),
        "contracts.unit_contacts": m.CoBuildingUnitContact.objects.count(),
        "contracts.users": User.objects.filter(username__startswith="unitcontact").count() + 2,
        "contracts.posts.org_department": Post.objects.filter(user__username="xiufeng_orgdept").count(),
        "contracts.contracts": m.Contract.objects.count(),
        "contracts.demand_items": m.DemandItem.objects.count(),
        "contracts.resource_items": m.ResourceItem.objects.count(),
        "contracts.commitments": m.Commitment.objects.count(),
        "contracts.targets": m.CommitmentTarget.objects.count(),
        "contracts.progress": m.Progress.objects.count(),
        "contracts.evaluations": m.Evaluation.objects.count(),
        "contracts.evaluation_steps": m.EvaluationStep.objects.count(),
        "contracts.events": m.ContractEvent.objects.count(),
        "contracts.tallies": m.QuarterlyTally.objects.count(),
        "contracts.tally_runs": m.TallyRun.objects.count(),
        "contracts.board_publications": m.BoardPublication.objects.count(),
        "contracts.board_lines": m.BoardLine.objects.count(),
        "contracts.award_lists": m.AwardList.objects.count(),
        "contracts.award_entries": m.AwardEntry.objects.count(),
    }
    by_status = dict(m.Contract.objects.values_list("status").annotate(n=Count("pk")))
    got |= {f"contracts.contracts.{status}": by_status.get(status, 0) for status in m.Contract.Status.values}
    return got


def test_the_seeded_city_has_exactly_the_promised_contract_counts():
    assert counts() == plan(DEMO_SCALE)


def test_the_full_scale_plan_is_the_reports():
    full = plan(1)
    signed = full["contracts.contracts"] - full["contracts.contracts.draft"]
    assert (full["contracts.units"], signed, full["contracts.commitments"]) == (452, 2238, 1909)
    assert full["contracts.contracts.draft"] > 0
    shape = layout(1)
    assert len(shape.urban) == 115
    assert len({spec.community for spec in shape.contracts}) == 115  # every urban community signs
    assert full["contracts.evaluations"] == full["contracts.contracts.active"] + full["contracts.contracts.closed"]


def test_every_stage_has_evaluations_and_boards_have_a_correction():
    stages = set(m.Evaluation.objects.values_list("stage", flat=True))
    assert {"self", "done"} <= stages
    assert {layout(1).contracts[i].stage for i in range(len(layout(1).contracts))} >= {
        "self",
        "community",
        "street",
        "district",
        "done",
    }
    assert m.BoardPublication.objects.filter(version=2).exists()
    assert m.EvaluationStep.objects.filter(action="sent_back").exists()


def test_named_accounts(demo_user):
    contact = demo_user("unit_contact")
    unit = contact.cobuilding_contacts.get().unit
    assert m.Contract.objects.filter(
        unit=unit, community__path__startswith=GridUnit.objects.get(name="秀峰区").path
    ).exists()
    orgdept = Post.objects.get(user__username="xiufeng_orgdept")
    assert (orgdept.role, orgdept.unit.name) == (Post.Role.ORG_DEPARTMENT, "秀峰区")
    assert contact.check_password("Guilin-demo-2026")
