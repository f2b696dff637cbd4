"""Adding a handler kind or a transition is one registration: everything else picks it up.

A kind registered here routes issues, fills the inboxes, the "who handles it"
predicate and the notifications; a transition registered here appears on the
detail page, is accepted by the page and by an API built from the registry, and
is refused to whoever its rule leaves out.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.translation import gettext_lazy
from rest_framework.test import APIRequestFactory, force_authenticate

from grids.models import Post
from grids.viewer import Viewer, viewer_of
from issues import access, handler_kinds, selectors, services, transitions
from issues.api import serializers as s
from issues.api.views import IssueViewSet, with_transitions
from issues.forms import NoteForm
from issues.handler_kinds import Handler, HandlerKindEntry
from issues.models import HandlerKind, Issue, IssueEvent, Notification
from tests.factories import RoutingRuleFactory, person_at

from .factories import fresh, log_routed
from .world import category
from .world import log as world_log

pytestmark = pytest.mark.django_db

S = Issue.Status


# ---------------------------------------------------------------------------
# Handler kinds
# ---------------------------------------------------------------------------
def test_colleagues_are_the_people_behind_each_of_the_viewers_references_once_each(world):
    """The office's staff and the department's members, from one set of user ids (no one twice, no one else)."""
    world.department.members.add(world.community)
    colleague = person_at(world.a.community, Post.Role.COMMUNITY_STAFF)
    listed = list(selectors.colleagues_of(viewer=world.community))
    assert sorted(u.pk for u in listed) == sorted({world.community.pk, colleague.pk, world.urban.pk})
    assert world.street not in listed
    assert world.worker not in listed


def test_the_grid_and_the_volunteer_kinds_are_registered_each_with_its_field():
    fields = {entry.name: entry.field for entry in handler_kinds.kinds()}
    assert fields == {
        HandlerKind.GRID_LEADER: "handler_user",
        HandlerKind.OFFICE: "handler_unit",
        HandlerKind.DEPARTMENT: "handler_department",
        HandlerKind.VOLUNTEER_TEAM: "handler_team",  # registered by volunteers.handler_kind
    }
    assert set(fields.values()) == set(Issue.HANDLER_FIELDS)


def test_a_kind_needs_a_model_field():
    with pytest.raises(ValueError, match="HANDLER_FIELDS"):
        handler_kinds.register(HandlerKindEntry(name="nowhere", field="handler_nowhere", handled_ids=lambda v: ()))


def _sentinel_kind(worker_id: int) -> HandlerKindEntry:
    """A kind that sends issues to a grid worker by name (it shares `handler_user` with the grid leader)."""
    from grids.models import User

    return HandlerKindEntry(
        name="grid_sentinel",
        field="handler_user",
        handled_ids=lambda viewer: (viewer.user_id,) if viewer.user_id else (),
        recipients=lambda ids: {user_id: {user_id} for user_id in ids},
        route=lambda rule, issue: Handler.to("grid_sentinel", User.objects.get(pk=worker_id)),
        name_of=lambda user: user.display_name,
        describe=lambda label: f"哨兵 {label}",
    )


def test_a_kind_registered_here_routes_fills_the_inbox_and_handles(world):
    reporter, unit, leader = world.worker, world.a.area, world.leader
    sentinel_id = person_at(unit, Post.Role.GRID_WORKER).pk  # another grid worker of the micro-grid
    with handler_kinds.temporarily_registered(_sentinel_kind(sentinel_id)):
        RoutingRuleFactory(unit=unit, category=category(world, "opinion-property"), handler_kind="grid_sentinel")
        issue = world_log(world, reporter, code="opinion-property", unit=unit)
        services.issue_route(issue_id=issue.pk)
        issue = fresh(issue)
        assert (issue.handler_kind, issue.handler_user_id, issue.routing_no_rule) == (
            "grid_sentinel",
            sentinel_id,
            False,
        )
        assert issue.handler_label.startswith("哨兵 ")
        assert Notification.objects.filter(issue=issue, recipient_id=sentinel_id, kind="routed").exists()
        sentinel = Viewer.for_user(issue.handler_user)
        assert issue in selectors.issue_inbox(viewer=sentinel)
        assert access.handles_issue(sentinel, issue)
        assert "accept" in access.issue_allowed_actions(sentinel, issue)
        # The grid leader's kind fills the same field: it does not make the leader a handler of this one.
        assert not access.handles_issue(Viewer.for_user(leader), issue)
        assert issue not in selectors.issue_inbox(viewer=leader)
        services.issue_accept(actor=issue.handler_user, issue=issue)
    assert handler_kinds.find("grid_sentinel") is None


def test_a_kind_without_a_handler_falls_back_to_the_community_office(world):
    reporter, unit = world.worker, world.a.area
    nobody = HandlerKindEntry(
        name="grid_nobody",
        field="handler_user",
        handled_ids=lambda viewer: (),
        route=lambda rule, issue: None,
        fallback_note=gettext_lazy("没有匹配的分派规则，转社区办公室。"),
        fallback_counts_as_no_rule=True,
    )
    with handler_kinds.temporarily_registered(nobody):
        RoutingRuleFactory(unit=unit, category=category(world, "opinion-property"), handler_kind="grid_nobody")
        issue = world_log(world, reporter, code="opinion-property", unit=unit)
        services.issue_route(issue_id=issue.pk)
    issue = fresh(issue)
    assert (issue.handler_kind, issue.routing_no_rule) == (HandlerKind.OFFICE, True)
    assert issue.handler_unit == world.a.community


# ---------------------------------------------------------------------------
# Transitions
# ---------------------------------------------------------------------------
PAGE_FORMS = re.compile(r'<form method="post" action="(?P<url>[^"]+)"[^>]*data-action="(?P<name>[^"]+)"')


def page_actions(client, issue: Issue) -> dict[str, str]:
    """The transition forms the detail page shows: name -> URL."""
    body = client.get(reverse("issues:issue_detail", args=[issue.pk])).content.decode()
    return {m["name"]: m["url"] for m in PAGE_FORMS.finditer(body) if "/do/" in m["url"]}


@pytest.fixture
def flag():
    """A transition registered for one test: a handler flags an open issue (the progress service)."""
    transition = transitions.Transition(
        name="flag",
        label=gettext_lazy("记录进展"),
        statuses=(S.ALLOCATED, S.IN_PROGRESS),
        may=access.can_handle_issue,
        refusal=gettext_lazy("只有承办方可以办理这个问题。"),
        run=lambda call: services.issue_progress(actor=call.actor, issue=call.issue, note="⚑ " + call.data["note"]),
        form=NoteForm,
        serializer=s.NoteSerializer,
        done=gettext_lazy("已记录进展。"),
        api_path="flag-it",
    )
    with transitions.temporarily_registered(transition):
        yield transition
    assert "flag" not in {t.name for t in transitions.registered()}


def test_a_transition_registered_here_is_on_the_page_and_the_page_takes_it(flag, demo_user, client_as):
    issue = log_routed(demo_user("xiufeng_worker"))
    staff = client_as("xiufeng_community")
    assert "flag" in access.issue_allowed_actions(viewer_of(demo_user("xiufeng_community")), issue)
    url = page_actions(staff, issue)["flag"]
    assert url == reverse("issues:issue_action", args=[issue.pk, "flag"])
    response = staff.post(url, {"version": issue.version, "note": "夜间复查"})
    assert response.status_code == 302
    assert IssueEvent.objects.filter(issue=issue, kind="progress", note="⚑ 夜间复查").exists()
    # The reporter may not: no form, and the page's POST is refused.
    worker = client_as("xiufeng_worker")
    assert "flag" not in page_actions(worker, issue)
    assert worker.post(url, {"version": issue.version, "note": "x"}).status_code == 403


def test_a_transition_registered_here_is_an_api_action_accepted_and_refused_by_its_rule(flag, demo_user):
    viewset = with_transitions(type("FlaggingIssueViewSet", (IssueViewSet,), {}))
    endpoints = {a.__name__: a for a in viewset.get_extra_actions()}
    assert endpoints["flag"].url_path == "flag-it"
    assert endpoints["flag"].mapping == {"post": "flag"}
    issue = log_routed(demo_user("xiufeng_worker"))
    view = viewset.as_view({"post": "flag"})

    def post(username: str):
        request = APIRequestFactory().post(f"/api/v1/issues/{issue.pk}/flag-it/", {"note": "复查"}, format="json")
        force_authenticate(request, user=demo_user(username))
        return view(request, pk=str(issue.pk))

    assert post("xiufeng_community").status_code == 200
    assert IssueEvent.objects.filter(issue=issue, note="⚑ 复查").exists()
    assert post("xiufeng_worker").status_code == 403
    assert post("qixing_worker").status_code == 404
