"""The dashboard's workstation compliance, read in one statement with the rest of the network (a month
bit mask per station), says what the service centres' own rule and selector say for every station."""

from __future__ import annotations

import pytest
from django.utils import timezone

from dashboards.periods import Period
from dashboards.selectors import children_of
from dashboards.selectors.service_points import network_figures
from service_centers.selectors import workstation_compliance

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["桂林市", "秀峰区"])
def test_the_dashboards_workstation_compliance_is_the_service_centres(name, unit_named, demo_user):
    unit, admin = unit_named(name), demo_user("admin")
    network = network_figures(
        viewer=admin, unit=unit, children=children_of(unit), period=Period.for_year(timezone.localdate().year)
    )
    expected = workstation_compliance(viewer=admin, unit=unit, year=network.compliance_year)
    assert [(row.point_id, row.assessment) for row in network.workstation_rows] == [
        (row.point.pk, row.assessment) for row in expected
    ]
    months = [row.assessment.active_months for row in network.workstation_rows]
    assert any(months), "no station with an activity: the comparison would prove nothing"
    assert any(row.assessment.missed_months for row in network.workstation_rows) or all(len(m) == 12 for m in months)


def test_a_city_dashboard_shows_the_first_workstations_short_first_and_links_to_every_one(
    unit_named, demo_user, client_as, monkeypatch
):
    """The dashboard's table shows WORKSTATIONS_SHOWN rows (those short of their duties first) and links
    to the compliance page; its export still has every station."""
    import dashboards.tables
    from tests.service_centers.factories import workstation

    monkeypatch.setattr(dashboards.tables, "WORKSTATIONS_SHOWN", 3)
    city, admin = unit_named("桂林市"), demo_user("admin")
    last_year = timezone.localdate().year - 1  # the year assessed
    for _ in range(4):  # open all that year, no meeting: short of their duties
        workstation(unit_named("解东社区"), opened_on=timezone.localdate().replace(year=last_year, month=1, day=1))
    network = network_figures(
        viewer=admin, unit=city, children=children_of(city), period=Period.for_year(timezone.localdate().year)
    )
    stations = network.workstation_rows
    assert len(stations) > 3, "too few stations for a cut to show"
    client = client_as("admin")
    html = client.get(f"/dashboards/units/{city.pk}/").content.decode()
    table = html[html.index('id="workstation_compliance"') :]
    table = table[: table.index('<p class="exports">')]
    assert table.count('<tr><th scope="row">') == 3
    assert sum(1 for row in stations if row.assessment.flagged) >= 4
    assert table.count("未达标") == 3  # the short ones first, whatever their order in the network
    assert f"显示前 3 行，共 {len(stations)} 行。" in table
    assert f'href="/service-points/staff/units/{city.pk}/compliance/?year={network.compliance_year}"' in table
    assert (
        client.get(f"/service-points/staff/units/{city.pk}/compliance/?year={network.compliance_year}").status_code
        == 200
    )
    export = client.get(f"/dashboards/units/{city.pk}/tables/workstation_compliance.csv")
    assert export.status_code == 200
    assert len(export.content.decode("utf-8-sig").strip().splitlines()) == len(stations) + 1
