"""The public disclosure board: frozen publications, visible corrections, no personal data."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.models import BoardPublication, Progress
from contracts.services import board_correct, board_publish
from guilin_portal.errors import ConflictError

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    """A community with one contract (two weight-1 items due in last year's Q4, one met), published."""
    community, staff = f.community()
    unit, contact = f.cobuilding_unit()
    contract = f.contract(
        community=community,
        staff=staff,
        unit=unit,
        commitments=[{"weight": 1, "targets": {4: 1}}, {"weight": 1, "targets": {4: 2}}],
    )
    f.report(contract, contact, 0, 4, Progress.Status.MET, achieved=1)
    f.report(contract, contact, 1, 4, Progress.Status.NOT_MET, achieved=0)
    publication = board_publish(actor=staff, community=community, year=contract.year, quarter=4)
    return {
        "community": community,
        "staff": staff,
        "contact": contact,
        "contract": contract,
        "publication": publication,
    }


def frozen(publication):
    publication = BoardPublication.objects.get(pk=publication.pk)
    return publication.figures(), [line.figures() for line in publication.lines.all()]


def test_publishing_freezes_the_quarter(published):
    publication = published["publication"]
    assert (publication.version, publication.due, publication.met, publication.completion_rate) == (
        1,
        2,
        1,
        Decimal("50.00"),
    )
    (line,) = publication.lines.all()
    assert (line.contract_number, line.unit_name) == (published["contract"].number, published["contract"].unit.name)


def test_a_later_progress_change_does_not_touch_the_published_quarter(published):
    before = frozen(published["publication"])
    f.report(published["contract"], published["contact"], 1, 4, Progress.Status.MET, achieved=2)
    assert frozen(published["publication"]) == before
    response = Client().get(
        reverse("contracts:board_quarter", args=[published["community"].pk, published["contract"].year, 4])
    )
    assert response.context["current"].pk == published["publication"].pk
    assert "50.00%" in response.content.decode()


def test_a_correction_is_a_new_version_and_the_board_shows_old_and_new(published):
    f.report(published["contract"], published["contact"], 1, 4, Progress.Status.MET, achieved=2)
    correction = board_correct(actor=published["staff"], publication=published["publication"], reason="补报核实后更正")
    assert (correction.version, correction.completion_rate, correction.reason) == (
        2,
        Decimal("100.00"),
        "补报核实后更正",
    )
    assert frozen(published["publication"])[0]["completion_rate"] == Decimal("50.00")  # the original stays as it was

    community, year = published["community"], published["contract"].year
    page = Client().get(reverse("contracts:board_quarter", args=[community.pk, year, 4]))
    html = page.content.decode()
    assert page.context["current"].pk == correction.pk
    assert [p.pk for p in page.context["earlier"]] == [published["publication"].pk]
    assert "更正（第2版）" in html
    assert "补报核实后更正" in html
    assert "100.00%" in html
    assert "50.00%" in html
    listing = Client().get(reverse("contracts:board_community", args=[community.pk])).content.decode()
    assert "已更正" in listing

    api = Client().get("/api/v1/contracts/board/", {"community": community.pk}).json()
    assert [(row["version"], row["is_correction"], row["completion_rate"]) for row in api["results"]] == [
        (2, True, "100.00"),
        (1, False, "50.00"),
    ]


def test_a_correction_needs_new_figures_a_reason_and_the_latest_version(published):
    with pytest.raises(ValidationError, match="无需更正"):
        board_correct(actor=published["staff"], publication=published["publication"], reason="重新发布")
    with pytest.raises(ValidationError) as error:
        board_correct(actor=published["staff"], publication=published["publication"], reason="")
    assert "reason" in error.value.message_dict
    f.report(published["contract"], published["contact"], 1, 4, Progress.Status.MET, achieved=2)
    board_correct(actor=published["staff"], publication=published["publication"], reason="更正")
    with pytest.raises(ConflictError):
        board_correct(actor=published["staff"], publication=published["publication"], reason="再次更正")


def test_only_the_communitys_staff_publish_once_and_only_ended_quarters(published, demo_user):
    community, year = published["community"], published["contract"].year
    with pytest.raises(PermissionDenied):
        board_correct(actor=demo_user("xiufeng_street"), publication=published["publication"], reason="越权")
    with pytest.raises(PermissionDenied):
        board_publish(actor=published["contact"], community=community, year=year, quarter=3)
    with pytest.raises(ValidationError, match="已经公开"):
        board_publish(actor=published["staff"], community=community, year=year, quarter=4)
    with pytest.raises(ValidationError, match="尚未结束"):
        board_publish(actor=published["staff"], community=community, year=year + 2, quarter=1)


def test_the_public_board_needs_no_login_and_shows_no_personal_data(published):
    contact, staff = published["contact"], published["staff"]
    for name in (contact, staff):
        name.full_name, name.phone = "张三丰", "13800138000"
        name.save()
    community, year = published["community"], published["contract"].year
    anonymous = Client()
    pages = [
        reverse("contracts:board_index"),
        reverse("contracts:board_community", args=[community.pk]),
        reverse("contracts:board_quarter", args=[community.pk, year, 4]),
    ]
    for url in pages:
        response = anonymous.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        for secret in ("张三丰", "13800138000", contact.username, staff.username, "开展活动"):
            assert secret not in html
    payload = str(anonymous.get(f"/api/v1/contracts/board/{published['publication'].pk}/").json())
    for secret in ("张三丰", contact.username, staff.username, "published_by", "evidence"):
        assert secret not in payload


def test_publish_and_correct_from_the_tally_page(published, client):
    community, year = published["community"], published["contract"].year
    client.force_login(published["staff"])
    page = client.get(reverse("contracts:tally_overview"), {"unit": community.pk, "year": year, "quarter": 4})
    assert page.status_code == 200
    assert page.context["actions"] == {"correct"}
    f.report(published["contract"], published["contact"], 1, 4, Progress.Status.MET, achieved=2)
    response = client.post(reverse("contracts:board_correct", args=[published["publication"].pk]), {"reason": "补报"})
    assert response.status_code == 302
    assert BoardPublication.objects.filter(community=community, year=year, quarter=4).count() == 2
    # Publishing via the API: Q3 has nothing due but the contract counts, so it can be published.
    response = client.post("/api/v1/contracts/board/publish/", {"community": community.pk, "year": year, "quarter": 3})
    assert response.status_code == 201
    assert response.json()["due"] == 0
    again = client.post("/api/v1/contracts/board/publish/", {"community": community.pk, "year": year, "quarter": 3})
    assert again.status_code == 400
    assert "quarter" in again.json()


def test_board_page_queries_do_not_grow_with_contracts():
    counts = []
    for n in (3, 30):
        community, staff = f.community()
        for _i in range(n):
            unit, _contact = f.cobuilding_unit()
            contract = f.contract(community=community, staff=staff, unit=unit)
        board_publish(actor=staff, community=community, year=contract.year, quarter=4)
        client = Client()
        url = reverse("contracts:board_quarter", args=[community.pk, contract.year, 4])
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert len(response.context["current"].lines.all()) == n
        counts.append(len(captured))
    assert counts[0] == counts[1]
