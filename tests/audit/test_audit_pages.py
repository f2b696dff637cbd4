"""Audit history pages: who changed what and when, for staff in their jurisdiction; 404 outside; constant queries."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.registry import TYPES
from contracts.models import Contract
from grids import services as grid_services
from grids.models import GridUnit, Post, User
from issues import selectors
from issues.models import Issue, IssueCategory
from tests.contracts import factories as f
from tests.issues.factories import log, log_routed

pytestmark = pytest.mark.django_db


def district_staff_of(name: str) -> User:
    return User.objects.filter(posts__role=Post.Role.DISTRICT_STAFF, posts__unit__name=name).order_by("pk").first()


def entries(response) -> list:
    assert response.status_code == 200
    return response.context["entries"]


@pytest.fixture
def contract_world():
    """A fresh community under 秀峰街道 with its staff, a co-building unit and its contact, an active contract."""
    community, staff = f.community()
    unit, contact = f.cobuilding_unit()
    contract = f.contract(community=community, staff=staff, unit=unit)
    return {"community": community, "staff": staff, "contact": contact, "contract": contract}


def test_every_audited_type_keeps_its_history():
    assert set(TYPES) == {"issues", "contracts", "evaluations", "posts"}
    for audited in TYPES.values():
        assert hasattr(audited.model, "history"), audited.model_label


def test_an_evaluation_scored_on_the_page_shows_who_and_the_changed_fields(contract_world, client_as, client):
    contract, contact, staff = contract_world["contract"], contract_world["contact"], contract_world["staff"]
    # Given the unit's contact and then the community score it through the pages...
    for actor, stage, score in ((contact, "self", 92), (staff, "community", 88)):
        client.force_login(actor)
        response = client.post(
            reverse("contracts:evaluation_act", args=[contract.pk]),
            {"action": "submit", "stage": stage, "score": score},
        )
        assert response.status_code == 302
    # ...district staff read both acts, newest first, with the fields each changed.
    found = entries(client_as("xiufeng_district").get(reverse("audit:list", args=["evaluations"])))
    mine = [entry for entry in found if entry.record.id == contract.evaluation.pk]
    assert [entry.who for entry in mine] == [staff.display_name, contact.display_name, "系统"]
    assert [entry.action for entry in mine] == ["修改", "修改", "创建"]
    community_act, self_act = ({c.label: (c.old, c.new) for c in entry.changes} for entry in mine[:2])
    assert self_act == {"当前环节": ("单位自评", "社区党组织审核"), "自评分": ("—", "92")}
    assert community_act == {"当前环节": ("社区党组织审核", "街道党工委综合评价"), "社区审核分": ("—", "88")}
    assert "updated_at" not in {c.label for entry in mine for c in entry.changes}  # not audited: noise


def test_a_contract_shows_its_life_from_draft_to_active(contract_world, client_as):
    contract = contract_world["contract"]
    response = client_as("xiufeng_street").get(reverse("audit:object", args=["contracts", contract.pk]))
    found = entries(response)
    assert [entry.action for entry in found] == ["修改", "修改", "创建"]
    activated, signed = ({c.label: (c.old, c.new) for c in entry.changes} for entry in found[:2])
    assert activated == {"状态": ("已签订", "履约中")}
    assert signed["状态"] == ("草拟", "已签订")
    assert signed["签订日期"][0] == "—"
    assert contract.number in response.content.decode()
    assert response.context["object_link"] == reverse("contracts:contract_detail", args=[contract.pk])


def test_outside_the_jurisdiction_nothing_is_listed_and_the_object_is_a_404(contract_world, client):
    contract = contract_world["contract"]
    qixing_staff = district_staff_of("七星区")
    client.force_login(qixing_staff)
    for kind in ("contracts", "evaluations"):
        listed = entries(client.get(reverse("audit:list", args=[kind])))
        assert contract.number not in {entry.object_label.split()[0] for entry in listed}
    assert client.get(reverse("audit:object", args=["contracts", contract.pk])).status_code == 404
    assert client.get(reverse("audit:object", args=["evaluations", contract.evaluation.pk])).status_code == 404
    # The community's own staff see it; the street above sees it too.
    client.force_login(contract_world["staff"])
    assert client.get(reverse("audit:object", args=["contracts", contract.pk])).status_code == 200


def test_only_staff_read_the_audit_history(client_as, client):
    assert client_as("xiufeng_worker").get(reverse("audit:home")).status_code == 403
    assert client_as("xiufeng_leader").get(reverse("audit:list", args=["issues"])).status_code == 403
    response = client.get(reverse("audit:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client_as("xiufeng_district").get("/audit/nonsense/").status_code == 404
    assert client_as("xiufeng_district").get(reverse("audit:home")).status_code == 200
    assert client_as("admin").get(reverse("audit:list", args=["posts"])).status_code == 200


@pytest.mark.parametrize("kind", ["contracts", "issues"])
def test_the_list_runs_the_same_queries_for_3_and_30_versions(kind, contract_world, client_as, demo_user):
    client = client_as("xiufeng_community" if kind == "issues" else "xiufeng_street")
    counts = []
    for n in (3, 30):
        for i in range(n):
            if kind == "contracts":
                contract = Contract.objects.get(pk=contract_world["contract"].pk)
                contract.title = f"测试共建契约（第{i}次修订）"
                contract.save()
            else:
                log_routed(demo_user("xiufeng_worker"))  # two versions each, the second names the handler
        url = reverse("audit:list", args=[kind])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert len(response.context["entries"]) >= n
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_an_issue_handled_on_the_pages_shows_each_change_with_personal_data_masked(client_as, demo_user):
    worker = demo_user("xiufeng_worker")
    issue = log_routed(worker, resident_phone="13907731111", resident_name="李阿姨")
    office = client_as("xiufeng_community")
    response = office.post(reverse("issues:issue_action", args=[issue.pk, "accept"]), {"version": issue.version})
    assert response.status_code == 302
    found = entries(client_as("xiufeng_district").get(reverse("audit:object", args=["issues", issue.pk])))
    assert [entry.action for entry in found] == ["修改", "修改", "创建"]
    accepted, routed = ({c.label: (c.old, c.new) for c in entry.changes} for entry in found[:2])
    assert found[0].who == demo_user("xiufeng_community").display_name
    assert found[1].who == "系统"  # routing runs as a task
    assert accepted["状态"] == ("已分配", "办理中")
    assert accepted["具体经办人"] == ("—", demo_user("xiufeng_community").display_name)
    assert routed["承办办公室"] == ("—", "解东社区")
    assert "版本" not in accepted  # bookkeeping is not shown
    page = client_as("xiufeng_district").get(reverse("audit:object", args=["issues", issue.pk])).content.decode()
    assert "13907731111" not in page
    assert "李阿姨" not in page


def test_a_changed_phone_shows_as_changed_without_the_numbers(client_as, demo_user):
    issue = log(demo_user("xiufeng_worker"), resident_phone="13907732222")
    Issue.objects.get(pk=issue.pk).save()  # a version with no change: nothing listed
    fixed = Issue.objects.get(pk=issue.pk)
    fixed.resident_phone = "13907733333"
    fixed.save()
    response = client_as("xiufeng_district").get(reverse("audit:object", args=["issues", issue.pk]))
    change = {c.label: (c.old, c.new) for c in entries(response)[0].changes}
    assert change == {"居民电话": ("（个人信息，不显示）", "（个人信息，不显示）")}
    assert entries(response)[1].changes == []
    body = response.content.decode()
    assert "13907732222" not in body
    assert "13907733333" not in body


def test_posts_given_and_taken_are_audited_in_the_unit_s_jurisdiction(client_as, unit_named):
    community = unit_named("解东社区")
    person = User.objects.create_user(username="audit_post_person", full_name="审计测试")
    post = grid_services.post_assign(user=person, unit=community, role=Post.Role.COMMUNITY_STAFF)
    post_id = post.pk
    grid_services.post_remove(post=post)
    found = entries(client_as("xiufeng_district").get(reverse("audit:object", args=["posts", post_id])))
    assert [entry.action for entry in found] == ["删除", "创建"]
    assert found[0].object_label == "审计测试 · 社区工作人员 · 解东社区"
    qixing = district_staff_of("七星区")
    client = client_as(qixing.username)
    assert client.get(reverse("audit:object", args=["posts", post_id])).status_code == 404


def test_an_object_seeded_in_bulk_has_a_page_without_versions(client_as):
    issue = Issue.objects.filter(unit__path__startswith=GridUnit.objects.get(name="秀峰区").path).first()
    assert not Issue.history.filter(id=issue.pk).exists()  # the seed writes no versions
    response = client_as("xiufeng_district").get(reverse("audit:object", args=["issues", issue.pk]))
    assert entries(response) == []
    assert "没有审计记录" in response.content.decode()
    assert client_as("qixing_worker").get(reverse("audit:object", args=["issues", issue.pk])).status_code == 403


def test_routing_run_eagerly_inside_the_log_request_is_signed_by_the_system(
    client_as, demo_user, django_capture_on_commit_callbacks
):
    worker = demo_user("xiufeng_worker")
    form = {
        "client_key": str(uuid.uuid4()),
        "unit": selectors.default_log_unit(viewer=worker).pk,
        "category": IssueCategory.objects.get(code="opinion-property").pk,
        "description": "楼道堆放杂物。",
        "priority": "1",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("xiufeng_worker").post(reverse("issues:issue_create"), form)
    assert response.status_code == 302
    issue = Issue.objects.filter(reporter=worker).latest("pk")
    assert issue.status == Issue.Status.ALLOCATED  # routed in the same request (eager)
    found = entries(client_as("xiufeng_district").get(reverse("audit:object", args=["issues", issue.pk])))
    assert [(entry.action, entry.who) for entry in found] == [("修改", "系统"), ("创建", worker.display_name)]
