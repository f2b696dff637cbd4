"""Personal data through side doors: one redaction rule for free text, applied wherever the contact is
masked (API, exports, Open311); transfers only to people the sender may see."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from grids.models import GridUnit, User
from grids.viewer import Viewer
from guilin_portal.privacy import normalise_digits, redact
from issues import access
from issues.models import Issue
from open311.services import open311_client_issue
from volunteers.models import Volunteer
from volunteers.services import personal_account

pytestmark = pytest.mark.django_db

PHONE_FORMS = [
    "13812345678",
    "１３８１２３４５６７８",
    "一三八一二三四五六七八",
    "幺三八 幺二三四 五六七八",
    "138-1234-5678",
    "138 1234 5678",
    "+86 138 1234 5678",
    "１３８－１２３４－５６７８",
    "138.1234.5678",
]


@pytest.mark.parametrize("written", PHONE_FORMS)
def test_phones_in_every_digit_form_are_masked(written):
    assert redact(f"请联系{written}，谢谢") == "请联系138****5678，谢谢"


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("身份证 450302199001011234", "450302199001011234"),
        ("身份证 45030219900101123X", "45030219900101123X"),
        ("老身份证 450302900101123", "450302900101123"),
        ("身份证 ４５０３０２１９９００１０１１２３４", "１９９００１０１１２３４"),
        ("邮箱 zhang.san@example.cn", "zhang.san@example.cn"),
        ("邮箱 ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｎ", "ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｎ"),
        ("座机 0773-2825678", "282"),
        ("王小明说", "王小明"),
        ("小明说", "小明"),
    ],
)
def test_ids_emails_landlines_and_the_residents_name_are_masked(text, hidden):
    assert hidden not in redact(text, names=("王小明",))


def test_ordinary_numbers_in_chinese_are_left_alone():
    text = "买了两斤三两肉，共十二元，三号楼二单元，2026年3月5日下午3点"
    assert redact(text) == text
    assert len(normalise_digits("一三八")) == 3


# ---------------------------------------------------------------------------
# Where free text leaves the portal
# ---------------------------------------------------------------------------
SECRET_PHONE = "一三九八七六五四三二一"
SECRET_ID = "450302198001011234"


@pytest.fixture
def private_issue(db):
    """A 秀峰区 issue whose description names the resident and their phone in Chinese numerals, and a
    person who sees the issue but not the resident's contact."""
    xiufeng = GridUnit.objects.get(level=GridUnit.Level.DISTRICT, name="秀峰区")
    candidates = ["xiufeng_district", "xiufeng_street", "xiufeng_community", "xiufeng_leader", "xiufeng_worker"]
    for username in candidates:
        viewer = Viewer.for_user(User.objects.get(username=username))
        issue = (
            Issue.objects.filter(unit__path__startswith=xiufeng.path, resident_name__regex=r"^.{3}$")
            .filter(access.issue_visible_q(viewer))
            .exclude(reporter=viewer.user)
            .select_related("unit")
            .order_by("pk")
        )
        found = next((i for i in issue[:200] if not access.can_see_resident_contact(viewer, i)), None)
        if found is not None:
            break
    else:
        pytest.fail("no 秀峰区 issue visible without its contact")
    found.description = f"{found.resident_name}反映：电话{SECRET_PHONE}，身份证{SECRET_ID}"
    found.location_text = f"联系 {found.resident_name}"
    found.save(update_fields=["description", "location_text"])
    return found, viewer.user


def test_the_api_masks_free_text_for_who_sees_masked_contacts(private_issue):
    issue, user = private_issue
    client = APIClient()
    client.force_authenticate(user)
    body = client.get(f"/api/v1/issues/{issue.pk}/").json()
    for value in (body["description"], body["location_text"]):
        assert issue.resident_name not in value
        assert SECRET_PHONE not in value
        assert SECRET_ID not in value
    assert "139****4321" in body["description"]


def test_the_issue_export_masks_free_text(private_issue):
    issue, user = private_issue
    client = Client()
    client.force_login(user)
    book = load_workbook(io.BytesIO(client.get(reverse("issues:issue_export")).content), read_only=True)
    text = "\n".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row)
    assert "139****4321" in text
    assert SECRET_PHONE not in text
    assert SECRET_ID not in text


