"""The issue life cycle, routing rules, time limits and supervision, through the services.

Each test builds its own small city (`world`, tests/issues/world.py, made with the
factories of tests/factories.py): two districts, one chain of units in each, the
people and the routing rules the tests need. The seeded demo city is for the permission matrix, page and demo tests.
"""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grids.models import GridUnit, Post
from guilin_portal.errors import ConflictError
from guilin_portal.privacy import mask_phone
from issues import access, selectors, services
from issues.models import DeadlineExtension, HandlerKind, Issue, IssueEvent, IssueTask, Notification
from tests.factories import RoutingRuleFactory

from .factories import fresh
from .world import category, log, log_routed

pytestmark = pytest.mark.django_db

S = Issue.Status


def kinds(issue: Issue) -> list[str]:
    return list(IssueEvent.objects.filter(issue=issue).order_by("at", "pk").values_list("kind", flat=True))


# ---------------------------------------------------------------------------
# Logging
# ---------------------------------------------------------------------------
def test_logging_records_the_issue_waiting_with_its_deadlines(world):
    worker = world.worker
    before = timezone.now()
    issue = log(world, worker, code="hazard-fire", resident_phone="138 1234 5678")
    assert issue.status == S.COLLECTED
    assert issue.kind == "hazard"
    assert issue.resident_phone == "13812345678"
    assert issue.due_at - issue.created_at == timedelta(hours=24)  # the category's time limit
    assert issue.remind_at - issue.created_at == timedelta(hours=24) * 0.8
    assert issue.created_at >= before
    assert kinds(issue) == ["collected"]


def test_logging_outside_the_jurisdiction_or_above_a_micro_grid_is_refused(world):
    worker = world.worker
    other_district_unit = selectors.default_log_unit(viewer=world.worker_b)
    with pytest.raises(ValidationError) as error:
        log(world, worker, unit=other_district_unit)
    assert "unit" in error.value.message_dict
    community = world.a.community
    with pytest.raises(ValidationError) as error:
        log(world, world.community, unit=community)
    assert "微网格" in error.value.message_dict["unit"][0]


@pytest.mark.parametrize("phone", ["12345", "1381234567", "23812345678", "abc"])
def test_a_bad_phone_is_refused_naming_the_field(world, phone):
    with pytest.raises(ValidationError) as error:
        log(world, world.worker, resident_phone=phone)
    assert "resident_phone" in error.value.message_dict
    assert not Issue.objects.filter(resident_phone=phone).exists()


@pytest.mark.parametrize("phone", ["13812345678", "+86 139 0000 1111", "0773-2825678", "07732825678"])
def test_mobile_and_landline_numbers_are_accepted(world, phone):
    issue = log(world, world.worker, resident_phone=phone)
    assert issue.resident_phone.replace("-", "").isdigit()


def test_the_same_client_key_twice_gives_one_issue(world):
    worker = world.worker
    key = uuid.uuid4()
    first = log(world, worker, client_key=key)
    second = log(world, worker, client_key=key, description="第二次点击")
    assert first.pk == second.pk
    assert Issue.objects.filter(client_key=key).count() == 1
    assert fresh(first).description != "第二次点击"


def test_someone_elses_client_key_is_refused(world):
    key = uuid.uuid4()
    log(world, world.worker, client_key=key)
    with pytest.raises(ValidationError) as error:
        log(world, world.leader, client_key=key)
    assert "client_key" in error.value.message_dict


def test_mask_phone():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0773-2825678") == "077****5678"
    assert mask_phone("") == ""


