"""The workbench 工作台: one card per role, counts equal to the lists they open, a fixed number of
queries, a public landing for visitors, the header's links, and the portal's own error pages."""

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.models import Commitment, Progress
from grids.viewer import Viewer
from issues import access as issue_access
from issues import selectors as issue_selectors
from issues.models import Issue, IssueCategory, Notification
from issues.services.notifications import notify
from tests.factories import IssueFactory
from volunteers import selectors as volunteer_selectors
from volunteers.models import ActivitySignup, ServiceRecord
from workbench import selectors
from workbench.navigation import navigation_for

from .accounts import DEMO_LOGINS, FIELD_LOGINS

pytestmark = pytest.mark.django_db


def cards_of(username: str, demo_user) -> dict[str, selectors.Card]:
    return {card.role: card for card in selectors.workbench(viewer=Viewer.for_user(demo_user(username)))}


def tally(card: selectors.Card, label: str) -> selectors.Tally:
    (found,) = [t for t in card.tallies if t.label == label]
    return found


@pytest.mark.parametrize("username", sorted(DEMO_LOGINS))
def test_every_demo_login_gets_its_cards_and_every_link_answers(username, client_as, demo_user):
    client = client_as(username)
    response = client.get(reverse("workbench:home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "您还没有任何岗位" not in page
    assert {card.role for card in response.context["cards"]} == DEMO_LOGINS[username]
    for card in response.context["cards"]:
        assert card.tallies or card.actions
        assert f'data-role="{card.role}"' in page
        for url in {t.url for t in card.tallies} | {a.url for a in card.actions}:
            answer = client.get(url, follow=True)
            assert answer.status_code == 200, (username, url)


def test_grid_worker_counts_are_the_lists_counts(demo_user):
    worker = demo_user("xiufeng_worker")
    viewer = Viewer.for_user(worker)
    card = cards_of("xiufeng_worker", demo_user)["grid"]
    mine = issue_selectors.issue_mine(viewer=viewer)
    assert tally(card, "我登记的在办问题").value == mine.filter(status__in=Issue.OPEN_STATUSES).count()
    assert tally(card, "待记录群众反馈").value == mine.filter(status=Issue.Status.RESOLVED).count()
    assert tally(card, "我的网格逾期").value == issue_selectors.issue_supervision(viewer=viewer).overdue().count()


def test_office_counts_are_the_lists_counts(demo_user):
    viewer = Viewer.for_user(demo_user("xiufeng_community"))
    card = cards_of("xiufeng_community", demo_user)["office"]
    assert tally(card, "待办问题").value == issue_selectors.issue_inbox(viewer=viewer).count()
    supervision = issue_selectors.issue_supervision(viewer=viewer)
    assert tally(card, "督办：已逾期").value + tally(card, "督办：临近到期").value == supervision.count()
    assert tally(card, "督办：已逾期").value == supervision.overdue().count()
    assert tally(card, "待审批延期").value == issue_selectors.extensions_pending_for(viewer=viewer).count()


def test_a_new_issue_counts_at_once(demo_user):
    worker = demo_user("xiufeng_worker")
    before = tally(cards_of("xiufeng_worker", demo_user)["grid"], "我登记的在办问题").value
    unit = issue_selectors.default_log_unit(viewer=Viewer.for_user(worker))
    IssueFactory(reporter=worker, unit=unit, category=IssueCategory.objects.filter(is_active=True).first())
    assert tally(cards_of("xiufeng_worker", demo_user)["grid"], "我登记的在办问题").value == before + 1


# Queries of each workbench, the Viewer's standing included: set-based counts, so these numbers do
# not move with the amount of data (see the next test).
QUERIES = {
    "admin": 6,
    "xiufeng_district": 6,
    "xiufeng_street": 7,
    "xiufeng_community": 7,
    "xiufeng_leader": 3,
    "xiufeng_worker": 3,
    "qixing_worker": 3,
    "xiufeng_urban": 4,  # 3 + the unread extension decisions (notifications)
    "xiufeng_team_leader": 10,
    "organ_member": 6,
    "yangshuo_station": 3,
    "unit_contact": 3,
    "xiufeng_orgdept": 3,
}


@pytest.mark.parametrize("username", sorted(QUERIES))
def test_the_workbench_costs_a_fixed_number_of_queries(username, demo_user):
    user = demo_user(username)
    with CaptureQueriesContext(connection) as queries:
        selectors.workbench(viewer=Viewer.for_user(user))
    assert len(queries) == QUERIES[username], [q["sql"][:120] for q in queries.captured_queries]


def test_more_issues_cost_no_more_queries(demo_user):
    worker = demo_user("xiufeng_worker")
    unit = issue_selectors.default_log_unit(viewer=Viewer.for_user(worker))
    category = IssueCategory.objects.filter(is_active=True).first()
    for n in range(3):
        IssueFactory(reporter=worker, unit=unit, category=category, description=f"第{n}个问题", routed=True)
    for username in ("xiufeng_worker", "xiufeng_community", "xiufeng_district"):
        user = demo_user(username)
        with CaptureQueriesContext(connection) as queries:
            selectors.workbench(viewer=Viewer.for_user(user))
        assert len(queries) == QUERIES[username]


def test_visitors_get_the_public_landing():
    response = Client().get(reverse("workbench:home"))
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("contracts:board_index", "service_centers:directory", "login"):
        assert f'href="{reverse(name)}"' in page
    assert "cards" not in response.context


@pytest.mark.parametrize("username", sorted(DEMO_LOGINS))
def test_the_header_offers_only_usable_links(username, client_as, demo_user):
    nav = navigation_for(Viewer.for_user(demo_user(username)))
    assert nav.tabbar == (username in FIELD_LOGINS)
    keys = {link.key for link in nav.daily + nav.more}
    staff = DEMO_LOGINS[username] & {"office", "admin", "org_department"}
    assert ("supervision" in keys) == bool(staff)
    assert ("log" in keys) == bool(staff or "grid" in DEMO_LOGINS[username])
    client = client_as(username)
    for link in nav.daily + nav.more:
        assert client.get(link.url, follow=True).status_code == 200, (username, link.url)


def test_the_header_shows_the_unread_badge_and_the_language_switch(client_as):
    page = client_as("xiufeng_community").get(reverse("workbench:home")).content.decode()
    assert 'class="badge" title="未读通知"' in page
    assert 'name="language" value="en"' in page
    assert "<script>" not in page  # CSP: no inline script


@override_settings(DEBUG=True)
def test_the_portal_404_page_in_development_too(client_as):
    response = client_as("xiufeng_worker").get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page
    assert "URLconf" not in page  # not Django's technical page
    hidden = Client().get(reverse("issues:issue_detail", args=[10**9]))
    assert hidden.status_code in (302, 404)


@override_settings(DEBUG=True)
def test_an_issue_outside_the_jurisdiction_is_the_portal_404(client_as):
    issue = Issue.objects.filter(unit__name__isnull=False).exclude(unit__path__startswith="").first()
    qixing = client_as("qixing_worker")
    xiufeng_issue = Issue.objects.filter(reporter__username="xiufeng_worker").first() or issue
    response = qixing.get(reverse("issues:issue_detail", args=[xiufeng_issue.pk]))
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_the_403_page_is_the_portals(client_as):
    # The organisation department's award page refuses anyone else (PermissionDenied: 403).
    response = client_as("xiufeng_worker").get(reverse("contracts:award_manage"))
    assert response.status_code in (403, 404)
    if response.status_code == 403:
        assert "没有权限" in response.content.decode()


@pytest.mark.parametrize(
    ("username", "role", "label"),
    [
        ("xiufeng_worker", "grid", "我的网格逾期"),
        ("xiufeng_worker", "grid", "待记录群众反馈"),
        ("xiufeng_worker", "grid", "我登记的在办问题"),
        ("xiufeng_community", "office", "督办：已逾期"),
        ("xiufeng_community", "office", "督办：临近到期"),
        ("xiufeng_community", "office", "待审核的群众诉求服务"),
        ("xiufeng_community", "office", "待审核服务记录"),
        ("xiufeng_community", "office", "待办问题"),
        ("xiufeng_urban", "handler", "已逾期"),
        ("xiufeng_urban", "handler", "新分配待受理"),
    ],
)
def test_a_count_opens_a_list_of_exactly_that_many(username, role, label, client_as, demo_user):
    found = tally(cards_of(username, demo_user)[role], label)
    response = client_as(username).get(found.url)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == found.value


def test_the_admins_unrouted_count_opens_exactly_those_issues(client_as, demo_user):
    worker = demo_user("xiufeng_worker")
    unit = issue_selectors.default_log_unit(viewer=Viewer.for_user(worker))
    IssueFactory(reporter=worker, unit=unit, category=IssueCategory.objects.filter(is_active=True).first())
    found = tally(cards_of("admin", demo_user)["admin"], "待分配的问题")
    assert found.value == Issue.objects.filter(status=Issue.Status.COLLECTED).count() > 0
    response = client_as("admin").get(found.url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == found.value


def test_the_handlers_extension_decisions_open_exactly_those_notifications(client_as, demo_user):
    urban = demo_user("xiufeng_urban")
    issue = Issue.objects.filter(issue_access.issue_visible_q(Viewer.for_user(urban))).first()
    notify(recipient_ids=[urban.pk], kind=Notification.Kind.EXTENSION_DECIDED, issue_id=issue.pk)
    notify(recipient_ids=[urban.pk], kind=Notification.Kind.EXTENSION_REQUESTED, issue_id=issue.pk)
    found = tally(cards_of("xiufeng_urban", demo_user)["handler"], "延期审批结果（未读）")
    assert found.value > 0
    response = client_as("xiufeng_urban").get(found.url)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == found.value


def test_the_offices_demand_service_count_opens_exactly_those_records(client_as, demo_user):
    viewer = Viewer.for_user(demo_user("xiufeng_community"))
    pending = volunteer_selectors.record_list(viewer=viewer, status=ServiceRecord.Status.PENDING)
    record = pending.exclude(source=ServiceRecord.Source.ISSUE).first()
    issue = issue_selectors.issue_list(viewer=viewer).first()
    ServiceRecord.objects.filter(pk=record.pk).update(source=ServiceRecord.Source.ISSUE, issue=issue)
    found = tally(cards_of("xiufeng_community", demo_user)["office"], "待审核的群众诉求服务")
    assert 0 < found.value < tally(cards_of("xiufeng_community", demo_user)["office"], "待审核服务记录").value
    response = client_as("xiufeng_community").get(found.url)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == found.value


def test_the_team_leaders_sign_ups_are_those_of_the_activities_listed(client_as, demo_user):
    found = tally(cards_of("xiufeng_team_leader", demo_user)["team_leader"], "近期活动报名")
    assert "team=" in found.url
    response = client_as("xiufeng_team_leader").get(found.url)
    assert response.status_code == 200
    listed = response.context["page"].paginator.object_list.values("pk")
    signed_up = ActivitySignup.objects.filter(activity_id__in=listed, status=ActivitySignup.Status.SIGNED_UP)
    assert signed_up.count() == found.value > 0


def test_the_contacts_due_count_opens_exactly_those_contracts(client_as, demo_user):
    found = tally(cards_of("unit_contact", demo_user)["cobuilding"], "本季度待报进度的契约")
    response = client_as("unit_contact").get(found.url)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == found.value
    listed = list(response.context["page"].paginator.object_list)
    assert listed, "the demo's contact has this quarter's progress to report"
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    for contract in listed:
        assert contract.year == today.year
        targeted = Commitment.objects.filter(contract=contract, targets__quarter=quarter)
        reported = Progress.objects.filter(year=today.year, quarter=quarter).values("commitment_id")
        assert targeted.exclude(pk__in=reported).exists()
