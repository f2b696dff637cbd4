"""Dashboard pages: jurisdiction, drill-down, the period filter, sorting, charts without inline script,
table exports, and the city overview computed from the data."""

import csv
import io
import re

import pytest
from django.db.models import Exists, OuterRef, Sum
from openpyxl import load_workbook

from contracts.models import Commitment, Contract
from dashboards.selectors.overview import unit_overview
from grids.demo import plan as grid_plan
from grids.models import GridUnit, Post
from issues.demo import plan as issue_plan
from issues.models import Issue
from service_centers.demo import plan as point_plan
from service_centers.models import JobOffer, RedStationService
from tests.conftest import DEMO_SCALE
from volunteers.demo import plan as volunteer_plan
from volunteers.models import MemberRegistration, ServiceRecord

pytestmark = pytest.mark.django_db


def page(client, unit, **params):
    return client.get(f"/dashboards/units/{unit.pk}/", params)


def test_the_default_dashboard_is_the_viewers_top_unit(client_as, unit_named):
    response = client_as("xiufeng_district").get("/dashboards/")
    assert response.status_code == 302
    assert response["Location"] == f"/dashboards/units/{unit_named('秀峰区').pk}/"
    assert client_as("admin").get("/dashboards/")["Location"] == f"/dashboards/units/{unit_named('桂林市').pk}/"
    worker = client_as("qixing_worker").get("/dashboards/", follow=True)
    assert worker.status_code == 200
    assert worker.context["unit"].path.startswith(unit_named("七星区").path)


def test_outside_the_jurisdiction_every_dashboard_url_is_a_404(client_as, unit_named):
    client = client_as("xiufeng_district")
    qixing = unit_named("七星区")
    for url in (
        f"/dashboards/units/{qixing.pk}/",
        f"/dashboards/units/{qixing.pk}/overview/",
        f"/dashboards/units/{qixing.pk}/tables/issue_children.csv",
        f"/dashboards/units/{qixing.pk}/issues/",
        f"/dashboards/units/{qixing.pk}/issues/export.xlsx",
        f"/dashboards/units/{unit_named('桂林市').pk}/",
        "/dashboards/units/999999/",
    ):
        assert client.get(url).status_code == 404, url
    assert client_as("organ_member").get("/dashboards/").status_code == 404  # no post, no dashboard
    assert client_as("qixing_worker").get(f"/dashboards/units/{unit_named('秀峰区').pk}/").status_code == 404
    assert client_as("xiufeng_district").get("/dashboards/").status_code == 302


def test_the_dashboard_drills_down_with_the_period_kept(client_as, unit_named):
    client = client_as("admin")
    city = unit_named("桂林市")
    response = page(client, city, period="quarter", year=2025, quarter=2)
    assert response.status_code == 200
    assert response.context["period"].label == "2025年第2季度"
    html = response.content.decode()
    district = unit_named("秀峰区")
    assert f'href="/dashboards/units/{district.pk}/?period=quarter&amp;year=2025&amp;quarter=2"' in html
    # city → district → street → community → micro-grid
    unit = district
    for level in (GridUnit.Level.STREET, GridUnit.Level.COMMUNITY, GridUnit.Level.AREA):
        child = GridUnit.objects.filter(parent=unit).order_by("path").first()
        assert child.level == level
        response = page(client, unit, period="quarter", year=2025, quarter=2)
        assert f"/dashboards/units/{child.pk}/?" in response.content.decode()
        unit = child
    assert page(client, unit).status_code == 200  # a micro-grid's own dashboard


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "custom", "from": "2025-05-01", "to": "2025-01-01"}, "to"),
        ({"period": "custom", "from": "2025-02-30", "to": "2025-03-01"}, "from"),
        ({"period": "decade"}, "period"),
    ],
)
def test_a_bad_period_is_a_form_error(client_as, unit_named, params, field):
    response = page(client_as("xiufeng_district"), unit_named("秀峰区"), **params)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "period" not in response.context  # no figures for a period that does not exist
    assert 'class="error"' in response.content.decode()


