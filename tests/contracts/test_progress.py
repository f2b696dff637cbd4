"""Progress reports: only the unit's contact, only the contract's year, evidence checked by content."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from contracts.models import Progress
from contracts.services import progress_report

from . import factories as f

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(output, format="PNG")
    return output.getvalue()


@pytest.fixture(autouse=True)
def _media(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path):
        yield


@pytest.fixture
def world():
    community, staff = f.community()
    unit, contact = f.cobuilding_unit()
    contract = f.contract(
        community=community,
        staff=staff,
        unit=unit,
        commitments=[
            {"kind": "count", "weight": 2, "targets": {2: 3, 4: 3}},
            {"kind": "milestone", "targets": {4: "验收"}},
        ],
    )
    return {
        "contract": contract,
        "contact": contact,
        "staff": staff,
        "commitment": contract.commitments.order_by("pk")[0],
    }


def report(world, **overrides):
    data = {
        "actor": world["contact"],
        "commitment": world["commitment"],
        "year": world["contract"].year,
        "quarter": 4,
        "status": Progress.Status.MET,
        "achieved_count": 3,
        "evidence_text": "开展 3 次义诊",
    } | overrides
    return progress_report(**data)


def test_the_contact_reports_and_revises_with_a_history(world):
    first = report(world, status=Progress.Status.PARTIALLY_MET, achieved_count=1)
    second = report(world)
    assert first.pk == second.pk
    assert second.status == Progress.Status.MET
    events = list(world["contract"].events.filter(kind="progress_reported").values_list("data", flat=True))
    assert [(e["old_status"], e["status"]) for e in events] == [(None, "partiallyMet"), ("partiallyMet", "met")]


def test_progress_outside_the_contracts_year_is_refused(world):
    with pytest.raises(ValidationError) as error:
        report(world, year=world["contract"].year + 1)
    assert "不在契约年度" in error.value.message_dict["year"][0]
    assert not Progress.objects.filter(commitment=world["commitment"]).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"quarter": 5}, "quarter"),
        ({"quarter": 1}, "quarter"),  # no target in Q1
        ({"evidence_text": " "}, "evidence_text"),
        ({"achieved_count": 2}, "achieved_count"),  # "met" with 2 of 3
        ({"status": Progress.Status.PARTIALLY_MET, "achieved_count": 3}, "achieved_count"),
        ({"achieved_count": None}, "achieved_count"),
        ({"status": "done"}, "status"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(world, overrides, field):
    with pytest.raises(ValidationError) as error:
        report(world, **overrides)
    assert field in error.value.message_dict


def test_only_the_units_contact_reports(world, demo_user):
    for actor in (world["staff"], demo_user("unit_contact"), demo_user("xiufeng_orgdept")):
        with pytest.raises(PermissionDenied):
            report(world, actor=actor)


def test_a_file_that_is_not_a_document_or_image_is_refused(world):
    fake = SimpleUploadedFile("evidence.pdf", b"MZ\x90\x00 not really a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        report(world, evidence_file=fake)
    assert "不是可接受的文档或图片" in error.value.message_dict["evidence_file"][0]


def test_evidence_is_served_only_to_those_who_may_see_the_contract(world, client, client_as):
    progress = report(world, evidence_file=SimpleUploadedFile("照片.png", png(), content_type="image/png"))
    assert progress.evidence_file.name.endswith(".png")
    assert progress.evidence_name == "照片.png"
    url = reverse("contracts:evidence_download", args=[progress.pk])
    client.force_login(world["contact"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert client_as("xiufeng_street").get(url).status_code == 200  # the street sees its subtree
    assert client_as("qixing_worker").get(url).status_code == 404
    assert client_as("unit_contact").get(url).status_code == 404  # another unit's contact
    api = f"/api/v1/contracts/progress/{progress.pk}/evidence/"
    assert client_as("qixing_worker").get(api).status_code == 404
    assert client.get(api).status_code == 200


def test_api_reports_with_a_pdf_and_names_bad_fields(world, client):
    client.force_login(world["contact"])
    url = "/api/v1/contracts/progress/"
    base = {
        "commitment": world["commitment"].pk,
        "year": world["contract"].year,
        "quarter": 4,
        "status": "met",
        "achieved_count": 3,
        "evidence_text": "义诊",
    }
    response = client.post(url, base | {"evidence_file": SimpleUploadedFile("a.pdf", PDF)})
    assert response.status_code == 201
    assert response.json()["has_file"] is True
    response = client.post(url, base | {"year": world["contract"].year - 1})
    assert response.status_code == 400
    assert "year" in response.json()
    response = client.post(url, base | {"evidence_file": SimpleUploadedFile("a.exe", b"MZ\x90\x00")})
    assert response.status_code == 400
    assert "evidence_file" in response.json()


def test_api_progress_for_an_invisible_commitment_is_404(world, client_as):
    response = client_as("qixing_worker").post(
        "/api/v1/contracts/progress/",
        {
            "commitment": world["commitment"].pk,
            "year": world["contract"].year,
            "quarter": 4,
            "status": "met",
            "achieved_count": 3,
            "evidence_text": "x",
        },
    )
    assert response.status_code == 404


def test_progress_page_shows_the_services_message(world, client):
    client.force_login(world["contact"])
    contract, commitment = world["contract"], world["commitment"]
    url = reverse("contracts:progress_entry", args=[contract.pk, commitment.pk, contract.year + 1, 4])
    response = client.post(url, {"status": "met", "achieved_count": "3", "evidence_text": "义诊"})
    assert response.status_code == 200
    assert "不在契约年度" in response.content.decode()
    url = reverse("contracts:progress_entry", args=[contract.pk, commitment.pk, contract.year, 4])
    bad_file = SimpleUploadedFile("x.docx", b"PK\x03\x04garbage")
    response = client.post(
        url, {"status": "met", "achieved_count": "3", "evidence_text": "义诊", "evidence_file": bad_file}
    )
    assert "不是可接受的文档或图片" in response.content.decode()
    response = client.post(url, {"status": "met", "achieved_count": "3", "evidence_text": "义诊"})
    assert response.status_code == 302
    assert Progress.objects.filter(commitment=commitment, year=contract.year, quarter=4).exists()


def test_progress_page_refuses_others_with_403(world, client):
    contract, commitment = world["contract"], world["commitment"]
    client.force_login(world["staff"])
    url = reverse("contracts:progress_entry", args=[contract.pk, commitment.pk, contract.year, 4])
    response = client.post(url, {"status": "met", "achieved_count": "3", "evidence_text": "义诊"})
    assert response.status_code == 403