# ---------------------------------------------------------------------------
# Routing
# ---------------------------------------------------------------------------
def test_routing_follows_the_city_rule_to_the_community_office_and_notifies_its_staff(world):
    community = world.community
    issue = log_routed(world, world.worker, code="opinion-property")
    assert issue.status == S.ALLOCATED
    assert issue.handler_kind == HandlerKind.OFFICE
    assert Post.objects.filter(user=community, unit=issue.handler_unit, role=Post.Role.COMMUNITY_STAFF).exists()
    assert issue.handler_unit == world.a.community
    assert not issue.routing_no_rule
    assert Notification.objects.filter(recipient=community, issue=issue, kind="routed").exists()
    assert issue in selectors.issue_inbox(viewer=community)


def test_routing_to_the_grid_leader(world):
    issue = log_routed(world, world.worker, code="dispute-neighbour")
    assert issue.handler_kind == HandlerKind.GRID_LEADER
    assert issue.handler_user == world.leader


def test_the_deeper_rule_wins_over_the_city_rule(world):
    # District a has its own rule for sanitation: its urban management department, not the grid leader.
    issue = log_routed(world, world.worker, code="opinion-env")
    assert issue.handler_kind == HandlerKind.DEPARTMENT
    assert issue.handler_department == world.department
    elsewhere = log_routed(world, world.worker_b, code="opinion-env")
    assert elsewhere.handler_kind == HandlerKind.GRID_LEADER


def test_a_category_rule_beats_a_catch_all_rule_at_the_same_depth(world):
    worker = world.worker
    street = world.a.street
    # A catch-all rule on the street, and a category rule on the same street.
    RoutingRuleFactory(unit=street, category=None, handler_kind=HandlerKind.OFFICE, office_level=GridUnit.Level.STREET)
    RoutingRuleFactory(
        unit=street,
        category=category(world, "proxy-cert"),
        handler_kind=HandlerKind.OFFICE,
        office_level=GridUnit.Level.DISTRICT,
    )
    assert log_routed(world, worker, code="proxy-cert").handler_unit == world.a.district
    assert (
        log_routed(world, worker, code="opinion-property").handler_unit == street
    )  # the catch-all, deeper than the city's


def test_no_rule_goes_to_the_community_office_flagged(world):
    issue = log_routed(world, world.worker, code="other")
    assert issue.routing_no_rule
    assert issue.routing_rule is None
    assert issue.handler_unit == world.a.community
    assert "没有匹配的分派规则" in IssueEvent.objects.get(issue=issue, kind="allocated").note


def test_a_leader_rule_without_a_leader_falls_back_to_the_community(world):
    worker = world.worker
    unit = selectors.default_log_unit(viewer=worker)
    Post.objects.filter(role=Post.Role.GRID_LEADER, unit=unit).delete()
    issue = log_routed(world, worker, code="dispute-neighbour")
    assert issue.handler_kind == HandlerKind.OFFICE
    assert issue.handler_unit.level == GridUnit.Level.COMMUNITY


def test_routing_twice_is_the_same_as_once(world):
    issue = log(world, world.worker)
    services.issue_route(issue_id=issue.pk)
    first = fresh(issue)
    services.issue_route(issue_id=issue.pk)
    second = fresh(issue)
    assert (first.status, first.handler_unit_id, first.version) == (
        second.status,
        second.handler_unit_id,
        second.version,
    )
    assert kinds(issue).count("allocated") == 1
    assert Notification.objects.filter(issue=issue, kind="routed").count() == len(
        set(Post.objects.filter(unit=first.handler_unit, role__in=Post.STAFF_ROLES).values_list("user", flat=True))
    )


def test_resend_sweep_picks_only_issues_waiting_longer_than_the_retry_delay(world, settings):
    settings.ISSUE_ROUTING_RETRY_SECONDS = 120
    issue = log(world, world.worker)
    assert services.issues_resend_waiting(now=timezone.now()) == []  # too fresh
    later = timezone.now() + timedelta(seconds=121)
    assert issue.pk in services.issues_resend_waiting(now=later)  # sent (and routed: tasks are eager here)
    assert fresh(issue).status == S.ALLOCATED
    assert services.issues_resend_waiting(now=later + timedelta(seconds=300)) == []  # nothing waits any more