def test_open311_masks_chinese_numeral_phones(private_issue):
    issue, _user = private_issue
    area = GridUnit.objects.filter(
        level=GridUnit.Level.AREA, path__in=[issue.unit.path[:end] for end in range(4, 32, 4)]
    ).first()
    _client, key = open311_client_issue(name="privacy probe", unit=area or issue.unit, created_by=None)
    response = Client().get(f"/open311/v2/requests/{issue.pk}.json", {"api_key": key})
    assert response.status_code == 200
    text = response.content.decode()
    assert SECRET_PHONE not in text
    assert SECRET_ID not in text
    assert issue.resident_name not in text


def test_a_transfer_reaches_only_people_the_sender_may_see():
    from tests.volunteers.factories import fund
    from volunteers.access import volunteer_visible_q

    sender = Volunteer.objects.get(user__username="xiufeng_team_leader")
    viewer = Viewer.for_user(sender.user)
    fund(sender, "5")
    outsider = Volunteer.objects.exclude(volunteer_visible_q(viewer)).order_by("pk").first()
    insider = Volunteer.objects.filter(volunteer_visible_q(viewer)).exclude(pk=sender.pk).order_by("pk").first()
    outsider_balance = personal_account(volunteer=outsider, currency="hours").balance
    client = APIClient()
    client.force_authenticate(sender.user)
    url = "/api/v1/volunteers/accounts/transfer/"

    refused = client.post(url, {"target": outsider.pk, "currency": "hours", "amount": "1"}, format="json")
    assert refused.status_code == 400
    assert set(refused.json()) == {"target"}
    assert outsider.full_name not in refused.content.decode()
    assert personal_account(volunteer=outsider, currency="hours").balance == outsider_balance

    given = client.post(url, {"target": insider.pk, "currency": "hours", "amount": "1"}, format="json")
    assert given.status_code == 201, given.content
    postings = given.json()
    assert [Decimal(p["amount"]) for p in postings] == [Decimal("-1.00")], "only the sender's own posting"


def test_the_issue_page_masks_free_text_for_who_sees_masked_contacts(private_issue):
    issue, user = private_issue
    client = Client()
    client.force_login(user)
    page = client.get(reverse("issues:issue_detail", args=[issue.pk])).content.decode()
    assert SECRET_PHONE not in page
    assert SECRET_ID not in page
    assert "139****4321" in page
    # The reporter reads what they wrote.
    reporter = Client()
    reporter.force_login(issue.reporter)
    assert SECRET_PHONE in reporter.get(reverse("issues:issue_detail", args=[issue.pk])).content.decode()


def test_the_api_timeline_masks_notes(private_issue):
    from issues.models import IssueEvent

    issue, user = private_issue
    IssueEvent.objects.create(issue=issue, kind=IssueEvent.Kind.choices[0][0], note=f"回访{SECRET_PHONE}")
    client = APIClient()
    client.force_authenticate(user)
    text = client.get(f"/api/v1/issues/{issue.pk}/events/").content.decode()
    assert SECRET_PHONE not in text
    assert "139****4321" in text


def test_issue_lists_mask_the_summary(private_issue, rf):
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    issue, user = private_issue
    request = rf.get("/")
    request.user = user
    request.viewer = Viewer.for_user(user)
    rows = render_to_string(
        "issues/_issue_rows.html", {"page": SimpleNamespace(object_list=[issue]), "request": request}, request=request
    )
    assert "139****" in rows
    assert SECRET_PHONE[:6] not in rows


