"""Hand-over completeness: a leaver's standing at service points and their place as a co-building
unit's contact (its progress reports and self-evaluation) go to the successor, each with a history
version or a contract timeline event; the nightly check lists what an inactive account still holds."""

from __future__ import annotations

import pytest

from contracts import services as contract_services
from contracts.access import can_act_at_stage
from contracts.models import CoBuildingUnit, CoBuildingUnitContact, Contract, ContractEvent, Evaluation
from grids.models import Post
from grids.viewer import Viewer
from party.models import PartyOrganisation
from people import services
from people.tasks import inactive_assignments
from service_centers.models import ServicePointStaff
from tests.contracts.factories import contract as make_contract
from tests.service_centers.factories import point as make_point

from .world import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build()


def _points(w, person, n: int = 2) -> list:
    points = [make_point(w.community_a) for _ in range(n)]
    ServicePointStaff.objects.create(user=person, point=points[0], role=ServicePointStaff.Role.MANAGER)
    for point in points[1:]:
        ServicePointStaff.objects.create(user=person, point=point, role=ServicePointStaff.Role.STAFF)
    return points


def _unit_with_contracts(w, contact):
    unit = contract_services.cobuilding_unit_create(
        name="离岗测试共建单位",
        kind=CoBuildingUnit.Kind.RESIDENT_UNIT,
        party_organisation="中共测试支部",
        district=w.district,
    )
    contract_services.unit_contact_add(unit=unit, user=contact)
    open_contract = make_contract(community=w.community_a, staff=w.community_a_staff, unit=unit)
    closed = make_contract(community=w.community_a, staff=w.community_a_staff, unit=unit, year=open_contract.year + 1)
    Contract.objects.filter(pk=closed.pk).update(status=Contract.Status.CLOSED)
    return unit, open_contract, closed


@pytest.mark.parametrize("to_successor", [True, False], ids=["to a successor", "to the unit's office"])
def test_service_point_standing_goes_to_the_successor_with_history(w, to_successor):
    points = _points(w, w.worker_a)
    successor = w.leader_a if to_successor else None
    post = Post.objects.get(user=w.worker_a)

    result = services.post_retire(actor=w.community_a_staff, post=post, successor=successor)

    assert result.handed_over["service_point_staff"] == 2
    assert not ServicePointStaff.objects.filter(user=w.worker_a).exists()
    if to_successor:
        roles = dict(ServicePointStaff.objects.filter(user=w.leader_a).values_list("point_id", "role"))
        assert roles == {points[0].pk: "manager", points[1].pk: "staff"}  # the same standing, point by point
    else:
        assert not ServicePointStaff.objects.filter(point__in=points).exists()
    # The history names who ended the leaver's standing (and who gave the successor theirs).
    ended = ServicePointStaff.history.filter(user_id=w.worker_a.pk, history_type="-")
    assert ended.count() == 2
    assert set(ended.values_list("history_user_id", flat=True)) == {w.community_a_staff.pk}
    if to_successor:
        given = ServicePointStaff.history.filter(user_id=w.leader_a.pk, history_type="+")
        assert set(given.values_list("history_user_id", flat=True)) == {w.community_a_staff.pk}
    assert inactive_assignments() == {}


def test_a_successor_already_at_the_point_keeps_one_standing_and_becomes_its_manager(w):
    points = _points(w, w.worker_a, n=1)
    ServicePointStaff.objects.create(user=w.leader_a, point=points[0], role=ServicePointStaff.Role.STAFF)
    services.post_retire(actor=w.community_a_staff, post=Post.objects.get(user=w.worker_a), successor=w.leader_a)
    assert list(ServicePointStaff.objects.filter(point=points[0]).values_list("user_id", "role")) == [
        (w.leader_a.pk, "manager")
    ]