# ---------------------------------------------------------------------------
# Life cycle
# ---------------------------------------------------------------------------
def test_the_five_steps_end_to_end(world):
    worker, staff = world.worker, world.community
    issue = log_routed(world, worker)
    issue = services.issue_accept(actor=staff, issue=issue)
    assert (issue.status, issue.assignee) == (S.IN_PROGRESS, staff)
    services.issue_progress(actor=staff, issue=issue, note="已联系物业")
    issue = services.issue_resolve(actor=staff, issue=fresh(issue), resolution="物业已修好电梯")
    assert issue.status == S.RESOLVED
    assert Notification.objects.filter(recipient=worker, issue=issue, kind="resolved").exists()
    issue = services.issue_feedback(actor=worker, issue=issue, satisfaction="satisfied")
    assert issue.status == S.CLOSED
    assert issue.closed_at is not None
    assert kinds(issue) == ["collected", "allocated", "accepted", "progress", "resolved", "feedback"]


def test_dissatisfied_feedback_reopens_to_the_same_handler(world):
    worker, staff = world.worker, world.community
    issue = services.issue_accept(actor=staff, issue=log_routed(world, worker))
    issue = services.issue_resolve(actor=staff, issue=issue, resolution="已处理")
    with pytest.raises(ValidationError) as error:
        services.issue_feedback(actor=worker, issue=issue, satisfaction="dissatisfied")
    assert "note" in error.value.message_dict
    issue = services.issue_feedback(actor=worker, issue=fresh(issue), satisfaction="dissatisfied", note="还在漏水")
    assert issue.status == S.IN_PROGRESS
    assert issue.assignee == staff
    assert issue.reopen_count == 1
    assert issue.due_at > timezone.now()
    assert Notification.objects.filter(recipient=staff, issue=issue, kind="reopened").exists()


def test_an_invalid_transition_is_refused_saying_why(world):
    staff = world.community
    issue = log_routed(world, world.worker)
    with pytest.raises(ValidationError) as error:
        services.issue_resolve(actor=staff, issue=issue, resolution="x")
    message = error.value.message_dict["status"][0]
    assert "已分配" in message
    assert "请先受理" in message
    assert fresh(issue).status == S.ALLOCATED


def test_only_a_handler_may_act(world):
    issue = log_routed(world, world.worker)
    with pytest.raises(PermissionDenied):
        services.issue_accept(actor=world.leader, issue=issue)


def test_a_stale_version_is_a_conflict_and_changes_nothing(world):
    staff = world.community
    issue = log_routed(world, world.worker)
    stale = fresh(issue)
    services.issue_accept(actor=staff, issue=issue)
    with pytest.raises(ConflictError):
        services.issue_suspend(actor=staff, issue=stale, reason="当事人外出")
    assert fresh(issue).status == S.IN_PROGRESS


def test_reject_as_duplicate_links_the_original_and_out_of_scope_needs_a_reason(world):
    worker, staff = world.worker, world.community
    original = log_routed(world, worker)
    copy = log_routed(world, worker)
    with pytest.raises(ValidationError) as error:
        services.issue_reject(actor=staff, issue=copy, reason="duplicate")
    assert "duplicate_of" in error.value.message_dict
    rejected = services.issue_reject(actor=staff, issue=fresh(copy), reason="duplicate", duplicate_of=original)
    assert (rejected.status, rejected.duplicate_of) == (S.REJECTED, original)
    third = log_routed(world, worker)
    with pytest.raises(ValidationError) as error:
        services.issue_reject(actor=staff, issue=third, reason="out_of_scope")
    assert "note" in error.value.message_dict
    assert (
        services.issue_reject(actor=staff, issue=fresh(third), reason="out_of_scope", note="商业合同纠纷").status
        == S.REJECTED
    )


