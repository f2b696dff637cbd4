"""三会一课 timeliness: held by the due date / due; a day late is late; a rule change recomputes;
the page, the statistics API and the CSV export give the same figure."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from grids.models import GridUnit, Post
from grids.viewer import Viewer
from party import selectors, services
from party.models import Meeting, MeetingRule, PartyMember, PartyOrganisation, Sector
from tests.factories import grid_branch, person_at

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 5)


@pytest.fixture
def world():
    city = GridUnit.objects.get(level=GridUnit.Level.CITY)
    branch = grid_branch(city)
    staff = person_at(branch.district, Post.Role.DISTRICT_STAFF)
    org = PartyOrganisation.objects.create(
        name="测试机关第一党支部",
        kind=PartyOrganisation.Kind.BRANCH,
        sector=Sector.ORGAN,
        unit=branch.district,
        records_from=dt.date(2026, 1, 1),
    )
    PartyMember.objects.create(organisation=org, name="甲")
    return branch, staff, org


def meeting(org, kind, held_on, period_start=None):
    rule = MeetingRule.objects.get(organisation_kind=org.kind, meeting_kind=kind)
    start, due = services.meeting_period(rule=rule, day=period_start or held_on)
    return Meeting.objects.create(
        organisation=org, kind=kind, held_on=held_on, topic="t", period_start=start, due_on=due, roll=1, attended=1
    )


def figure(org):
    return selectors.timeliness(unit=org.unit, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), today=TODAY)


def test_due_counts_every_ended_period_of_every_rule(world):
    _branch, _staff, org = world
    got = figure(org).totals
    # Jan-Nov: 11 committee meetings; Q1-Q3: 3 general meetings and 3 lectures.
    assert (got.due, got.on_time) == (17, 0)


def test_a_meeting_held_a_day_late_counts_as_late(world):
    _branch, _staff, org = world
    meeting(org, "general", dt.date(2026, 3, 31))  # Q1, on its due date
    meeting(org, "general", dt.date(2026, 7, 1), period_start=dt.date(2026, 6, 1))  # Q2, a day late
    got = figure(org).totals
    assert (got.due, got.on_time) == (17, 1)
    late = Meeting.objects.get(organisation=org, held_on=dt.date(2026, 7, 1))
    assert late.due_on == dt.date(2026, 6, 30)
    assert not late.is_on_time


def test_a_second_meeting_in_a_period_does_not_count_twice(world):
    _branch, _staff, org = world
    meeting(org, "committee", dt.date(2026, 2, 3))
    meeting(org, "committee", dt.date(2026, 2, 20))
    assert figure(org).totals.on_time == 1


def test_changing_a_rule_recomputes(world):
    _branch, _staff, org = world
    meeting(org, "committee", dt.date(2026, 2, 3))
    meeting(org, "committee", dt.date(2026, 5, 3))
    before = figure(org).totals
    assert (before.due, before.on_time) == (17, 2)
    rule = MeetingRule.objects.get(organisation_kind="branch", meeting_kind="committee")
    rule.period_months = MeetingRule.Period.QUARTER
    rule.count = 2
    services.rule_save(rule=rule)
    # Committee meetings: now twice a quarter, Q1-Q3 due = 6; the February and May meetings count for Q1 and Q2.
    after = figure(org).totals
    assert (after.due, after.on_time) == (3 + 3 + 6, 2)
    assert set(Meeting.objects.filter(organisation=org).values_list("period_start", "due_on")) == {
        (dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        (dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
    }


def test_the_service_attaches_the_meeting_to_its_period_and_refuses_bad_input(world):
    _branch, staff, org = world
    viewer = Viewer.for_user(staff)
    held = services.meeting_record(
        viewer=viewer,
        organisation=org,
        kind="lecture",
        held_on=dt.date(2026, 4, 2),
        topic="党课",
        answers_for=dt.date(2026, 3, 1),
        attended=1,
    )
    assert (held.period_start, held.due_on, held.is_on_time) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31), False)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.meeting_record(
            viewer=viewer, organisation=org, kind="lecture", held_on=dt.date(2026, 4, 2), topic="党课", attended=5
        )
    assert "attended" in error.value.message_dict


def test_page_api_and_export_give_the_same_figure(world, client):
    _branch, staff, org = world
    meeting(org, "general", dt.date(2026, 3, 31))
    meeting(org, "committee", dt.date(2026, 1, 5))
    meeting(org, "committee", dt.date(2026, 2, 20))  # February's, on time
    meeting(org, "committee", dt.date(2026, 4, 1), period_start=dt.date(2026, 3, 1))  # March's, a day late
    client.force_login(staff)
    query = {"unit": org.unit.pk, "from": "2026-01-01", "to": "2026-12-31", "group_by": "sector"}
    expected = selectors.timeliness(
        unit=org.unit, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), group_by="sector"
    )
    assert expected.totals.on_time == 3
    page = client.get(reverse("party:timeliness"), query)
    assert page.status_code == 200
    assert f"{expected.totals.rate}%" in page.content.decode()
    export = client.get(reverse("party:timeliness"), {**query, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert rows[-1]["rate"] == str(expected.totals.rate)
    api = client.get(reverse("stats_party"), query)
    assert api.status_code == 200
    assert api.json()["totals"]["rate"] == expected.totals.rate
    assert api.json()["rows"][0]["due"] == expected.totals.due
    api_csv = client.get(reverse("stats_party"), {**query, "format": "csv"})
    api_rows = list(csv.DictReader(io.StringIO(api_csv.content.decode("utf-8-sig"))))
    assert float(api_rows[0]["rate"]) == expected.totals.rate