@pytest.mark.parametrize("to_successor", [True, False], ids=["to a successor", "to the community's staff"])
def test_a_cobuilding_contacts_place_goes_to_the_successor_with_a_timeline_event(w, to_successor):
    unit, open_contract, closed = _unit_with_contracts(w, w.worker_a)
    evaluation_waits_on_self = Evaluation.Stage.SELF
    successor = w.leader_a if to_successor else None
    assert can_act_at_stage(Viewer.for_user(w.worker_a), open_contract, evaluation_waits_on_self)

    result = services.post_retire(
        actor=w.community_a_staff, post=Post.objects.get(user=w.worker_a), successor=successor
    )

    assert result.deactivated
    assert result.handed_over["cobuilding_contacts"] == 1
    assert not CoBuildingUnitContact.objects.filter(user=w.worker_a).exists()
    contacts = list(CoBuildingUnitContact.objects.filter(unit=unit).values_list("user_id", flat=True))
    assert contacts == ([w.leader_a.pk] if to_successor else [])
    if to_successor:
        # The self-evaluation and the progress reports now wait on the successor.
        assert can_act_at_stage(Viewer.for_user(w.leader_a), open_contract, evaluation_waits_on_self)
    event = ContractEvent.objects.get(contract=open_contract, kind=ContractEvent.Kind.CONTACT_HANDED_OVER)
    assert event.actor_id == w.community_a_staff.pk
    assert event.data["handover"] == {"from_user": w.worker_a.pk, "to_user": successor.pk if successor else None}
    assert w.worker_a.display_name in event.note
    # A closed contract's timeline is left as it was.
    assert not ContractEvent.objects.filter(contract=closed, kind=ContractEvent.Kind.CONTACT_HANDED_OVER).exists()
    assert inactive_assignments() == {}


def test_the_nightly_check_lists_points_and_contacts_left_with_an_account_closed_elsewhere(w):
    _points(w, w.worker_a, n=1)
    _unit_with_contracts(w, w.worker_a)
    w.worker_a.is_active = False  # closed in the admin, without the hand-over
    w.worker_a.save(update_fields=["is_active"])

    found = inactive_assignments()

    assert found["service_point_staff"] == {w.worker_a.pk: 1}
    assert found["cobuilding_contacts"] == {w.worker_a.pk: 1}


def test_locking_an_account_hands_the_same_kinds_over(w):
    _points(w, w.worker_a, n=1)
    _unit_with_contracts(w, w.worker_a)
    handed = services.account_lock(actor=w.community_a_staff, person=w.worker_a, successor=w.leader_a)
    assert handed["service_point_staff"] == 1
    assert handed["cobuilding_contacts"] == 1
    assert inactive_assignments() == {}


def _secretary_of(w, person, n: int = 2) -> list[PartyOrganisation]:
    organisations = [
        PartyOrganisation.objects.create(
            name=f"离岗测试党支部{i}", kind=PartyOrganisation.Kind.BRANCH, unit=w.community_a, secretary=person
        )
        for i in range(n)
    ]
    # An organisation no longer active is not the leaver's to hand over.
    PartyOrganisation.objects.create(
        name="已撤销党支部", kind=PartyOrganisation.Kind.BRANCH, unit=w.community_a, secretary=person, is_active=False
    )
    return organisations


@pytest.mark.parametrize("to_successor", [True, False], ids=["to a successor", "to the unit's staff"])
def test_a_secretarys_organisations_go_to_the_successor_with_history(w, to_successor):
    organisations = _secretary_of(w, w.worker_a)
    successor = w.leader_a if to_successor else None

    result = services.post_retire(
        actor=w.community_a_staff, post=Post.objects.get(user=w.worker_a), successor=successor
    )

    assert result.handed_over["party_secretary"] == 2
    pks = [o.pk for o in organisations]
    assert set(PartyOrganisation.objects.filter(pk__in=pks).values_list("secretary_id", flat=True)) == {
        successor.pk if successor else None
    }
    versions = PartyOrganisation.history.filter(id__in=pks, history_type="~")
    assert set(versions.values_list("history_user_id", flat=True)) == {w.community_a_staff.pk}
    assert inactive_assignments() == {}


def test_the_nightly_check_lists_a_secretaryship_left_with_a_closed_account(w):
    _secretary_of(w, w.worker_a, n=1)
    w.worker_a.is_active = False  # closed in the admin, without the hand-over
    w.worker_a.save(update_fields=["is_active"])

    assert inactive_assignments()["party_secretary"] == {w.worker_a.pk: 1}