def test_suspend_stops_the_clock_and_resume_moves_the_deadline(world):
    staff = world.community
    issue = services.issue_accept(actor=staff, issue=log_routed(world, world.worker))
    with pytest.raises(ValidationError):
        services.issue_suspend(actor=staff, issue=issue, reason="")
    issue = services.issue_suspend(actor=staff, issue=fresh(issue), reason="当事人外出务工")
    Issue.objects.filter(pk=issue.pk).update(suspended_at=timezone.now() - timedelta(hours=10))
    due_before = fresh(issue).due_at
    issue = services.issue_resume(actor=staff, issue=fresh(issue))
    assert issue.status == S.IN_PROGRESS
    assert timedelta(hours=9, minutes=59) < issue.due_at - due_before < timedelta(hours=10, minutes=1)


def test_decomposed_issue_resolves_when_all_sub_tasks_are_done(world):
    worker, staff, urban = world.worker, world.community, world.urban
    issue = log_routed(world, worker)
    choices = {handler.token: handler for handler, _label in services.task_handler_choices(issue)}
    department = world.department
    office = next(h for t, h in choices.items() if t == f"office:{issue.handler_unit_id}")
    tasks = services.issue_decompose(
        actor=staff,
        issue=issue,
        tasks=[
            services.TaskSpec("入户核实", office),
            services.TaskSpec("清理占道", choices[f"department:{department.pk}"]),
        ],
    )
    assert fresh(issue).status == S.DECOMPOSED
    assert Notification.objects.filter(recipient=urban, issue=issue, kind="task").exists()
    # The department member sees the issue (no post in the tree) and the resident's phone in full.
    assert selectors.issue_get(viewer=urban, pk=issue.pk)
    with pytest.raises(ValidationError):
        services.issue_resolve(actor=staff, issue=fresh(issue), resolution="提前办结")
    with pytest.raises(PermissionDenied):
        services.issue_task_complete(actor=urban, task=tasks[0], result="x")
    services.issue_task_complete(actor=urban, task=tasks[1], result="已清理")
    assert fresh(issue).status == S.DECOMPOSED
    services.issue_task_complete(actor=staff, task=tasks[0], result="已核实")
    issue = fresh(issue)
    assert issue.status == S.RESOLVED
    assert "已清理" in issue.resolution
    assert IssueTask.objects.filter(issue=issue, status="done").count() == 2


def test_escalate_hands_the_issue_to_the_office_above(world):
    staff = world.community
    issue = log_routed(world, world.worker)
    issue = services.issue_escalate(actor=staff, issue=issue, note="涉及多个社区")
    assert issue.handler_unit == world.a.street
    assert issue.status == S.ALLOCATED
    assert issue in selectors.issue_inbox(viewer=world.street)
    assert issue not in selectors.issue_inbox(viewer=staff)


def test_bulk_assign_is_all_or_nothing(world):
    worker, staff = world.worker, world.community
    mine = [log_routed(world, worker) for _ in range(2)]
    leaders = log_routed(world, worker, code="dispute-neighbour")  # not the community office's: not theirs to assign
    with pytest.raises(PermissionDenied):
        services.issues_bulk_assign(actor=staff, issue_ids=[i.pk for i in [*mine, leaders]], assignee=staff)
    assert not Issue.objects.filter(pk__in=[i.pk for i in mine], assignee=staff).exists()
    services.issues_bulk_assign(actor=staff, issue_ids=[i.pk for i in mine], assignee=staff)
    assert Issue.objects.filter(pk__in=[i.pk for i in mine], assignee=staff).count() == 2


