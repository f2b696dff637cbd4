"""POST requests: an api_key files a resident issue through grids' issue_log; errors in the spec's format."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.test import Client

from grids.models import User
from issues import selectors as grid_selectors
from issues.models import Issue, IssueEvent, Notification
from open311 import services
from tests.issues.factories import session_client

from .conftest import BASE
from .test_read import spec_error, spec_error_xml, xml

pytestmark = pytest.mark.django_db

RESIDENT = {"last_name": "欧阳", "first_name": "小明", "phone": "13912345678", "email": "xiaoming@example.com"}
PRIVATE = ["欧阳小明", "小明", "13912345678", "xiaoming@example.com"]


def post_ok(key, fmt="json", **fields):
    data = {"service_code": "opinion-property", "description": "电梯停运两天了。", "address_string": "2栋"}
    data.update(fields)
    response = key.post(fmt, **data)
    assert response.status_code == 201, response.content
    return response


def test_a_post_files_an_issue_routed_to_the_community_office_inbox(key, demo_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_ok(key, **RESIDENT)
    (created,) = response.json()
    assert list(created) == ["service_request_id", "service_notice", "account_id"]
    assert created["account_id"] is None
    issue = Issue.objects.select_related("handler_unit").get(pk=int(created["service_request_id"]))
    # Logged through grids' service: in the key's micro-grid, by its service account, then routed.
    assert issue.unit_id == key.client.unit_id
    assert issue.reporter_id == key.client.reporter_id
    assert issue.location_text == "2栋"
    assert issue.resident_name == "欧阳小明"
    assert issue.resident_phone == "13912345678"
    assert issue.status == Issue.Status.ALLOCATED
    assert issue.handler_unit.name == "解东社区"
    kinds = list(IssueEvent.objects.filter(issue=issue).order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == ["collected", "allocated"]

    community = demo_user("xiufeng_community")
    assert issue in grid_selectors.issue_inbox(viewer=community)
    assert Notification.objects.filter(recipient=community, issue=issue, kind="routed").exists()
    browser = session_client(community)
    inbox = browser.get("/issues/inbox/")
    pages = [inbox] + [
        browser.get("/issues/inbox/", {"page": n}) for n in range(2, inbox.context["page"].paginator.num_pages + 1)
    ]
    assert any(f"/issues/{issue.pk}/" in p.content.decode() for p in pages)  # listed in the inbox page
    page = browser.get(f"/issues/{issue.pk}/")
    assert page.status_code == 200
    # The handler sees the resident's contact in full (grids' rule); the client never does.
    assert "13912345678" in page.content.decode()


def test_the_service_account_cannot_log_in_and_is_named_on_the_timeline(key):
    reporter = User.objects.get(pk=key.client.reporter_id)
    assert not reporter.has_usable_password()
    assert not reporter.is_active
    assert "测试热线" in reporter.full_name
    assert not reporter.posts.exists()  # never counted as a grid worker


def test_a_post_in_xml(key):
    root = xml(post_ok(key, "xml"))
    assert root.tag == "service_requests"
    (request,) = root.findall("request")
    assert [child.tag for child in request] == ["service_request_id", "service_notice", "account_id"]
    assert Issue.objects.filter(pk=int(request.findtext("service_request_id"))).exists()
    assert request.find("account_id").text is None


def test_coordinates_instead_of_an_address(key):
    (created,) = post_ok(key, address_string="", lat="25.2736", long="110.2900").json()
    issue = Issue.objects.get(pk=int(created["service_request_id"]))
    # The point is kept exactly; the words, shown to everyone the issue reaches, at the public precision.
    assert (issue.latitude, issue.longitude) == (Decimal("25.273600"), Decimal("110.290000"))
    assert "25.274" in issue.location_text
    assert "110.290" in issue.location_text
    assert "25.2736" not in issue.location_text


def test_a_bad_service_code_gets_the_spec_error_format(key):
    before = Issue.objects.count()
    response = key.post(service_code="no-such-service", description="x", address_string="2栋")
    assert "service_code" in spec_error(response, 400)
    root_description = spec_error_xml(
        key.post("xml", service_code="no-such-service", description="x", address_string="2栋"), 400
    )
    assert "service_code" in root_description
    assert Issue.objects.count() == before


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"service_code": ""}, "service_code"),
        ({"description": "长" * 4001}, "description"),
        ({"address_string": ""}, "address_string"),
        ({"address_string": "", "lat": "25.27"}, "long"),
        ({"address_string": "", "lat": "95", "long": "110"}, "lat"),
        ({"address_string": "", "lat": "abc", "long": "110"}, "lat"),
        ({"phone": "12345"}, "phone"),
    ],
)
def test_bad_fields_are_400s_naming_the_field(key, fields, named):
    data = {"service_code": "opinion-property", "description": "电梯停运。", "address_string": "2栋", **fields}
    before = Issue.objects.count()
    assert named in spec_error(key.post(**data), 400)
    assert Issue.objects.count() == before


def test_an_inactive_service_cannot_be_requested(key):
    from issues.models import IssueCategory

    IssueCategory.objects.filter(code="opinion-property").update(is_active=False)
    assert "service_code" in spec_error(
        key.post(service_code="opinion-property", description="x", address_string="2栋"), 400
    )


def test_a_bad_missing_or_revoked_key_is_403(key):
    fields = {"service_code": "opinion-property", "description": "电梯停运。", "address_string": "2栋"}
    before = Issue.objects.count()
    spec_error(Client().post(f"{BASE}/requests.json", fields), 403)
    spec_error(Client().post(f"{BASE}/requests.json", {**fields, "api_key": "abc.def"}), 403)
    spec_error(Client().post(f"{BASE}/requests.json", {**fields, "api_key": key.plaintext[:-1]}), 403)
    spec_error_xml(Client().post(f"{BASE}/requests.xml", {**fields, "api_key": "abc.def"}), 403)
    services.open311_client_revoke(client=key.client, revoked_by=None)
    spec_error(key.post(**fields), 403)
    assert Issue.objects.count() == before


def test_no_personal_data_in_any_response(key, django_capture_on_commit_callbacks):
    # The resident's name, phone and e-mail posted as contact fields and written into the free text too.
    text = "居民欧阳小明（电话 139 1234 5678，xiaoming@example.com，身份证 450302199001011234）反映电梯停运，小明说已两天。"
    with django_capture_on_commit_callbacks(execute=True):
        created = post_ok(key, description=text, address_string="2栋 欧阳小明家门口", **RESIDENT)
        created_xml = post_ok(key, "xml", description=text, **RESIDENT)
    issue_id = created.json()[0]["service_request_id"]
    bodies = [
        created.content,
        created_xml.content,
        key.get("requests.json").content,
        key.get("requests.xml").content,
        key.get(f"requests/{issue_id}.json").content,
        key.get(f"requests/{issue_id}.xml").content,
        key.get("requests.json", service_request_id=issue_id).content,
    ]
    for body in bodies:
        decoded = body.decode()
        for private in [*PRIVATE, "139 1234 5678", "450302199001011234"]:
            assert private not in decoded, (private, decoded[:300])
    (row,) = key.get(f"requests/{issue_id}.json").json()
    assert "欧**" in row["description"]  # grids' masking rule: the surname's first character stays
    assert "139****5678" in row["description"]
    assert "电梯停运" in row["description"]
    assert row["address"] == "2栋 欧***家门口"
    # The reporter (the service account) and grid people are never named either.
    reporter = User.objects.get(pk=key.client.reporter_id)
    assert reporter.full_name not in created.content.decode()
    ET.fromstring(created_xml.content)  # well-formed


def test_markup_and_control_characters_do_not_break_the_xml(key):
    (created,) = post_ok(key, description='电梯\x0b<停运> & "坏了"\x01').json()
    root = xml(key.get(f"requests/{created['service_request_id']}.xml"))
    assert root.find("request").findtext("description") == '电梯<停运> & "坏了"'
