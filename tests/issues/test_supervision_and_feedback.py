"""Issue 12, items 4–6 on the seeded city: supervision that acts (urge, reassign, lift), feedback that
can be trusted (never by the handler who resolved it, page and API), and the field basics (photos
kept across a form error, the resident's phone as a tel: link, routing internals only for staff,
list search)."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from issues import selectors, services
from issues.models import Issue, IssueEvent, IssuePhoto, Notification, StagedPhoto

from .factories import category, fresh, jpeg_with_gps, log_routed

pytestmark = pytest.mark.django_db

E = IssueEvent.Kind


def api_as(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def office_issue(demo_user) -> Issue:
    """Property services in 解东社区: routed to the community office (xiufeng_community handles it)."""
    issue = log_routed(demo_user("xiufeng_worker"))
    assert issue.handler_kind == Issue.HandlerKind.OFFICE
    return issue


# -- urge 催办 ------------------------------------------------------------------------------------
def test_urge_goes_on_the_timeline_notifies_the_handler_and_a_second_inside_the_interval_is_refused(
    client_as, demo_user, settings
):
    settings.ISSUE_URGE_INTERVAL_HOURS = 24
    issue = office_issue(demo_user)
    community = demo_user("xiufeng_community")
    street = client_as("xiufeng_street")
    url = reverse("issues:issue_action", args=[issue.pk, "urge"])
    back = reverse("issues:issue_supervision") + "?sort=late"

    response = street.post(url, {"note": "请今天内联系居民", "next": back})
    assert response.status_code == 302
    assert response["Location"] == back
    urges = IssueEvent.objects.filter(issue=issue, kind=E.URGED)
    assert [(e.actor.username, e.note) for e in urges.all()] == [("xiufeng_street", "请今天内联系居民")]
    assert Notification.objects.filter(issue=issue, kind=Notification.Kind.URGED, recipient=community).count() == 1

    # Again at once: refused (400 on the page, naming why), nothing new on the timeline or in the inbox.
    again = street.post(url, {"note": "再催"})
    assert again.status_code == 400
    assert "只能催办一次" in again.content.decode()
    api = api_as(demo_user("xiufeng_street")).post(f"/api/v1/issues/{issue.pk}/urge/", {}, format="json")
    assert api.status_code == 400
    assert "status" in api.json()
    assert urges.count() == 1
    assert Notification.objects.filter(issue=issue, kind=Notification.Kind.URGED).count() == 1

    # Past the interval it may be urged again.
    from datetime import timedelta

    from django.utils import timezone

    later = timezone.now() + timedelta(hours=25)
    services.issue_urge(actor=demo_user("xiufeng_street"), issue=fresh(issue), now=later)
    assert urges.count() == 2


def test_the_handler_and_a_grid_worker_may_not_urge(client_as, demo_user):
    issue = office_issue(demo_user)
    for username in ("xiufeng_community", "xiufeng_worker"):
        response = client_as(username).post(reverse("issues:issue_action", args=[issue.pk, "urge"]), {"note": "x"})
        assert response.status_code == 403, username
    assert not IssueEvent.objects.filter(issue=issue, kind=E.URGED).exists()


# -- reassign 改派 and lift 提级 ---------------------------------------------------------------------
def test_reassign_hands_the_issue_over_on_the_timeline_and_notifies_the_new_handler(client_as, demo_user):
    issue = office_issue(demo_user)
    current = {issue.handler_kind: issue.handler_unit_id}
    choice = next(
        h for h, _label in services.task_handler_choices(issue) if h.refs.get("handler_unit") != current.get("office")
    )
    response = client_as("xiufeng_street").post(
        reverse("issues:issue_action", args=[issue.pk, "reassign"]),
        {"version": issue.version, "handler": choice.token, "note": "社区人手不足，改派"},
    )
    assert response.status_code == 302
    moved = fresh(issue)
    assert (moved.handler_kind, moved.status, moved.assignee_id) == (choice.kind, Issue.Status.ALLOCATED, None)
    event = IssueEvent.objects.get(issue=issue, kind=E.REASSIGNED)
    assert event.actor.username == "xiufeng_street"
    assert "社区人手不足" in event.note
    notified = set(
        Notification.objects.filter(issue=issue, kind=Notification.Kind.REASSIGNED).values_list(
            "recipient_id", flat=True
        )
    )
    from issues.handler_kinds import recipients_for

    assert notified == recipients_for([moved])[moved.pk] - {demo_user("xiufeng_street").pk}
    # A reason is required: refused, nothing changes.
    before = fresh(issue).version
    refused = client_as("xiufeng_street").post(
        reverse("issues:issue_action", args=[issue.pk, "reassign"]),
        {"version": before, "handler": choice.token, "note": ""},
    )
    assert refused.status_code in (400, 403)
    assert fresh(issue).version == before


def test_lift_hands_the_issue_to_the_office_above_with_an_event(client_as, demo_user):
    issue = office_issue(demo_user)
    response = client_as("xiufeng_district").post(
        reverse("issues:issue_action", args=[issue.pk, "lift"]), {"version": issue.version, "note": "协调难度大"}
    )
    assert response.status_code == 302
    lifted = fresh(issue)
    assert lifted.handler_unit_id != issue.handler_unit_id
    assert lifted.handler_unit.path == issue.handler_unit.path[:-4]
    assert IssueEvent.objects.filter(issue=issue, kind=E.REASSIGNED, data__lifted=True).count() == 1


def test_supervision_list_shows_days_overdue_sorts_by_lateness_and_searches(client_as, demo_user):
    worker = demo_user("xiufeng_worker")
    issues = [log_routed(worker, description=f"第{n}个 井盖松动") for n in range(3)]
    # Overdue by 5, 2 and 0 days (the last one only near its deadline).
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    for issue, days in zip(issues, (5, 2, 0), strict=True):
        due = now - timedelta(days=days, hours=1) if days else now + timedelta(hours=2)
        Issue.objects.filter(pk=issue.pk).update(
            due_at=due, remind_at=due - timedelta(hours=10), created_at=due - timedelta(days=3)
        )
    client = client_as("xiufeng_street")
    page = client.get(reverse("issues:issue_supervision"), {"q": "井盖"}).context["page"]
    assert [i.pk for i in page.object_list] == [i.pk for i in issues]
    assert [i.days_overdue for i in page.object_list] == [6, 3, 0]
    least = client.get(reverse("issues:issue_supervision"), {"q": "井盖", "sort": "least_late"}).context["page"]
    assert [i.pk for i in least.object_list] == [i.pk for i in reversed(issues)]
    body = client.get(reverse("issues:issue_supervision"), {"q": "井盖"}).content.decode()
    assert 'data-action="urge"' in body
    assert 'data-action="reassign"' in body
    one = client.get(reverse("issues:issue_supervision"), {"q": f"#{issues[1].pk}"}).context["page"]
    assert [i.pk for i in one.object_list] == [issues[1].pk]


# -- feedback: never the handler who resolved it ----------------------------------------------------
def resolved_by_community(demo_user) -> Issue:
    issue = office_issue(demo_user)
    community = demo_user("xiufeng_community")
    issue = services.issue_accept(actor=community, issue=issue)
    return services.issue_resolve(actor=community, issue=issue, resolution="已联系物业修复")


def test_the_handler_who_resolved_it_cannot_record_feedback_page_and_api(client_as, demo_user):
    issue = resolved_by_community(demo_user)
    client = client_as("xiufeng_community")
    detail = client.get(reverse("issues:issue_detail", args=[issue.pk])).content.decode()
    assert 'data-action="feedback"' not in detail
    page = client.post(
        reverse("issues:issue_action", args=[issue.pk, "feedback"]),
        {"version": issue.version, "satisfaction": "satisfied", "note": ""},
    )
    assert page.status_code == 403
    api = api_as(demo_user("xiufeng_community")).post(
        f"/api/v1/issues/{issue.pk}/feedback/", {"satisfaction": "satisfied"}, format="json"
    )
    assert api.status_code == 403
    assert "回访" in api.json()["detail"] or "登记人" in api.json()["detail"]
    assert fresh(issue).status == Issue.Status.RESOLVED
    assert fresh(issue).satisfaction == ""


def test_the_reporter_or_a_return_visit_by_other_staff_records_feedback(client_as, demo_user):
    issue = resolved_by_community(demo_user)
    response = client_as("xiufeng_street").post(
        reverse("issues:issue_action", args=[issue.pk, "feedback"]),
        {"version": issue.version, "satisfaction": "basic", "note": "电话回访"},
    )
    assert response.status_code == 302
    event = IssueEvent.objects.get(issue=issue, kind=E.FEEDBACK)
    assert (event.actor.username, event.data["channel"]) == ("xiufeng_street", "return_visit")
    other = resolved_by_community(demo_user)
    response = api_as(demo_user("xiufeng_worker")).post(
        f"/api/v1/issues/{other.pk}/feedback/", {"satisfaction": "satisfied"}, format="json"
    )
    assert response.status_code == 200
    assert IssueEvent.objects.get(issue=other, kind=E.FEEDBACK).data["channel"] == "reporter"


def test_a_superuser_who_resolved_an_issue_cannot_grade_it(demo_user):
    from django.core.exceptions import PermissionDenied

    issue = office_issue(demo_user)
    admin = demo_user("admin")
    issue = services.issue_accept(actor=admin, issue=issue)
    issue = services.issue_resolve(actor=admin, issue=issue, resolution="处理完毕")
    with pytest.raises(PermissionDenied):
        services.issue_feedback(actor=admin, issue=issue, satisfaction="satisfied")
    assert fresh(issue).status == Issue.Status.RESOLVED


# -- field basics ----------------------------------------------------------------------------------
def log_data(worker, **extra):
    unit = selectors.default_log_unit(viewer=worker)
    data = {
        "client_key": str(uuid.uuid4()),
        "unit": unit.pk,
        "category": category("opinion-property").pk,
        "description": "电梯停运两天。",
        "resident_phone": "13907731234",
        "priority": "1",
    }
    data.update(extra)
    return data


def test_photos_chosen_before_a_form_error_are_kept_and_sent_without_choosing_them_again(client_as, demo_user):
    worker = demo_user("xiufeng_worker")
    client = client_as("xiufeng_worker")
    data = log_data(worker, description="")  # the error: no description
    first = client.post(reverse("issues:issue_create"), {**data, "photos": [jpeg_with_gps()]})
    assert first.status_code == 200
    (staged,) = first.context["staged"]
    body = first.content.decode()
    assert f'name="staged" value="{staged.token}"' in body
    thumbnail = reverse("issues:staged_photo", args=[staged.token])
    assert thumbnail in body
    assert client.get(thumbnail).status_code == 200
    assert client_as("xiufeng_leader").get(thumbnail).status_code == 404  # the owner's only
    # Sent again with the token and no file: the issue has the photo, the staged copy is gone.
    second = client.post(reverse("issues:issue_create"), {**data, "description": "电梯停运", "staged": [staged.token]})
    assert second.status_code == 302
    issue = Issue.objects.filter(reporter=worker).latest("pk")
    assert IssuePhoto.objects.filter(issue=issue).count() == 1
    assert not StagedPhoto.objects.filter(pk=staged.pk).exists()
    # Someone else's token is ignored.
    form = client_as("xiufeng_leader").get(reverse("issues:issue_create")).content.decode()
    assert 'capture="environment"' in form
    assert 'accept="image/*"' in form


def test_the_residents_phone_is_a_tel_link_only_for_those_who_see_it(client_as, demo_user):
    issue = office_issue(demo_user)
    Issue.objects.filter(pk=issue.pk).update(resident_phone="13907731234")
    url = reverse("issues:issue_detail", args=[issue.pk])
    assert 'href="tel:13907731234"' in client_as("xiufeng_worker").get(url).content.decode()  # the reporter
    assert 'href="tel:13907731234"' in client_as("xiufeng_community").get(url).content.decode()  # the handler
    other = client_as("xiufeng_street").get(url).content.decode()
    assert "tel:" not in other
    assert "13907731234" not in other


def test_routing_internals_only_for_staff(client_as, demo_user):
    issue = log_routed(demo_user("xiufeng_worker"), code="other")
    assert issue.routing_no_rule
    url = reverse("issues:issue_detail", args=[issue.pk])
    assert "无匹配规则" not in client_as("xiufeng_worker").get(url).content.decode()
    assert "无匹配规则" not in client_as("xiufeng_worker").get(reverse("issues:issue_mine")).content.decode()
    assert "无匹配规则" in client_as("xiufeng_community").get(url).content.decode()
