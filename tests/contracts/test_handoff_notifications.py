"""Issue 12, item 7: each hand-off of the evaluation notifies the people of the stage now waiting."""

import pytest
from django.urls import reverse

from contracts.models import Evaluation
from contracts.services import evaluation_send_back, evaluation_submit
from issues.models import Notification

from . import factories as f

pytestmark = pytest.mark.django_db
S = Evaluation.Stage
K = Notification.Kind


def test_each_stage_hands_on_with_a_notification_and_a_send_back_tells_the_stage_it_returns_to(demo_user):
    community, staff = f.community()
    unit, contact = f.cobuilding_unit()
    contract = f.contract(community=community, staff=staff, unit=unit)
    street, orgdept = demo_user("xiufeng_street"), demo_user("xiufeng_orgdept")

    evaluation_submit(actor=contact, evaluation=contract.evaluation, stage=S.SELF, score=90)
    assert set(Notification.objects.filter(kind=K.EVALUATION_STAGE).values_list("recipient_id", flat=True)) == {
        staff.pk
    }
    note = Notification.objects.get(kind=K.EVALUATION_STAGE, recipient=staff)
    assert note.link == reverse("contracts:contract_detail", args=[contract.pk])
    assert note.issue_id is None

    evaluation_submit(
        actor=staff, evaluation=Evaluation.objects.get(pk=contract.evaluation.pk), stage=S.COMMUNITY, score=88
    )
    assert Notification.objects.filter(kind=K.EVALUATION_STAGE, recipient=street).count() == 1

    # The street sends it back: the community's staff are told why.
    evaluation_send_back(
        actor=street, evaluation=Evaluation.objects.get(pk=contract.evaluation.pk), stage=S.STREET, reason="材料不全"
    )
    returned = Notification.objects.get(kind=K.CONTRACT_RETURNED, recipient=staff)
    assert "材料不全" in returned.subject
    assert not Notification.objects.filter(kind=K.EVALUATION_STAGE, recipient=orgdept).exists()


def test_the_notification_opens_the_contract_page(demo_user, client):
    community, staff = f.community()
    unit, contact = f.cobuilding_unit()
    contract = f.contract(community=community, staff=staff, unit=unit)
    evaluation_submit(actor=contact, evaluation=contract.evaluation, stage=S.SELF, score=90)
    note = Notification.objects.get(kind=K.EVALUATION_STAGE, recipient=staff)
    client.force_login(staff)
    response = client.post(reverse("issues:notification_open", args=[note.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("contracts:contract_detail", args=[contract.pk])
    note.refresh_from_db()
    assert note.read_at is not None
    listing = client.get(reverse("issues:notification_list"))
    assert listing.status_code == 200
    groups = {g.kind: g for g in listing.context["groups"]}
    assert groups[K.EVALUATION_STAGE].total == 1
