"""Retiring a grid worker's last post closes the account and hands every open item over, each with a
timeline event; nothing stays with an inactive account (the nightly check lists what does)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grids.models import Post
from issues.models import HandlerKind, Issue, IssueEvent, IssueTask
from people import services
from people.tasks import inactive_assignments, inactive_assignments_check_task
from tests.factories import CategoryFactory, IssueFactory
from volunteers.models import ServiceCategory, Team, TeamMember, Volunteer

from .world import build

pytestmark = pytest.mark.django_db


def _issues_held_by(w, worker, n: int) -> list[Issue]:
    """n open issues of the worker's zone with the worker as named handler or assignee, one with a sub-task."""
    category = CategoryFactory()
    issues = [IssueFactory(reporter=worker, unit=w.zone_a, category=category) for _ in range(n)]
    ids = [i.pk for i in issues]
    Issue.objects.filter(pk__in=ids[: n - 1]).update(
        status=Issue.Status.ALLOCATED, handler_kind=HandlerKind.GRID_LEADER, handler_user=worker
    )
    Issue.objects.filter(pk=ids[-1]).update(
        status=Issue.Status.IN_PROGRESS, handler_kind=HandlerKind.OFFICE, handler_unit=w.community_a, assignee=worker
    )
    IssueTask.objects.create(
        issue_id=ids[0], title="入户核实", handler_kind=HandlerKind.GRID_LEADER, handler_user=worker, created_by=worker
    )
    return issues


def _team_led_by(w, person) -> Team:
    category = ServiceCategory.objects.order_by("pk").first() or ServiceCategory.objects.create(
        code="t20", name="测试类"
    )
    team = Team.objects.create(name="离岗测试队", category=category, unit=w.community_a)
    volunteer = Volunteer.objects.create(full_name=person.full_name, user=person, unit=w.community_a)
    TeamMember.objects.create(team=team, volunteer=volunteer, role=TeamMember.Role.LEADER, joined_on="2026-01-01")
    return team


@pytest.mark.parametrize("to_successor", [True, False], ids=["to a successor", "to the community office"])
def test_retiring_a_grid_workers_last_post_hands_every_open_item_over_with_a_timeline_event(to_successor):
    w = build()
    issues = _issues_held_by(w, w.worker_a, 4)
    team = _team_led_by(w, w.worker_a)
    post = Post.objects.get(user=w.worker_a)
    successor = w.leader_a if to_successor else None

    result = services.post_retire(actor=w.community_a_staff, post=post, successor=successor)

    assert result.deactivated
    assert {kind: n for kind, n in result.handed_over.items() if n} == {"issues": 5, "volunteer_teams": 1}
    w.worker_a.refresh_from_db()
    assert not w.worker_a.is_active
    post = Post.terms.get(pk=post.pk)
    assert post.ended_on is not None  # kept, with its end date
    assert not Post.objects.filter(user=w.worker_a).exists()  # and no longer a current post
    for issue in Issue.objects.filter(pk__in=[i.pk for i in issues]):
        assert issue.handler_user_id != w.worker_a.pk
        assert issue.assignee_id != w.worker_a.pk
        if to_successor:
            assert successor.pk in (issue.handler_user_id, issue.assignee_id)
        else:
            assert issue.handler_kind == HandlerKind.OFFICE
            assert issue.handler_unit_id == w.community_a.pk
        event = IssueEvent.objects.filter(issue=issue).order_by("-pk").first()
        assert event.kind == IssueEvent.Kind.ASSIGNED
        assert event.actor_id == w.community_a_staff.pk
        assert event.data["handover"]["from_user"] == w.worker_a.pk
        assert w.worker_a.display_name in event.note
    assert not IssueTask.objects.filter(handler_user=w.worker_a, status=IssueTask.Status.OPEN).exists()
    assert not TeamMember.objects.filter(team=team, volunteer__user=w.worker_a, left_on__isnull=True).exists()
    leaders = TeamMember.objects.filter(team=team, role=TeamMember.Role.LEADER, left_on__isnull=True)
    assert [m.volunteer.user_id for m in leaders] == ([successor.pk] if to_successor else [])
    # Nothing stays with the inactive account.
    assert inactive_assignments() == {}


def test_retiring_one_of_two_posts_keeps_the_account_and_its_work():
    w = build()
    issues = _issues_held_by(w, w.worker_a, 2)
    second = Post.objects.create(user=w.worker_a, unit=w.zone_b, role=Post.Role.GRID_WORKER)
    result = services.post_retire(actor=w.district_staff, post=second)
    assert not result.deactivated
    w.worker_a.refresh_from_db()
    assert w.worker_a.is_active
    assert Issue.objects.filter(pk=issues[0].pk, handler_user=w.worker_a).exists()


def test_the_nightly_check_lists_work_left_with_an_account_closed_elsewhere(caplog):
    w = build()
    _issues_held_by(w, w.worker_a, 3)
    w.worker_a.is_active = False  # closed in the admin, without the hand-over
    w.worker_a.save(update_fields=["is_active"])

    found = inactive_assignments_check_task()

    assert found["issues"] == {str(w.worker_a.pk): 4}  # 3 issues and a sub-task
    assert any(r.getMessage() == "inactive account still holds work" for r in caplog.records)


def test_a_successor_outside_the_staff_subtree_is_refused_and_nothing_changes():
    w = build()
    issues = _issues_held_by(w, w.worker_a, 2)
    post = Post.objects.get(user=w.worker_a)
    with pytest.raises(ValidationError) as raised:
        services.post_retire(actor=w.street_a_staff, post=post, successor=w.worker_b)
    assert "successor" in getattr(raised.value, "message_dict", {})
    assert Post.objects.filter(pk=post.pk).exists()
    assert Issue.objects.filter(pk=issues[0].pk, handler_user=w.worker_a).exists()


def test_staff_of_another_street_cannot_retire_the_post():
    w = build()
    post = Post.objects.get(user=w.worker_a)
    with pytest.raises(PermissionDenied):
        services.post_retire(actor=w.street_b_staff, post=post)
    assert Post.objects.filter(pk=post.pk).exists()
