"""The demo's issues: exactly the promised counts, two years across every district, work for the demo accounts."""

import pytest
from django.db.models import Count
from django.utils import timezone

from grids.models import GridUnit, User
from issues import selectors, services
from issues.demo import plan
from issues.models import Department, HandlerKind, Issue, IssueCategory, IssueEvent, RoutingRule
from tests.conftest import DEMO_SCALE
from volunteers.demo import plan as volunteer_plan

pytestmark = pytest.mark.django_db

S = Issue.Status


def test_the_seeded_issues_are_exactly_the_promised_counts():
    promised = plan(DEMO_SCALE)
    # Demands handled by volunteer teams, and the rules sending them there, are the volunteers step's promise.
    ours = Issue.objects.exclude(handler_kind=HandlerKind.VOLUNTEER_TEAM)
    by_status = dict(ours.values_list("status").annotate(n=Count("pk")))
    assert by_status.get(S.RESOLVED, 0) + by_status.get(S.CLOSED, 0) == promised["issues.issues.resolved"]
    assert sum(by_status.get(s, 0) for s in Issue.OPEN_STATUSES) == promised["issues.issues.open"]
    assert by_status.get(S.REJECTED, 0) == promised["issues.issues.rejected"]
    assert IssueCategory.objects.count() == promised["issues.categories"]
    assert Department.objects.count() == promised["issues.departments"]
    assert (
        RoutingRule.objects.exclude(handler_kind=HandlerKind.VOLUNTEER_TEAM).count() == promised["issues.routing_rules"]
    )


def test_full_scale_promises_the_reports_6828_solved_problems():
    full = plan(1)
    # The teams' demands are solved problems too: together exactly the report's figure, not on top of it.
    assert full["issues.solved_in_all"] == 6828
    assert full["issues.issues.resolved"] + volunteer_plan(1)["volunteers.demands.resolved"] == 6828
    assert full["issues.issues.open"] > 100
    kinds = set(IssueCategory.objects.values_list("kind", flat=True))
    assert kinds == set(Issue.Kind.values)


def test_history_spans_two_years_with_complete_timelines():
    oldest = Issue.objects.order_by("created_at").first().created_at
    assert (timezone.now() - oldest).days > 300
    closed = Issue.objects.filter(status=S.CLOSED)
    assert closed.exclude(satisfaction__in=["satisfied", "basic"]).count() == 0
    sample = closed.first()
    kinds = list(IssueEvent.objects.filter(issue=sample).order_by("at", "pk").values_list("kind", flat=True))
    assert kinds[:3] == ["collected", "allocated", "accepted"]
    assert kinds[-1] == "feedback"
    assert not IssueEvent.objects.filter(at__gt=timezone.now()).exists()
    assert Issue.objects.filter(escalation_level__gt=0).exists()
    assert Issue.objects.filter(routing_no_rule=True).exists()


def test_demo_accounts_have_work():
    community = User.objects.get(username="xiufeng_community")
    inbox = list(selectors.issue_inbox(viewer=community))
    assert inbox
    assert {i.handler_unit.name for i in inbox} == {"解东社区"}
    street = User.objects.get(username="xiufeng_street")
    assert any(i.is_overdue() for i in selectors.issue_supervision(viewer=street))
    assert selectors.extensions_pending_for(viewer=street).exists()
    leader = User.objects.get(username="xiufeng_leader")
    assert selectors.issue_inbox(viewer=leader).exists()
    urban = User.objects.get(username="xiufeng_urban")
    assert selectors.tasks_inbox(viewer=urban).exists() or selectors.issue_inbox(viewer=urban).exists()
    worker = User.objects.get(username="xiufeng_worker")
    assert selectors.issue_mine(viewer=worker).filter(status=S.RESOLVED).exists()  # feedback to collect


def test_the_demo_needs_no_sweep_at_seed_time():
    # Every reminder and climb that was due is already in the history: a sweep now changes (almost) nothing.
    result = services.deadlines_sweep()
    assert len(result.escalated) + len(result.reminded) <= 2


def test_issues_reach_every_district_at_full_scale_share():
    districts = GridUnit.objects.filter(level=GridUnit.Level.DISTRICT).count()
    with_issues = {i.unit.path[:8] for i in Issue.objects.select_related("unit")}
    assert len(with_issues) >= districts // 2  # at 1 % scale; every district at full scale


def test_satisfaction_reads_like_a_real_city_and_differs_by_district():
    # The resident's last word: some dissatisfied (reopened, back with the handler or awaiting the return
    # visit after being handled again), some basically satisfied; never a closed issue left dissatisfied.
    verdicts = dict(Issue.objects.exclude(satisfaction="").values_list("satisfaction").annotate(n=Count("pk")))
    given = sum(verdicts.values())
    positive = verdicts.get("satisfied", 0) + verdicts.get("basic", 0)
    assert verdicts.get("dissatisfied", 0) > 0
    assert verdicts.get("basic", 0) > 0
    assert 0.80 <= positive / given < 0.99
    dissatisfied = Issue.objects.filter(satisfaction="dissatisfied")
    assert set(dissatisfied.values_list("status", flat=True)) <= {S.RESOLVED, *Issue.OPEN_STATUSES}
    assert not dissatisfied.filter(status=S.CLOSED).exists()
    assert not Issue.objects.filter(status=S.REJECTED).exclude(satisfaction="").exists()
