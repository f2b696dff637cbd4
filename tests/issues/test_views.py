"""Issue pages: logging from the phone, lists with constant query counts, detail actions, photos, jurisdiction."""

import uuid
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from issues import selectors, services
from issues.models import Issue, IssuePhoto, Notification, StagedPhoto

from .factories import category, executable_named_jpg, fresh, huge_jpg, jpeg_with_gps, log, log_routed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


def log_form(worker, **extra):
    unit = selectors.default_log_unit(viewer=worker)
    data = {
        "client_key": str(uuid.uuid4()),
        "unit": unit.pk,
        "category": category("opinion-property").pk,
        "description": "电梯停运两天，老人上下楼困难。",
        "location_text": "3栋2单元",
        "resident_name": "李秀英",
        "resident_phone": "13907731234",
        "priority": "1",
    }
    data.update(extra)
    return data


def test_log_page_prefills_the_workers_micro_grid_and_offers_only_their_units(client_as, demo_user):
    response = client_as("xiufeng_worker").get(reverse("issues:issue_create"))
    assert response.status_code == 200
    form = response.context["form"]
    unit = selectors.default_log_unit(viewer=demo_user("xiufeng_worker"))
    assert form.initial["unit"] == unit.pk
    offered = set(form.fields["unit"].queryset.values_list("path", flat=True))
    assert offered
    assert all(path.startswith(unit.path) for path in offered)
    assert 'name="client_key"' in response.content.decode()


def test_log_page_offers_the_categories_in_the_reader_s_language(client_as, settings):
    client = client_as("xiufeng_worker")
    property_opinion = category("opinion-property")
    assert property_opinion.name_en  # the demo names every category in both languages
    assert property_opinion.name in client.get(reverse("issues:issue_create")).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("issues:issue_create")).content.decode()
    assert property_opinion.name_en in page
    assert property_opinion.name not in page


def test_logging_through_the_page_routes_after_commit(client_as, demo_user, django_capture_on_commit_callbacks):
    worker = demo_user("xiufeng_worker")
    client = client_as("xiufeng_worker")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("issues:issue_create"), log_form(worker), follow=True)
    issue = Issue.objects.filter(reporter=worker).latest("pk")
    assert response.redirect_chain[-1][0] == reverse("issues:issue_detail", args=[issue.pk])
    assert issue.status == Issue.Status.ALLOCATED  # routed once the request's transaction committed
    assert issue.handler_unit.name == "解东社区"
    assert f"问题 #{issue.pk} 已登记" in response.content.decode()


def test_a_double_posted_form_logs_one_issue(client_as, demo_user):
    worker = demo_user("xiufeng_worker")
    client = client_as("xiufeng_worker")
    data = log_form(worker)
    before = Issue.objects.count()
    first = client.post(reverse("issues:issue_create"), data)
    second = client.post(reverse("issues:issue_create"), data, follow=True)
    assert Issue.objects.count() == before + 1
    assert first["Location"] == second.redirect_chain[-1][0]
    assert "重复提交" in second.content.decode()


