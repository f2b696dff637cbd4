"""The four-stage evaluation: each stage only by its role, strictly in order; send-back; complete history."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from contracts.models import Evaluation, EvaluationStep
from contracts.services import evaluation_send_back, evaluation_submit

from . import factories as f

pytestmark = pytest.mark.django_db

S = Evaluation.Stage


@pytest.fixture
def world(demo_user):
    """A fresh community under 秀峰街道 (秀峰区), its staff, a unit and its contact, one active contract."""
    community, staff = f.community()
    unit, contact = f.cobuilding_unit()
    contract = f.contract(community=community, staff=staff, unit=unit)
    return {
        "contract": contract,
        "evaluation": contract.evaluation,
        S.SELF: contact,
        S.COMMUNITY: staff,
        S.STREET: demo_user("xiufeng_street"),
        S.DISTRICT: demo_user("xiufeng_orgdept"),
        "district_staff": demo_user("xiufeng_district"),  # sees the contract, is not the organisation department
    }


def snapshot(evaluation):
    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    return (
        evaluation.stage,
        evaluation.self_score,
        evaluation.community_score,
        evaluation.final_score,
        evaluation.steps.count(),
    )


def test_activation_opens_the_evaluation_at_self_evaluation(world):
    assert world["evaluation"].stage == S.SELF
    assert world["evaluation"].steps.count() == 0


@pytest.mark.parametrize("stage", [S.SELF, S.COMMUNITY, S.STREET, S.DISTRICT])
def test_each_stage_refuses_every_other_role(world, stage):
    evaluation = world["evaluation"]
    # Bring the evaluation to `stage` with the right people.
    for earlier in Evaluation.ORDER[: Evaluation.ORDER.index(stage)]:
        evaluation_submit(actor=world[earlier], evaluation=evaluation, stage=earlier, score=90)
    before = snapshot(evaluation)
    wrong = [world[other] for other in (S.SELF, S.COMMUNITY, S.STREET, S.DISTRICT) if other != stage]
    for actor in [*wrong, world["district_staff"]]:
        with pytest.raises(PermissionDenied):
            evaluation_submit(actor=actor, evaluation=evaluation, stage=stage, score=80)
        with pytest.raises(PermissionDenied):
            evaluation_send_back(actor=actor, evaluation=evaluation, stage=stage, reason="不符")
    assert snapshot(evaluation) == before


@pytest.mark.parametrize("stage", [S.COMMUNITY, S.STREET, S.DISTRICT])
def test_a_later_stage_cannot_act_before_its_turn(world, stage):
    evaluation = world["evaluation"]
    before = snapshot(evaluation)
    with pytest.raises(PermissionDenied, match="当前在"):
        evaluation_submit(actor=world[stage], evaluation=evaluation, stage=stage, score=88)
    assert snapshot(evaluation) == before


def test_an_earlier_stage_cannot_act_again_once_passed(world):
    evaluation = world["evaluation"]
    evaluation_submit(actor=world[S.SELF], evaluation=evaluation, stage=S.SELF, score=95)
    before = snapshot(evaluation)
    with pytest.raises(PermissionDenied):
        evaluation_submit(actor=world[S.SELF], evaluation=evaluation, stage=S.SELF, score=99)
    assert snapshot(evaluation) == before


def test_full_run_with_a_send_back_keeps_the_whole_history(world):
    evaluation = world["evaluation"]
    evaluation_submit(actor=world[S.SELF], evaluation=evaluation, stage=S.SELF, score=95, comments="自评")
    evaluation_submit(actor=world[S.COMMUNITY], evaluation=evaluation, stage=S.COMMUNITY, score=90)
    evaluation = evaluation_send_back(actor=world[S.STREET], evaluation=evaluation, stage=S.STREET, reason="佐证不足")
    assert evaluation.stage == S.COMMUNITY
    assert evaluation.community_score is None
    evaluation_submit(actor=world[S.COMMUNITY], evaluation=evaluation, stage=S.COMMUNITY, score=86)
    evaluation_submit(actor=world[S.STREET], evaluation=evaluation, stage=S.STREET, score=85)
    evaluation = evaluation_submit(actor=world[S.DISTRICT], evaluation=evaluation, stage=S.DISTRICT, score=87)

    assert evaluation.stage == S.DONE
    assert (evaluation.self_score, evaluation.community_score, evaluation.street_score) == (95, 86, 85)
    assert evaluation.final_score == evaluation.district_score == 87
    assert evaluation.completed_at is not None
    history = list(evaluation.steps.order_by("at", "pk").values_list("stage", "action", "score", "actor_id"))
    assert history == [
        (S.SELF, "submitted", 95, world[S.SELF].pk),
        (S.COMMUNITY, "submitted", 90, world[S.COMMUNITY].pk),
        (S.STREET, "sent_back", None, world[S.STREET].pk),
        (S.COMMUNITY, "submitted", 86, world[S.COMMUNITY].pk),
        (S.STREET, "submitted", 85, world[S.STREET].pk),
        (S.DISTRICT, "submitted", 87, world[S.DISTRICT].pk),
    ]
    assert EvaluationStep.objects.get(evaluation=evaluation, action="sent_back").comments == "佐证不足"
    kinds = list(world["contract"].events.filter(kind__startswith="evaluation").values_list("kind", flat=True))
    assert kinds.count("evaluation_submitted") == 5
    assert kinds.count("evaluation_sent_back") == 1
    # Done is done: nobody acts any more.
    with pytest.raises(PermissionDenied):
        evaluation_submit(actor=world[S.DISTRICT], evaluation=evaluation, stage=S.DISTRICT, score=90)


def test_self_evaluation_cannot_be_sent_back_and_send_back_needs_a_reason(world):
    from django.core.exceptions import ValidationError

    evaluation = world["evaluation"]
    with pytest.raises(PermissionDenied):
        evaluation_send_back(actor=world[S.SELF], evaluation=evaluation, stage=S.SELF, reason="?")
    evaluation_submit(actor=world[S.SELF], evaluation=evaluation, stage=S.SELF, score=90)
    with pytest.raises(ValidationError) as error:
        evaluation_send_back(actor=world[S.COMMUNITY], evaluation=evaluation, stage=S.COMMUNITY, reason="  ")
    assert "reason" in error.value.message_dict


@pytest.mark.parametrize("score", [101, -1])
def test_a_score_outside_0_to_100_is_refused(world, score):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        evaluation_submit(actor=world[S.SELF], evaluation=world["evaluation"], stage=S.SELF, score=score)
    assert "0 到 100" in error.value.message_dict["score"][0]
    assert snapshot(world["evaluation"])[0] == S.SELF


# ---------------------------------------------------------------------------
# Pages and API
# ---------------------------------------------------------------------------
def as_client(client, user):
    client.force_login(user)
    return client


def test_api_wrong_role_and_wrong_order_are_403_and_change_nothing(world, client):
    evaluation = world["evaluation"]
    url = f"/api/v1/contracts/evaluations/{evaluation.pk}/submit/"
    before = snapshot(evaluation)
    # The street acts out of turn.
    response = as_client(client, world[S.STREET]).post(
        url, {"stage": "street", "score": 80}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "当前在" in response.json()["detail"]
    # The street pretends to be the unit.
    response = client.post(url, {"stage": "self", "score": 80}, content_type="application/json")
    assert response.status_code == 403
    assert snapshot(evaluation) == before


def test_api_runs_the_stages_and_shows_history(world, client):
    evaluation = world["evaluation"]
    base = f"/api/v1/contracts/evaluations/{evaluation.pk}/"
    response = as_client(client, world[S.SELF]).post(
        base + "submit/", {"stage": "self", "score": 101}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "score" in response.json()
    response = client.post(
        base + "submit/", {"stage": "self", "score": 92, "comments": "完成良好"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["stage"] == "community"
    response = as_client(client, world[S.COMMUNITY]).post(
        base + "send-back/", {"stage": "community", "reason": "请补充材料"}, content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["stage"] == "self"
    assert [s["action"] for s in body["steps"]] == ["submitted", "sent_back"]
    inbox = as_client(client, world[S.SELF]).get("/api/v1/contracts/evaluations/inbox/").json()
    assert evaluation.pk in [row["id"] for row in inbox["results"]]


def test_pages_refuse_wrong_role_with_403_and_show_bad_scores(world, client):
    evaluation = world["evaluation"]
    url = reverse("contracts:evaluation_act", args=[world["contract"].pk])
    response = as_client(client, world[S.COMMUNITY]).post(
        url, {"stage": "community", "action": "submit", "score": "80"}
    )
    assert response.status_code == 403
    response = as_client(client, world[S.SELF]).post(
        url, {"stage": "self", "action": "submit", "score": "101"}, follow=True
    )
    assert "得分必须是 0 到 100 之间的整数" in response.content.decode()
    assert snapshot(evaluation)[0] == S.SELF
    response = client.post(url, {"stage": "self", "action": "submit", "score": "93"})
    assert response.status_code == 302
    assert Evaluation.objects.get(pk=evaluation.pk).stage == S.COMMUNITY
    page = as_client(client, world[S.COMMUNITY]).get(reverse("contracts:contract_detail", args=[world["contract"].pk]))
    assert page.context["acting_stage"] == S.COMMUNITY


def test_inbox_lists_what_waits_for_each_role(world, client):
    evaluation = world["evaluation"]
    evaluation_submit(actor=world[S.SELF], evaluation=evaluation, stage=S.SELF, score=90)
    evaluation_submit(actor=world[S.COMMUNITY], evaluation=evaluation, stage=S.COMMUNITY, score=90)
    street_inbox = as_client(client, world[S.STREET]).get(reverse("contracts:evaluation_inbox"))
    assert evaluation in street_inbox.context["page"].object_list
    community_inbox = as_client(client, world[S.COMMUNITY]).get(reverse("contracts:evaluation_inbox"))
    assert evaluation not in community_inbox.context["page"].object_list