def test_the_transfer_service_refuses_a_receiver_out_of_sight_and_the_page_says_the_same_as_for_nobody():
    from django.contrib.messages import get_messages
    from django.core.exceptions import ValidationError

    from tests.volunteers.factories import fund
    from volunteers import services
    from volunteers.access import volunteer_visible_q

    sender = Volunteer.objects.get(user__username="xiufeng_team_leader")
    viewer = Viewer.for_user(sender.user)
    fund(sender, "5")
    outsider = Volunteer.objects.exclude(volunteer_visible_q(viewer)).exclude(phone="").order_by("pk").first()
    balance = personal_account(volunteer=outsider, currency="hours").balance
    # The domain rule itself, whoever calls it.
    with pytest.raises(ValidationError) as refused:
        services.ledger_transfer(
            source=sender, target=outsider, currency="hours", amount=Decimal("1"), actor=sender.user
        )
    assert outsider.full_name not in str(refused.value)
    assert personal_account(volunteer=outsider, currency="hours").balance == balance

    url = reverse("volunteers:my_transfer")

    def answer(name: str, phone: str) -> list[str]:
        client = Client()
        client.force_login(sender.user)
        response = client.post(url, {"target_name": name, "target_phone": phone, "currency": "hours", "amount": "1"})
        return [str(m) for m in get_messages(response.wsgi_request)]

    out_of_sight = answer(outsider.full_name, outsider.phone)
    nobody = answer("查无此人", "13900000000")
    assert out_of_sight == nobody == [str(services.TRANSFER_TARGET_UNKNOWN)]
    assert personal_account(volunteer=outsider, currency="hours").balance == balance


def test_the_api_masks_task_and_extension_notes(private_issue):
    from rest_framework.test import APIRequestFactory

    from issues.api.serializers import DeadlineExtensionSerializer
    from issues.models import DeadlineExtension, HandlerKind, IssueTask

    issue, user = private_issue
    IssueTask.objects.create(
        issue=issue,
        title=f"联系{SECRET_PHONE}",
        handler_kind=HandlerKind.OFFICE,
        handler_unit=issue.unit,
        created_by=issue.reporter,
    )
    client = APIClient()
    client.force_authenticate(user)
    tasks = client.get(f"/api/v1/issues/{issue.pk}/tasks/")
    assert tasks.status_code == 200
    assert SECRET_PHONE not in tasks.content.decode()
    assert "139****4321" in tasks.content.decode()

    extension = DeadlineExtension.objects.create(
        issue=issue,
        hours=24,
        reason=f"等{SECRET_PHONE}回电",
        decision_note=SECRET_ID,
        approver_unit=issue.unit,
        requested_by=issue.reporter,
    )
    request = APIRequestFactory().get("/")
    request.viewer = Viewer.for_user(user)
    data = DeadlineExtensionSerializer(extension, context={"request": request}).data
    assert SECRET_PHONE not in data["reason"]
    assert SECRET_ID not in data["decision_note"]
    # The reporter reads what was written.
    request.viewer = Viewer.for_user(issue.reporter)
    assert SECRET_PHONE in DeadlineExtensionSerializer(extension, context={"request": request}).data["reason"]


def test_similar_issues_on_the_issue_page_are_masked(private_issue):
    from unittest import mock

    issue, user = private_issue
    other = Issue.objects.filter(unit=issue.unit).exclude(pk=issue.pk).order_by("pk").first() or issue
    other.description = f"电话{SECRET_PHONE}"
    other.save(update_fields=["description"])
    client = Client()
    client.force_login(user)
    with mock.patch("issues.views.issues.selectors.issue_similar_open", return_value=[other]):
        page = client.get(reverse("issues:issue_detail", args=[issue.pk]))
    assert list(page.context["similar"]) == [other]
    assert SECRET_PHONE not in page.content.decode()


def test_the_supervision_list_masks_the_summary(private_issue, rf):
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    issue, user = private_issue
    request = rf.get("/issues/supervision/")
    request.user = user
    request.viewer = Viewer.for_user(user)
    issue.days_overdue = 2
    rows = render_to_string(
        "issues/issue_supervision.html",
        {"page": SimpleNamespace(object_list=[issue], has_other_pages=False), "request": request, "back": "/"},
        request=request,
    )
    assert "139****" in rows
    assert SECRET_PHONE[:6] not in rows


def test_the_notification_list_masks_the_issue_summary(private_issue, client):
    from issues.services.notifications import notify

    issue, user = private_issue
    notify(recipient_ids=[user.pk], kind="urged", issue_id=issue.pk)
    client.force_login(user)
    body = client.get("/notifications/").content.decode()
    assert f"#{issue.pk}" in body
    assert SECRET_PHONE[:6] not in body
    assert "139****" in body
