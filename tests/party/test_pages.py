"""Party pages: scoped to the jurisdiction (outside: 404), lists in a fixed number of queries,
the secretary's workbench card, the public brand page, the demo's figures."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grids.models import GridUnit
from party import selectors
from party.demo import plan
from party.models import Brand, Meeting, PartyMember, PartyOrganisation, PioneerPost, PioneerTeam, Sector
from tests.conftest import DEMO_SCALE

pytestmark = pytest.mark.django_db


def xiufeng_org():
    xiufeng = GridUnit.objects.get(level=GridUnit.Level.DISTRICT, name="秀峰区")
    return PartyOrganisation.objects.filter(unit__path__startswith=xiufeng.path, kind="branch").order_by("pk").first()


def test_an_organisation_outside_the_jurisdiction_is_a_404(client_as):
    org = xiufeng_org()
    assert client_as("xiufeng_district").get(reverse("party:organisation_detail", args=[org.pk])).status_code == 200
    outsider = client_as("qixing_worker")
    assert outsider.get(reverse("party:organisation_detail", args=[org.pk])).status_code == 404
    assert outsider.get(reverse("party:meeting_create", args=[org.pk])).status_code == 404
    listing = outsider.get(reverse("party:organisation_list"), {"q": org.name})
    assert reverse("party:organisation_detail", args=[org.pk]) not in listing.content.decode()


def test_a_secretary_records_a_meeting_and_an_outsider_cannot(client_as, demo_user):
    secretary = demo_user("xiufeng_secretary")
    org = PartyOrganisation.objects.filter(secretary=secretary, kind="branch").get()
    client = client_as("xiufeng_secretary")
    today = dt.date.today()
    response = client.post(
        reverse("party:meeting_create", args=[org.pk]),
        {"kind": "committee", "held_on": today.isoformat(), "topic": "研究本月工作", "attended": "0"},
    )
    assert response.status_code == 302
    assert Meeting.objects.filter(organisation=org, topic="研究本月工作").exists()
    # Bad input: the form names the field, nothing is written.
    bad = client.post(
        reverse("party:meeting_create", args=[org.pk]),
        {"kind": "committee", "held_on": today.isoformat(), "topic": "人数不对", "attended": "99"},
    )
    assert bad.status_code == 200
    assert "attended" in bad.context["form"].errors
    assert not Meeting.objects.filter(topic="人数不对").exists()
    outsider = client_as("qixing_worker")
    assert outsider.post(reverse("party:meeting_create", args=[org.pk]), {}).status_code == 404


def test_the_secretarys_workbench_card(client_as):
    page = client_as("xiufeng_secretary").get(reverse("workbench:home"))
    assert page.status_code == 200
    assert "党组织书记" in page.content.decode()


@pytest.mark.parametrize("url", ["party:organisation_list", "party:overdue_list"])
def test_lists_cost_the_same_whatever_the_rows(client_as, url):
    client = client_as("xiufeng_district")
    client.get(reverse(url))
    with CaptureQueriesContext(connection) as before:
        assert client.get(reverse(url)).status_code == 200
    org = xiufeng_org()
    PartyOrganisation.objects.bulk_create(
        PartyOrganisation(name=f"新支部{i}", kind="branch", unit=org.unit, parent=org, records_from=dt.date(2026, 1, 1))
        for i in range(30)
    )
    with CaptureQueriesContext(connection) as after:
        assert client.get(reverse(url)).status_code == 200
    assert len(after) == len(before)


def test_owned_lists_cost_the_same_whatever_the_rows(client_as):
    client = client_as("xiufeng_district")
    url = reverse("party:owned_list", args=["brand"])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    org = xiufeng_org()
    Brand.objects.bulk_create(
        Brand(name=f"品牌{i}", organisation=org, sector="community", unit=org.unit, year=2025) for i in range(30)
    )
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)


def test_the_public_brand_page_is_open_to_everyone(client):
    page = client.get(reverse("party:public_brands"), {"sector": "health"})
    assert page.status_code == 200
    assert Brand.objects.filter(sector="health", is_public=True).first().name in page.content.decode()
    assert reverse("party:public_brands") in client.get(reverse("workbench:home")).content.decode()


def test_the_demo_holds_its_plan_and_the_reports_figures():
    promised = plan(DEMO_SCALE)
    assert PartyOrganisation.objects.filter(kind="committee").count() == promised["party.organisations.committee"]
    assert PartyOrganisation.objects.filter(kind="group").count() == promised["party.organisations.group"]
    assert PioneerTeam.objects.count() == promised["party.pioneer_teams"]
    assert PioneerPost.objects.count() == promised["party.pioneer_posts"]
    assert Brand.objects.filter(sector=Sector.HEALTH).count() == promised["party.brands.health"]
    assert PartyMember.objects.filter(organisation__sector=Sector.ORGAN).count() == promised["party.members.organ"]
    full = plan(1)
    assert (full["party.pioneer_teams"], full["party.pioneer_posts"], full["party.brands.health"]) == (21, 59, 60)
    city = GridUnit.objects.get(level=GridUnit.Level.CITY)
    counts = selectors.overview_counts(unit=city)
    assert counts["pioneer_teams_health"] == promised["party.pioneer_teams"]
    # 95 % of the organ branches' due meetings on time (to the precision of a small city).
    assert abs(counts["meeting_timeliness_organ"] - 95.0) <= 1.0


def test_the_unit_dashboard_shows_the_periods_timeliness(client_as):
    xiufeng = GridUnit.objects.get(level=GridUnit.Level.DISTRICT, name="秀峰区")
    year = dt.date.today().year
    page = client_as("xiufeng_district").get(reverse("dashboards:unit", args=[xiufeng.pk]), {"period": "year"})
    assert page.status_code == 200
    expected = selectors.timeliness(unit=xiufeng, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
    assert page.context["party"].totals.as_dict() == expected.totals.as_dict()
    assert "三会一课" in page.content.decode()


def test_timeliness_is_one_query(django_assert_num_queries):
    city = GridUnit.objects.get(level=GridUnit.Level.CITY)
    with django_assert_num_queries(1):
        selectors.timeliness(unit=city, group_by="sector")
    with django_assert_num_queries(2):
        selectors.overview_counts(unit=city)
