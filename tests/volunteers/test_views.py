"""Pages: who sees what (404 outside), phone-first forms, and constant query counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grids.models import GridUnit
from grids.services import unit_create
from volunteers import services
from volunteers.models import ActivitySignup, Currency, MemberRegistration, ServiceRecord, Team, TeamMember

from .factories import (
    community_of,
    fund,
    home_team,
    make_activity,
    make_record,
    make_team,
    make_volunteer,
    staff_user,
    volunteer_of,
)


def _elsewhere_team() -> Team:
    """A team based in 七星区 (outside 秀峰区 and not the demo leader's)."""
    qixing = GridUnit.objects.get(name="七星区")
    return Team.objects.filter(unit__path__startswith=qixing.path).order_by("pk").first()


PAGES = [
    "volunteers:home",
    "volunteers:team_list",
    "volunteers:activity_list",
    "volunteers:record_list",
    "volunteers:my_hours",
    "volunteers:leaderboard",
]


@pytest.mark.parametrize("username", ["xiufeng_team_leader", "organ_member", "xiufeng_community", "admin"])
@pytest.mark.parametrize("name", PAGES)
def test_pages_open_for_each_kind_of_user(client_as, username, name):
    response = client_as(username).get(reverse(name))
    assert response.status_code == 200
    assert b"<html" in response.content


def test_calendar_shows_the_months_activities(client_as):
    start = timezone.now() + timedelta(days=2)
    activity = make_activity(unit=community_of(), team=home_team(), starts_at=start)
    month = timezone.localtime(start).strftime("%Y-%m")
    response = client_as("organ_member").get(reverse("volunteers:activity_list"), {"view": "calendar", "month": month})
    assert response.status_code == 200
    assert activity.title in response.content.decode()


def test_team_leader_sees_only_their_team(client_as):
    client = client_as("xiufeng_team_leader")
    response = client.get(reverse("volunteers:team_list"))
    assert list(response.context["page"].object_list) == [home_team()]
    other = _elsewhere_team()
    assert client.get(reverse("volunteers:team_detail", args=[other.pk])).status_code == 404
    # A team of his own community that he does not lead is not his either.
    neighbour = make_team(community_of())
    assert client.get(reverse("volunteers:team_detail", args=[neighbour.pk])).status_code == 404


@pytest.mark.parametrize("username", ["qixing_worker", "xiufeng_team_leader", "organ_member"])
def test_out_of_jurisdiction_team_activity_record_pages_are_404(client_as, username):
    team = _elsewhere_team()
    activity = make_activity(unit=team.unit, team=team)
    member = team.memberships.first().volunteer
    record = make_record(member, unit=team.unit, team=team)
    account = fund(member, "1")
    client = client_as(username)
    for url in [
        reverse("volunteers:team_detail", args=[team.pk]),
        reverse("volunteers:activity_detail", args=[activity.pk]),
        reverse("volunteers:record_detail", args=[record.pk]),
        reverse("volunteers:account_detail", args=[account.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    # And a write through the page is a 404 too, changing nothing.
    assert client.post(reverse("volunteers:record_verify", args=[record.pk])).status_code == 404
    assert client.post(reverse("volunteers:activity_signup", args=[activity.pk])).status_code == 404
    record.refresh_from_db()
    assert record.status == ServiceRecord.Status.PENDING


def test_phone_numbers_are_masked_for_members_and_shown_to_leaders(client_as):
    team = home_team()
    someone = team.memberships.exclude(volunteer__user__isnull=False).first().volunteer
    leader_page = client_as("xiufeng_team_leader").get(reverse("volunteers:team_detail", args=[team.pk]))
    member_page = client_as("organ_member").get(reverse("volunteers:team_detail", args=[team.pk]))
    assert someone.phone in leader_page.content.decode()
    assert someone.phone not in member_page.content.decode()
    assert someone.masked_phone in member_page.content.decode()


def test_sign_up_and_verify_through_the_pages(client_as):
    start = timezone.now() + timedelta(days=3)
    activity = make_activity(unit=community_of(), team=home_team(), starts_at=start, capacity=1)
    member = client_as("organ_member")
    response = member.post(reverse("volunteers:activity_signup", args=[activity.pk]), follow=True)
    assert "报名成功" in response.content.decode()
    activity.refresh_from_db()
    assert activity.places_taken == 1
    # Full now: another person's sign-up is refused with the service's message.
    other = staff_user("xiufeng_team_leader")
    response = client_as("xiufeng_team_leader").post(
        reverse("volunteers:activity_signup", args=[activity.pk]), follow=True
    )
    assert "名额已满" in response.content.decode()
    assert not ActivitySignup.objects.filter(activity=activity, volunteer__user=other).exists()


def test_record_form_shows_the_service_error_on_the_field(client_as):
    client = client_as("organ_member")
    start = timezone.localtime(timezone.now() - timedelta(days=9)).replace(hour=9, minute=0)
    response = client.post(
        reverse("volunteers:record_create"),
        {
            "category": home_team().category_id,
            "started_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ended_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "hours": "25",
            "description": "助老",
        },
    )
    assert response.status_code == 200
    assert "服务时长不能超过24小时" in str(response.context["form"].errors["hours"])


def test_leader_verifies_a_record_from_its_page(client_as):
    team = home_team()
    member = volunteer_of("organ_member")
    record = make_record(member, unit=community_of(), team=team, days_ago=44)
    before = services.personal_account(volunteer=member, currency=Currency.HOURS).balance
    response = client_as("xiufeng_team_leader").post(
        reverse("volunteers:record_verify", args=[record.pk]), {"note": "属实"}, follow=True
    )
    assert "已审核通过" in response.content.decode()
    record.refresh_from_db()
    assert record.status == ServiceRecord.Status.VERIFIED
    after = services.personal_account(volunteer=member, currency=Currency.HOURS).balance
    assert after == before + Decimal("2")


def test_my_hours_keeps_pending_hours_apart(client_as):
    member = volunteer_of("organ_member")
    response = client_as("organ_member").get(reverse("volunteers:my_hours"))
    summary = response.context["summary"]
    verified = sum(member.records.filter(status="verified").values_list("hours", flat=True))
    assert summary.hours_total == verified
    assert summary.pending_count == member.records.filter(status="pending").count()
    assert response.context["statement"].object_list


def test_dual_registration_page_for_the_community(client_as):
    response = client_as("xiufeng_community").get(reverse("volunteers:registration_list"), follow=True)
    assert response.status_code == 200
    data = response.context["data"]
    assert data.community == community_of()
    assert data.member_count == MemberRegistration.objects.filter(community=data.community, ended_on=None).count()
    assert data.organisations
    assert (
        client_as("qixing_worker")
        .get(reverse("volunteers:registration_community", args=[data.community.pk]))
        .status_code
        == 404
    )


# --- constant query counts -------------------------------------------------------------------


def _queries(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured.captured_queries)


def _fresh_community() -> GridUnit:
    street = community_of().parent
    n = GridUnit.objects.filter(parent=street).count()
    return unit_create(
        code=f"T{street.code}{n:03d}", name=f"测试社区{n}", level=GridUnit.Level.COMMUNITY, parent=street
    )


def test_team_list_query_count_is_constant(client_as, django_assert_num_queries):
    client = client_as("xiufeng_community")
    unit = community_of()
    for i in range(3):
        make_team(unit, name=f"计数队{i:02d}", leader=make_volunteer(unit), members=2)
    three = _queries(client, reverse("volunteers:team_list"), {"q": "计数队"})
    for i in range(3, 30):
        make_team(unit, name=f"计数队{i:02d}", leader=make_volunteer(unit), members=2)
    with django_assert_num_queries(three):
        response = client.get(reverse("volunteers:team_list"), {"q": "计数队"})
    assert len(response.context["page"].object_list) == 30


def test_roster_and_activity_list_query_counts_are_constant(client_as, django_assert_num_queries):
    client = client_as("xiufeng_community")
    unit = community_of()
    team = make_team(unit, leader=make_volunteer(unit), members=2)
    for _ in range(3):
        make_activity(unit=unit, team=team)
    roster = _queries(client, reverse("volunteers:team_detail", args=[team.pk]))
    listing = _queries(client, reverse("volunteers:activity_list"), {"team": team.pk})
    for _ in range(27):
        make_activity(unit=unit, team=team)
        TeamMember.objects.create(team=team, volunteer=make_volunteer(unit), joined_on=timezone.localdate())
    with django_assert_num_queries(roster):
        client.get(reverse("volunteers:team_detail", args=[team.pk]))
    with django_assert_num_queries(listing):
        response = client.get(reverse("volunteers:activity_list"), {"team": team.pk})
    assert len(response.context["page"].object_list) == 30


def test_record_list_statement_and_leaderboard_query_counts_are_constant(client_as, django_assert_num_queries):
    client = client_as("xiufeng_street")
    staff = staff_user("xiufeng_street")
    unit = _fresh_community()
    team = make_team(unit)
    person = make_volunteer(unit)

    def add(n: int, offset: int) -> None:
        for i in range(n):
            someone = make_volunteer(unit)
            TeamMember.objects.create(team=team, volunteer=someone, joined_on=timezone.localdate())
            services.record_verify(record=make_record(someone, unit=unit, team=team, days_ago=offset + i), actor=staff)
            services.ledger_transfer(
                source=someone, target=person, currency=Currency.HOURS, amount=Decimal("0.5"), actor=staff
            )

    add(3, 1)
    account = services.personal_account(volunteer=person, currency=Currency.HOURS)
    urls = [
        (reverse("volunteers:record_list"), {"team": team.pk}),
        (reverse("volunteers:account_detail", args=[account.pk]), {}),
        (reverse("volunteers:leaderboard"), {"unit": unit.pk, "period": "all"}),
        (reverse("volunteers:leaderboard"), {"unit": unit.pk, "period": "all", "board": "team"}),
    ]
    counts = [_queries(client, url, params) for url, params in urls]
    add(27, 10)
    for (url, params), count in zip(urls, counts, strict=True):
        with django_assert_num_queries(count):
            response = client.get(url, params)
    assert len(response.context["rows"]) == 1  # one team
    leaderboard = client.get(reverse("volunteers:leaderboard"), {"unit": unit.pk, "period": "all"})
    assert len(leaderboard.context["rows"]) == 20  # top 20 of 30


def test_dual_registration_query_count_is_constant(client_as, django_assert_num_queries):
    client = client_as("xiufeng_street")
    unit = _fresh_community()
    organisation = volunteer_of("organ_member").organisation
    staff = staff_user("xiufeng_street")
    services.organisation_register(organisation=organisation, community=unit, actor=staff)

    def register(n: int) -> None:
        for _ in range(n):
            member = make_volunteer(unit)
            member.organisation = organisation
            member.save()
            services.member_register(volunteer=member, community=unit, actor=staff)
            record = make_record(member, unit=unit, days_ago=5)
            services.record_verify(record=record, actor=staff)

    register(3)
    url = reverse("volunteers:registration_community", args=[unit.pk])
    three = _queries(client, url)
    register(27)
    with django_assert_num_queries(three):
        response = client.get(url)
    assert response.context["data"].member_count == 30
    assert response.context["data"].services == 30
