"""The REST API under /api/v1/volunteers/: scoped lists, 404 outside, 400 naming the field, writes via services."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grids.models import GridUnit
from volunteers.models import ActivitySignup, ServiceRecord, Team

from .factories import (
    community_of,
    fund,
    home_team,
    make_activity,
    make_record,
    make_team,
    make_volunteer,
    volunteer_of,
)

API = "/api/v1/volunteers"


def _elsewhere_team() -> Team:
    qixing = GridUnit.objects.get(name="七星区")
    return Team.objects.filter(unit__path__startswith=qixing.path).order_by("pk").first()


def test_categories_are_the_eight(client_as):
    response = client_as("organ_member").get(f"{API}/categories/")
    assert response.status_code == 200
    assert [c["name"] for c in response.json()] == [
        "基层党建",
        "便民服务",
        "科普宣传",
        "法律援助",
        "医疗卫生",
        "环境保护",
        "爱心帮困",
        "文明实践",
    ]


def test_team_leader_lists_only_their_team(client_as):
    body = client_as("xiufeng_team_leader").get(f"{API}/teams/").json()
    assert [t["id"] for t in body["results"]] == [home_team().pk]
    roster = client_as("xiufeng_team_leader").get(f"{API}/teams/{home_team().pk}/members/").json()
    assert roster["results"][0]["role"] == "leader"


@pytest.mark.parametrize("username", ["qixing_worker", "xiufeng_team_leader", "organ_member"])
def test_out_of_jurisdiction_rows_are_404(client_as, username):
    team = _elsewhere_team()
    activity = make_activity(unit=team.unit, team=team)
    member = team.memberships.first().volunteer
    record = make_record(member, unit=team.unit, team=team)
    account = fund(member, "2")
    client = client_as(username)
    for url in [
        f"{API}/teams/{team.pk}/",
        f"{API}/teams/{team.pk}/members/",
        f"{API}/activities/{activity.pk}/",
        f"{API}/service-records/{record.pk}/",
        f"{API}/members/{member.pk}/",
        f"{API}/accounts/{account.pk}/",
        f"{API}/accounts/{account.pk}/statement/",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"{API}/service-records/{record.pk}/verify/", {}).status_code == 404
    assert client.post(f"{API}/activities/{activity.pk}/sign-up/", {}).status_code == 404
    record.refresh_from_db()
    assert record.status == ServiceRecord.Status.PENDING


def test_sign_up_check_in_and_verify_over_the_api(client_as):
    member = client_as("organ_member")
    start = timezone.now() + timedelta(days=2)
    activity = make_activity(unit=community_of(), team=home_team(), starts_at=start, capacity=1)
    response = member.post(f"{API}/activities/{activity.pk}/sign-up/", {}, content_type="application/json")
    assert response.status_code == 201, response.content
    signup_id = response.json()["id"]
    again = member.post(f"{API}/activities/{activity.pk}/sign-up/", {}, content_type="application/json")
    assert again.status_code == 400
    assert "activity" in again.json()
    early = member.post(f"{API}/signups/{signup_id}/check-in/")
    assert early.status_code == 400
    assert "status" in early.json()
    mine = member.get(f"{API}/signups/").json()
    assert signup_id in [s["id"] for s in mine["results"]]
    cancelled = member.post(f"{API}/signups/{signup_id}/cancel/")
    assert cancelled.json()["status"] == ActivitySignup.Status.CANCELLED


def test_bad_record_input_is_a_400_naming_the_field(client_as):
    client = client_as("organ_member")
    start = timezone.localtime(timezone.now() - timedelta(days=12)).replace(hour=9, minute=0, second=0, microsecond=0)
    base = {
        "category": home_team().category_id,
        "started_at": start.isoformat(),
        "ended_at": (start + timedelta(hours=2)).isoformat(),
        "description": "助老",
    }
    before = ServiceRecord.objects.count()
    for hours in ["-1", "25"]:
        response = client.post(f"{API}/service-records/", {**base, "hours": hours}, content_type="application/json")
        assert response.status_code == 400
        assert "hours" in response.json()
    assert ServiceRecord.objects.count() == before
    created = client.post(f"{API}/service-records/", {**base, "hours": "2"}, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["status"] == "pending"
    overlap = client.post(f"{API}/service-records/", {**base, "hours": "1"}, content_type="application/json")
    assert overlap.status_code == 400
    assert "started_at" in overlap.json()


def test_leader_verifies_and_reverses_over_the_api(client_as):
    member = volunteer_of("organ_member")
    record = make_record(member, unit=community_of(), team=home_team(), days_ago=33)
    leader = client_as("xiufeng_team_leader")
    verified = leader.post(f"{API}/service-records/{record.pk}/verify/", {"note": ""}, content_type="application/json")
    assert verified.status_code == 200
    assert verified.json()["status"] == "verified"
    missing_note = leader.post(f"{API}/service-records/{record.pk}/reverse/", {}, content_type="application/json")
    assert missing_note.status_code == 400
    assert "note" in missing_note.json()
    reversed_ = leader.post(
        f"{API}/service-records/{record.pk}/reverse/", {"note": "重复"}, content_type="application/json"
    )
    assert reversed_.json()["status"] == "reversed"
    # A member may not verify.
    other = make_record(make_volunteer(community_of()), unit=community_of(), team=home_team(), days_ago=34)
    assert client_as("organ_member").post(f"{API}/service-records/{other.pk}/verify/", {}).status_code == 404


def test_my_accounts_and_statement(client_as):
    client = client_as("organ_member")
    accounts = client.get(f"{API}/accounts/", {"mine": "1"}).json()["results"]
    assert {a["currency"] for a in accounts} == {"hours", "points"}
    hours = next(a for a in accounts if a["currency"] == "hours")
    statement = client.get(f"{API}/accounts/{hours['id']}/statement/").json()
    assert statement["results"][0]["balance_after"] == hours["balance"]


def test_withdrawal_over_the_api_refuses_more_than_the_balance(client_as):
    member = make_volunteer(community_of())
    account = fund(member, "2")
    staff = client_as("xiufeng_community")
    too_much = staff.post(f"{API}/accounts/{account.pk}/withdraw/", {"amount": "3"}, content_type="application/json")
    assert too_much.status_code == 400
    assert "amount" in too_much.json()
    ok = staff.post(f"{API}/accounts/{account.pk}/withdraw/", {"amount": "2"}, content_type="application/json")
    assert ok.status_code == 201
    account.refresh_from_db()
    assert account.balance == 0


def test_create_activity_over_the_api(client_as):
    team = home_team()
    start = timezone.now() + timedelta(days=7)
    payload = {
        "title": "便民理发",
        "team": team.pk,
        "category": team.category_id,
        "unit": team.unit_id,
        "place": "广场",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "capacity": 6,
    }
    response = client_as("xiufeng_team_leader").post(f"{API}/activities/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["places_left"] == 6
    bad = client_as("xiufeng_team_leader").post(
        f"{API}/activities/", {**payload, "ends_at": start.isoformat()}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert "ends_at" in bad.json()


def test_leaderboard_api(client_as):
    response = client_as("xiufeng_district").get(f"{API}/leaderboard/", {"period": "all", "board": "unit"})
    assert response.status_code == 200
    rows = response.json()
    assert rows
    assert rows == sorted(rows, key=lambda r: -float(r["hours"]))
    assert client_as("xiufeng_district").get(f"{API}/leaderboard/", {"period": "decade"}).status_code == 400


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured.captured_queries)


def test_list_endpoints_have_constant_query_counts(client_as, django_assert_num_queries):
    client = client_as("xiufeng_community")
    unit = community_of()
    team = make_team(unit, leader=make_volunteer(unit))

    def add(n: int, offset: int) -> None:
        for i in range(n):
            person = make_volunteer(unit)
            team.memberships.create(volunteer=person, joined_on=timezone.localdate())
            make_activity(unit=unit, team=team)
            make_record(person, unit=unit, team=team, days_ago=offset + i)

    add(3, 1)
    urls = [
        (f"{API}/teams/{team.pk}/members/", None),
        (f"{API}/activities/", {"team": team.pk}),
        (f"{API}/service-records/", {"team": team.pk}),
        (f"{API}/members/", {"team": team.pk}),
    ]
    counts = [_count(client, url, params) for url, params in urls]
    add(27, 10)
    for (url, params), count in zip(urls, counts, strict=True):
        with django_assert_num_queries(count):
            body = client.get(url, params or {}).json()
        assert body["count"] >= 30


def test_schema_documents_the_volunteer_endpoints(client_as):
    schema = client_as("admin").get("/api/schema/").content.decode()
    for path in [
        "/api/v1/volunteers/teams/",
        "/api/v1/volunteers/service-records/{id}/verify/",
        "/api/v1/volunteers/accounts/{id}/statement/",
    ]:
        assert path in schema
