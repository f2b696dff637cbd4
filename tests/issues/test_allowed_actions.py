"""For every demo account: the actions the issue page shows are `allowed_actions`, and the API accepts exactly those.

On the seeded city, one issue of each handler kind and status in 秀峰区 (and the
sub-tasks and extension requests among them): the detail page's forms are
parsed and compared with `issues.access` (transitions, sub-task completion,
extension decisions). Then, for one sample issue per account, every transition
the API offers is POSTed with a valid body, each inside a savepoint rolled back
afterwards: an allowed one is never refused (no 403, no 404); one that is not
allowed answers 403 when the account may not take it at all, 400 naming the
status when the issue's state refuses it now.
"""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from grids.viewer import Viewer
from issues import access, selectors, services, transitions
from issues.models import DeadlineExtension, Issue, IssueTask

from .factories import jpeg_with_gps

pytestmark = pytest.mark.django_db

ACCOUNTS = [
    "admin",
    "xiufeng_district",
    "xiufeng_street",
    "xiufeng_community",
    "xiufeng_leader",
    "xiufeng_worker",
    "xiufeng_urban",
    "xiufeng_team_leader",
    "qixing_worker",
]
FORM = re.compile(r'<form method="post" action="(?P<url>[^"]+)"[^>]*data-action="(?P<name>[^"]+)"')


def xiufeng_samples() -> list[Issue]:
    """One issue of 秀峰区 per handler kind and status (the reporter's district)."""
    district = Issue.objects.filter(reporter__username="xiufeng_worker").values_list("unit__path", flat=True)[0][:8]
    seen, samples = set(), []
    for issue in Issue.objects.filter(unit__path__startswith=district).order_by("pk"):
        if (issue.handler_kind, issue.status) not in seen:
            seen.add((issue.handler_kind, issue.status))
            samples.append(issue)
    return samples


def shown(body: str) -> dict[str, set[str]]:
    """The page's forms by URL kind: transitions (/do/), sub-task completions, extension decisions."""
    found: dict[str, set[str]] = {"do": set(), "task": set(), "extension": set()}
    for match in FORM.finditer(body):
        url = match["url"]
        kind = "do" if "/do/" in url else "task" if "issue-tasks" in url else "extension"
        found[kind].add(match["name"] if kind == "do" else url)
    return found


@pytest.mark.parametrize("username", ACCOUNTS)
def test_the_page_shows_exactly_the_allowed_actions(username, demo_user, client_as):
    user = demo_user(username)
    client = client_as(username)
    checked = 0
    for sample in xiufeng_samples():
        response = client.get(reverse("issues:issue_detail", args=[sample.pk]))
        viewer = Viewer.for_user(user)
        visible = selectors.issue_list(viewer=viewer).filter(pk=sample.pk).exists()
        assert response.status_code == (200 if visible else 404), (username, sample.pk)
        if not visible:
            continue
        checked += 1
        issue = selectors.issue_get(viewer=viewer, pk=sample.pk, photos=True)
        page = shown(response.content.decode())
        assert page["do"] == access.issue_allowed_actions(viewer, issue), (username, issue.pk, issue.status)
        tasks = {
            reverse("issues:task_complete", args=[task.pk])
            for task in IssueTask.objects.filter(issue=issue)
            if "complete" in access.task_allowed_actions(viewer, task, issue)
        }
        assert page["task"] == tasks, (username, issue.pk)
        extensions = {
            reverse("issues:extension_decide", args=[extension.pk])
            for extension in DeadlineExtension.objects.filter(issue=issue).select_related("approver_unit")
            if "decide" in access.extension_allowed_actions(viewer, extension)
        }
        assert page["extension"] == extensions, (username, issue.pk)
    assert checked or username == "qixing_worker"


def bodies(issue: Issue, user) -> dict[str, dict]:
    """A valid body for each transition the API offers (so only the rule or the state can refuse it)."""
    choices = services.task_handler_choices(issue)
    return {
        "accept": {},
        "assign": {"assignee": user.pk},
        "decompose": {"tasks": [{"title": "核实", "handler": choices[0][0].token}]},
        "progress": {"note": "已联系"},
        "resolve": {"resolution": "已处理"},
        "feedback": {"satisfaction": "satisfied"},
        "suspend": {"reason": "当事人外出"},
        "resume": {"note": "恢复"},
        "reject": {"reject_reason": "out_of_scope", "note": "不属于受理范围"},
        "escalate": {"note": "需上级协调"},
        "request_extension": {"hours": 24, "reason": "等待配件"},
        "add_photo": {"image": jpeg_with_gps()},
        "urge": {"note": "请尽快办结"},
        "reassign": {"handler": choices[0][0].token, "note": "原承办方无力办理"},
        "lift": {"note": "需要上一级协调"},
    }


def sample_for(username: str, viewer: Viewer) -> Issue:
    """The account's sample: the visible 秀峰区 issue where it may do most, else any issue it reads."""
    visible = [i for i in xiufeng_samples() if selectors.issue_list(viewer=viewer).filter(pk=i.pk).exists()]
    if not visible:
        # An open one if there is (at the test scale a 七星区 grid may have none open: then any it reads).
        readable = selectors.issue_list(viewer=viewer).order_by("pk")
        visible = [readable.filter(status__in=Issue.OPEN_STATUSES).first() or readable.first()]
    issues = [selectors.issue_get(viewer=viewer, pk=i.pk) for i in visible]
    return max(issues, key=lambda i: (len(access.issue_allowed_actions(viewer, i)), -i.pk))


@pytest.mark.parametrize("username", ACCOUNTS)
def test_the_api_accepts_exactly_the_allowed_actions(username, demo_user):
    user = demo_user(username)
    viewer = Viewer.for_user(user)
    issue = sample_for(username, viewer)
    allowed = access.issue_allowed_actions(viewer, issue)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    for transition in transitions.registered():
        body = bodies(issue, user)[transition.name]
        url = f"/api/v1/issues/{issue.pk}/{transition.url_path}/"
        with transaction.atomic():
            response = client.post(url, body, format="multipart" if transition.name == "add_photo" else "json")
            transaction.set_rollback(True)
        where = (username, issue.pk, issue.status, transition.name, response.status_code)
        if transition.name in allowed:
            assert response.status_code not in (403, 404), where
        elif transition.may(viewer, issue):
            assert response.status_code == 400, where  # the state refuses it now
            assert "status" in response.json() or "photos" in response.json(), where
        else:
            assert response.status_code == 403, where