def test_photos_are_stored_without_exif_and_served_only_in_jurisdiction(client_as, demo_user, settings):
    worker = demo_user("xiufeng_worker")
    client = client_as("xiufeng_worker")
    response = client.post(reverse("issues:issue_create"), log_form(worker, photos=[jpeg_with_gps()]))
    assert response.status_code == 302
    photo = IssuePhoto.objects.get(issue__reporter=worker)
    with Image.open(photo.image.path) as stored:
        assert not stored.getexif().get(0x8825)  # no GPS
        assert not stored.getexif()
    url = reverse("issues:issue_photo", args=[photo.issue_id, photo.pk])
    served = client.get(url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["Cache-Control"] == "private, no-store"
    assert client_as("qixing_worker").get(url).status_code == 404
    assert not str(photo.image.path).startswith(str(settings.STATIC_ROOT))


@pytest.mark.parametrize("bad", [huge_jpg, executable_named_jpg])
def test_a_20mb_photo_or_an_executable_named_jpg_is_refused_and_nothing_is_saved(bad, client_as, demo_user, settings):
    worker = demo_user("xiufeng_worker")
    before = (Issue.objects.count(), IssuePhoto.objects.count())
    response = client_as("xiufeng_worker").post(
        reverse("issues:issue_create"), log_form(worker, photos=[jpeg_with_gps(), bad()])
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["photos"]
    assert any("10 MB" in e or "不是有效的图片" in e for e in errors)
    assert (Issue.objects.count(), IssuePhoto.objects.count()) == before
    # Only the good photo is kept, staged for the worker (so it need not be chosen again); the bad one
    # is stored nowhere.
    staged = list(StagedPhoto.objects.filter(owner=worker))
    assert len(staged) == 1
    uploads = settings.MEDIA_ROOT
    stored = {path for path in uploads.rglob("*") if path.is_file()} if uploads.exists() else set()
    assert stored == {Path(staged[0].image.path)}


def test_qixing_worker_gets_404_for_a_xiufeng_issue_and_never_sees_it_listed(client_as, demo_user):
    issue = log_routed(demo_user("xiufeng_worker"))
    qixing = client_as("qixing_worker")
    assert qixing.get(reverse("issues:issue_detail", args=[issue.pk])).status_code == 404
    assert qixing.post(reverse("issues:issue_action", args=[issue.pk, "accept"]), {"version": 2}).status_code == 404
    for name in ["issues:issue_mine", "issues:issue_inbox", "issues:issue_supervision"]:
        page = qixing.get(reverse(name))
        assert page.status_code == 200
        assert issue.pk not in [i.pk for i in page.context["page"].object_list]
    export = qixing.get(reverse("issues:issue_export"))
    ids = [row[0] for row in load_workbook(_xlsx(export)).active.iter_rows(min_row=2, values_only=True)]
    assert issue.pk not in ids


def _xlsx(response):
    import io

    return io.BytesIO(response.content)


def _make(worker, n):
    return [log_routed(worker) for _ in range(n)]


@pytest.mark.parametrize("name", ["issues:issue_mine", "issues:issue_inbox", "issues:issue_supervision"])
def test_list_pages_run_the_same_queries_for_3_and_30_issues(name, client_as, demo_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    worker = demo_user("xiufeng_worker")
    username = {"issues:issue_mine": "xiufeng_worker"}.get(name, "xiufeng_community")
    client = client_as(username)
    counts = []
    url = reverse(name)
    for n in (3, 27):
        issues = _make(worker, n)
        if name == "issues:issue_supervision":
            # Make them near due so they show on the supervision list.
            Issue.objects.filter(pk__in=[i.pk for i in issues]).update(remind_at=issues[0].created_at)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
        assert response.context["page"].paginator.count >= n
    assert counts[0] == counts[1], counts


def test_notification_list_queries_do_not_grow(client_as, demo_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    worker = demo_user("xiufeng_worker")
    client = client_as("xiufeng_community")
    counts = []
    for n in (3, 27):
        _make(worker, n)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("issues:notification_list"))
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_header_shows_the_unread_count(client_as, demo_user):
    community = demo_user("xiufeng_community")
    unread = Notification.objects.filter(recipient=community, read_at__isnull=True).count()
    log_routed(demo_user("xiufeng_worker"))
    page = client_as("xiufeng_community").get(reverse("workbench:home")).content.decode()
    assert f'<span class="badge" title="未读通知">{unread + 1}</span>' in page


def test_accept_and_resolve_through_the_detail_page(client_as, demo_user):
    issue = log_routed(demo_user("xiufeng_worker"))
    client = client_as("xiufeng_community")
    page = client.get(reverse("issues:issue_detail", args=[issue.pk]))
    assert [a["name"] for a in page.context["actions"]][:1] == ["accept"]
    assert "13907731234" not in page.content.decode()  # log() set no phone; nothing leaks either way
    response = client.post(reverse("issues:issue_action", args=[issue.pk, "accept"]), {"version": issue.version})
    assert response.status_code == 302
    issue = fresh(issue)
    response = client.post(
        reverse("issues:issue_action", args=[issue.pk, "resolve"]), {"version": issue.version, "resolution": "已修好"}
    )
    assert response.status_code == 302
    assert fresh(issue).status == Issue.Status.RESOLVED


def test_an_invalid_transition_on_the_page_is_a_400_with_the_reason(client_as, demo_user):
    issue = log_routed(demo_user("xiufeng_worker"))
    response = client_as("xiufeng_community").post(
        reverse("issues:issue_action", args=[issue.pk, "resolve"]), {"version": issue.version, "resolution": "x"}
    )
    assert response.status_code == 400
    assert "请先受理" in response.content.decode()
    assert fresh(issue).status == Issue.Status.ALLOCATED


def test_a_stale_page_is_a_409_and_overwrites_nothing(client_as, demo_user):
    issue = log_routed(demo_user("xiufeng_worker"))
    client = client_as("xiufeng_community")
    stale_version = issue.version
    services.issue_accept(actor=demo_user("xiufeng_community"), issue=issue)
    response = client.post(
        reverse("issues:issue_action", args=[issue.pk, "suspend"]), {"version": stale_version, "reason": "外出"}
    )
    assert response.status_code == 409
    assert "已被他人修改" in response.content.decode()
    assert fresh(issue).status == Issue.Status.IN_PROGRESS


def test_feedback_from_the_worker_page(client_as, demo_user):
    staff = demo_user("xiufeng_community")
    issue = services.issue_accept(actor=staff, issue=log_routed(demo_user("xiufeng_worker")))
    issue = services.issue_resolve(actor=staff, issue=issue, resolution="已处理")
    client = client_as("xiufeng_worker")
    page = client.get(reverse("issues:issue_detail", args=[issue.pk]))
    assert [a["name"] for a in page.context["actions"]][0] == "feedback"
    response = client.post(
        reverse("issues:issue_action", args=[issue.pk, "feedback"]), {"version": issue.version, "satisfaction": "basic"}
    )
    assert response.status_code == 302
    assert fresh(issue).status == Issue.Status.CLOSED


def test_resident_phone_is_masked_on_the_page_and_in_the_export_for_non_handlers(client_as, demo_user):
    issue = log_routed(demo_user("xiufeng_worker"), resident_phone="13907731234")
    street = client_as("xiufeng_street")
    page = street.get(reverse("issues:issue_detail", args=[issue.pk])).content.decode()
    assert "139****1234" in page
    assert "13907731234" not in page
    handler_page = client_as("xiufeng_community").get(reverse("issues:issue_detail", args=[issue.pk])).content.decode()
    assert "13907731234" in handler_page
    export = street.get(reverse("issues:issue_export") + "?view=all")
    rows = {row[0]: row for row in load_workbook(_xlsx(export)).active.iter_rows(min_row=2, values_only=True)}
    assert rows[issue.pk][9] == "139****1234"


def test_similar_issue_warning(client_as, demo_user, django_capture_on_commit_callbacks):
    worker = demo_user("xiufeng_worker")
    first = log_routed(worker)
    response = client_as("xiufeng_worker").get(
        reverse("issues:issue_similar"), {"unit": first.unit_id, "category": first.category_id}
    )
    assert first.pk in [row["id"] for row in response.json()["issues"]]
    with django_capture_on_commit_callbacks(execute=True):
        page = client_as("xiufeng_worker").post(reverse("issues:issue_create"), log_form(worker), follow=True)
    assert f"#{first.pk}" in page.content.decode()
    assert "同类问题未办结" in page.content.decode()


def test_bulk_assign_from_the_inbox(client_as, demo_user):
    issues = _make(demo_user("xiufeng_worker"), 2)
    staff = demo_user("xiufeng_community")
    response = client_as("xiufeng_community").post(
        reverse("issues:issue_bulk_assign"), {"issues": [i.pk for i in issues], "assignee": staff.pk}
    )
    assert response.status_code == 302
    assert Issue.objects.filter(pk__in=[i.pk for i in issues], assignee=staff).count() == 2


def test_extension_request_and_approval_on_the_pages(client_as, demo_user):
    staff = demo_user("xiufeng_community")
    issue = services.issue_accept(actor=staff, issue=log_routed(demo_user("xiufeng_worker")))
    client = client_as("xiufeng_community")
    response = client.post(
        reverse("issues:issue_action", args=[issue.pk, "extension"]),
        {"version": issue.version, "hours": 24, "reason": "等待配件"},
    )
    assert response.status_code == 302
    extension = issue.extensions.get()
    street = client_as("xiufeng_street")
    assert extension in street.get(reverse("issues:issue_supervision")).context["extensions"]
    due = fresh(issue).due_at
    street.post(reverse("issues:extension_decide", args=[extension.pk]), {"decision": "approve"})
    assert (fresh(issue).due_at - due).total_seconds() == 24 * 3600


def test_log_page_refuses_a_unit_outside_the_jurisdiction(client_as, demo_user):
    worker = demo_user("xiufeng_worker")
    qixing_unit = selectors.default_log_unit(viewer=demo_user("qixing_worker"))
    before = Issue.objects.count()
    response = client_as("xiufeng_worker").post(reverse("issues:issue_create"), log_form(worker, unit=qixing_unit.pk))
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert Issue.objects.count() == before


def test_pages_log_in_first(client):
    for name in ["issues:issue_create", "issues:issue_mine", "issues:issue_inbox", "issues:notification_list"]:
        assert client.get(reverse(name)).status_code == 302


def test_detail_shows_the_timeline(client_as, demo_user):
    issue = log(demo_user("xiufeng_worker"))
    services.issue_route(issue_id=issue.pk)
    page = client_as("xiufeng_worker").get(reverse("issues:issue_detail", args=[issue.pk]))
    assert [e.kind for e in page.context["events"]] == ["collected", "allocated"]


def test_a_wide_jurisdiction_types_the_unit_code_instead_of_a_huge_select(client_as, demo_user):
    from issues import forms as issue_forms

    issue_forms.MAX_UNIT_CHOICES, previous = 5, issue_forms.MAX_UNIT_CHOICES
    try:
        street = demo_user("xiufeng_street")
        client = client_as("xiufeng_street")
        page = client.get(reverse("issues:issue_create"))
        assert page.context["form"].fields["unit"].to_field_name == "code"
        unit = selectors.loggable_units(viewer=street).last()
        data = log_form(demo_user("xiufeng_worker"), unit=unit.code)
        response = client.post(reverse("issues:issue_create"), data)
        assert response.status_code == 302
        assert Issue.objects.filter(reporter=street, unit=unit).exists()
    finally:
        issue_forms.MAX_UNIT_CHOICES = previous