# ---------------------------------------------------------------------------
# Time limits and supervision
# ---------------------------------------------------------------------------
def test_reminder_at_80_percent_once(world):
    staff = world.community
    issue = log_routed(world, world.worker)  # 72 h limit
    at_70 = issue.created_at + timedelta(hours=50)
    at_85 = issue.created_at + timedelta(hours=61)
    assert issue.pk not in services.deadlines_sweep(now=at_70).reminded
    assert issue.pk in services.deadlines_sweep(now=at_85).reminded
    assert issue.pk not in services.deadlines_sweep(now=at_85 + timedelta(minutes=1)).reminded
    assert kinds(issue).count("reminded") == 1
    assert Notification.objects.filter(recipient=staff, issue=issue, kind="reminder").count() == 1


def test_overdue_escalates_one_level_once_per_climb(world):
    issue = log_routed(world, world.worker)  # community office, 72 h
    overdue = issue.due_at + timedelta(minutes=5)
    first = services.deadlines_sweep(now=overdue)
    again = services.deadlines_sweep(now=overdue + timedelta(minutes=1))
    assert issue.pk in first.escalated
    assert issue.pk not in again.escalated
    escalated = fresh(issue)
    assert escalated.escalation_level == 1
    assert escalated.supervision_unit == world.a.street
    assert kinds(issue).count("supervised") == 1
    street = world.street
    assert Notification.objects.filter(recipient=street, issue=issue, kind="overdue").exists()
    assert escalated in selectors.issue_supervision(viewer=street, now=overdue, escalated_only=True)
    # Still open one more time limit later: it climbs to the district, one more event.
    later = overdue + timedelta(hours=73)
    assert issue.pk in services.deadlines_sweep(now=later).escalated
    assert fresh(issue).supervision_unit == world.a.district
    assert kinds(issue).count("supervised") == 2


def test_a_resolved_issue_is_not_escalated(world):
    staff = world.community
    issue = services.issue_accept(actor=staff, issue=log_routed(world, world.worker))
    services.issue_resolve(actor=staff, issue=issue, resolution="已处理")
    assert issue.pk not in services.deadlines_sweep(now=issue.due_at + timedelta(days=1)).escalated


def test_extension_is_decided_by_the_level_above(world):
    staff, street = world.community, world.street
    issue = services.issue_accept(actor=staff, issue=log_routed(world, world.worker))
    extension = services.extension_request(actor=staff, issue=issue, hours=48, reason="等待维修配件")
    assert extension.approver_unit == world.a.street
    assert Notification.objects.filter(recipient=street, kind="extension_requested", issue=issue).exists()
    with pytest.raises(ValidationError):
        services.extension_request(actor=staff, issue=fresh(issue), hours=24, reason="再延")
    with pytest.raises(PermissionDenied):
        services.extension_decide(actor=staff, extension=extension, approve=True)
    with pytest.raises(ValidationError):
        services.extension_decide(actor=street, extension=extension, approve=False)
    due = fresh(issue).due_at
    services.extension_decide(actor=street, extension=extension, approve=True, note="同意")
    assert fresh(issue).due_at - due == timedelta(hours=48)
    assert DeadlineExtension.objects.get(pk=extension.pk).status == "approved"
    with pytest.raises(ValidationError):
        services.extension_decide(actor=street, extension=extension, approve=False, note="改主意")


# ---------------------------------------------------------------------------
# Who sees the resident's contact
# ---------------------------------------------------------------------------
def test_phone_is_full_for_reporter_and_handler_and_masked_for_everyone_else(world):
    worker = world.worker
    issue = log_routed(world, worker, resident_phone="13812345678", resident_name="张三丰")
    staff, street = world.community, world.street
    assert access.resident_phone_for(worker, issue) == "13812345678"
    assert access.resident_phone_for(staff, issue) == "13812345678"
    seen_by_street = selectors.issue_get(viewer=street, pk=issue.pk)  # in jurisdiction, not handling it
    assert access.resident_phone_for(street, seen_by_street) == "138****5678"
    assert access.resident_name_for(street, seen_by_street) == "张**"
    leader = world.leader
    assert access.resident_phone_for(leader, selectors.issue_get(viewer=leader, pk=issue.pk)) == "138****5678"