def test_the_sections_show_every_domain_with_its_tables(client_as, unit_named, settings):
    settings.DASHBOARDS_REFRESH_ON_READ = False  # as in production: the page gives the roll-up's time
    response = page(client_as("xiufeng_district"), unit_named("秀峰区"))
    tables = {table.name for _key, _label, tables in response.context["sections"] for table in tables}
    assert tables == {
        "issue_children",
        "issue_categories",
        "issue_months",
        "volunteer_teams",
        "volunteer_categories",
        "volunteer_children",
        "service_kinds",
        "service_children",
        "workstation_compliance",
        "red_station_services",
        "contract_children",
        "contract_evaluation",
    }
    assert response.context["as_of"] is not None
    assert "问题统计数据截至" in response.content.decode()


def test_every_chart_has_its_data_as_json_and_no_inline_script(client_as, unit_named):
    html = page(client_as("xiufeng_district"), unit_named("秀峰区")).content.decode()
    charts = re.findall(r'data-chart="([^"]+)"', html)
    assert len(charts) >= 8
    for chart_id in charts:
        assert f'<script id="{chart_id}" type="application/json">' in html
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "/static/vendor/echarts-5.6.0/echarts.min.js" in html
    assert "/static/dashboards/charts.js" in html
    assert " style=" not in html


def test_the_child_table_sorts_by_a_query_parameter(client_as, unit_named):
    client = client_as("admin")
    city = unit_named("桂林市")

    def children(**params):
        response = page(client, city, period="year", year=2025, **params)
        table = next(t for _k, _l, tables in response.context["sections"] for t in tables if t.name == "issue_children")
        return table

    descending = children(issue_children_sort="-logged")
    logged = [row["logged"] for row in descending.rows]
    assert logged == sorted(logged, reverse=True)
    assert descending.sort == "-logged"
    ascending = children(issue_children_sort="logged")
    assert [row["logged"] for row in ascending.rows] == sorted(logged)
    by_name = children(issue_children_sort="unit")
    assert [row["unit"] for row in by_name.rows] == sorted(row["unit"] for row in by_name.rows)
    assert children(issue_children_sort="nonsense").sort == ""  # ignored, tree order


@pytest.mark.parametrize(
    "name", ["issue_categories", "issue_children", "volunteer_categories", "service_kinds", "workstation_compliance"]
)
def test_each_table_exports_as_csv_and_xlsx_with_the_pages_rows(client_as, unit_named, name):
    client = client_as("xiufeng_district")
    district = unit_named("秀峰区")
    params = {"period": "custom", "from": "2025-02-10", "to": "2026-01-20"}
    response = page(client, district, **params)
    table = next(t for _k, _l, tables in response.context["sections"] for t in tables if t.name == name)
    first_column = [str(row[table.columns[0].key]) for row in table.rows]

    exported = client.get(f"/dashboards/units/{district.pk}/tables/{name}.csv", params)
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert lines[0] == [str(column.label) for column in table.columns]
    assert [line[0] for line in lines[1:]] == first_column

    workbook = client.get(f"/dashboards/units/{district.pk}/tables/{name}.xlsx", params)
    sheet = load_workbook(io.BytesIO(workbook.content), read_only=True).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert [str(v[0]) for v in values[1:]] == first_column
    assert len(values[0]) == len(table.columns)


def test_an_unknown_table_or_format_is_a_404(client_as, unit_named):
    client = client_as("xiufeng_district")
    district = unit_named("秀峰区")
    assert client.get(f"/dashboards/units/{district.pk}/tables/secrets.csv").status_code == 404
    assert client.get(f"/dashboards/units/{district.pk}/tables/issue_children.pdf").status_code == 404


# ---------------------------------------------------------------------------
# The city overview
# ---------------------------------------------------------------------------
def test_city_staff_see_the_city_and_everyone_else_their_own_top_unit(client_as, unit_named):
    city = client_as("admin").get("/dashboards/city/")
    assert city.status_code == 200
    assert city.context["unit"] == unit_named("桂林市")
    district = client_as("xiufeng_district").get("/dashboards/city/")
    assert district.status_code == 200
    assert district.context["unit"] == unit_named("秀峰区")
    assert (
        district.context["overview"].sections["grids"]["micro_grids"]
        < (city.context["overview"].sections["grids"]["micro_grids"])
    )
    assert client_as("organ_member").get("/dashboards/city/").status_code == 404


def test_the_city_overview_is_the_demo_data_counted(unit_named):
    overview = unit_overview(unit=unit_named("桂林市"))
    s = overview.sections
    grids, points, volunteers = grid_plan(DEMO_SCALE), point_plan(DEMO_SCALE), volunteer_plan(DEMO_SCALE)
    assert s["grids"]["micro_grids"] == grids["grids.units.area"]
    assert s["grids"]["responsibility_zones"] == grids["grids.units.zone"]
    assert s["grids"]["compounds"] == grids["grids.units.compound"]
    assert s["grids"]["property_managed_compounds"] == grids["grids.compounds.property_managed"]
    assert s["grids"]["grid_leaders_and_workers"] == grids["grids.people.grid_leaders_and_workers"]
    # Solved by grid handlers (grids' step) and by volunteer teams (the volunteers step's demands).
    assert (
        s["issues"]["problems_solved"]
        == issue_plan(DEMO_SCALE)["issues.issues.resolved"] + volunteers["volunteers.demands.resolved"]
    )
    assert s["issues"]["logged"] == Issue.objects.count()
    assert s["volunteers"]["service_categories"] == volunteers["volunteers.categories"]
    assert s["volunteers"]["party_volunteer_teams"] == volunteers["volunteers.teams.party_volunteer"]
    assert s["volunteers"]["red_property_teams"] == volunteers["volunteers.teams.red_property"]
    assert s["volunteers"]["vanguard_teams"] == volunteers["volunteers.teams.vanguard"]
    assert s["volunteers"]["commando_teams"] == volunteers["volunteers.teams.commando"]
    assert s["volunteers"]["registered_members"] == volunteers["volunteers.member_registrations"]
    assert s["volunteers"]["registered_organisations"] == volunteers["volunteers.organisation_registrations"]
    registered = Exists(MemberRegistration.objects.filter(volunteer=OuterRef("volunteer"), ended_on__isnull=True))
    assert s["volunteers"]["registered_member_services"] == (
        ServiceRecord.objects.verified().filter(registered).count()
    )
    assert s["volunteers"]["difficulties_solved"] == (
        ServiceRecord.objects.verified().filter(solved_difficulty=True).count()
    )
    p = "service_centers"
    assert s["service_points"]["party_centers"] == points[f"{p}.party_centers"]
    assert s["service_points"]["community_venues"] == points[f"{p}.party_centers.community"]
    assert s["service_points"]["community_venue_average_area"] == points[f"{p}.community_venues.average_area_m2"]
    assert s["service_points"]["studios"] == points[f"{p}.studios"]
    assert s["service_points"]["workstations"] == points[f"{p}.workstations"]
    assert s["service_points"]["red_stations"] == points[f"{p}.red_stations"]
    assert s["service_points"]["red_station_services"] == RedStationService.objects.count()
    assert s["service_points"]["jobs_offered"] == JobOffer.objects.aggregate(n=Sum("positions"))["n"]
    assert s["service_points"]["civility"] == points[f"{p}.civility"]
    assert s["service_points"]["party_member_businesses"] == points[f"{p}.trusted_stores.party_member_business"]
    assert s["service_points"]["recommended_stores"] == points[f"{p}.trusted_stores.recommended_store"]
    counted = Contract.objects.counted()
    assert s["contracts"]["contracts"] == counted.count()
    assert s["contracts"]["cobuilding_units"] == counted.values("unit").distinct().count()
    assert s["contracts"]["commitments"] == Commitment.objects.filter(contract__in=counted).count()
    assert overview.as_of is not None


def test_the_overview_page_shows_the_figures_of_the_selector(client_as):
    response = client_as("admin").get("/dashboards/city/")
    html = response.content.decode()
    for label in ("党建微网格（片区）", "累计解决群众身边问题", "党群服务中心（市县乡村四级）", "签订共建契约书"):
        assert label in html
    leaders = Post.objects.filter(role__in=["grid_leader", "grid_worker"]).values("user").distinct().count()
    assert response.context["overview"].sections["grids"]["grid_leaders_and_workers"] == leaders
    assert 'data-figure="grids.grid_leaders_and_workers"' in html
