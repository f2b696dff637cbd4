"""Every figure of the report (../shared/seed/), held to the city overview the demo computes.

The table lists each figure as the report gives it, where the city overview shows it, and how the
demo's plan promises it. Two tests hold the demo to it:
- at scale 1 (the report's city), the plan's promise is the report's figure: exact where the report
  is exact, at or just above it (within 5 %) where it says 余/多;
- at the test scale, the overview computes each figure from the seeded rows, and it is the plan's
  promise at that scale: so at scale 1 the overview shows the report (seeding scale 1 takes about a
  minute, too slow for every run; the note of issue 16 records the full-scale overview).
Figures the plan cannot promise (a rate) are held to the report at the test scale directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from dashboards.selectors.overview import unit_overview
from grids.models import GridUnit
from guilin_portal.demo import demo_plan

from .conftest import DEMO_SCALE

EXACT, AT_LEAST = "exact", "at or just above"  # 余/多: the report's figure, up to 5 % more


@dataclass(frozen=True)
class Figure:
    report: float
    bound: str
    section: str
    key: str
    plan: Callable[[dict[str, int]], float] | None  # the demo plan's promise of this figure
    quote: str

    def holds(self, value: float | None) -> bool:
        if value is None:
            return False
        if self.bound == EXACT:
            return value == self.report
        return self.report <= value <= self.report * 1.05


def key(name: str) -> Callable[[dict[str, int]], float]:
    return lambda plan: plan[name]


def signed(plan: dict[str, int]) -> int:
    return plan["contracts.contracts"] - plan["contracts.contracts.draft"]


FIGURES: list[Figure] = [
    Figure(5200, AT_LEAST, "grids", "micro_grids", key("grids.units.area"), "精准划分党建“微网格”5200余个"),
    Figure(
        4100,
        AT_LEAST,
        "grids",
        "grid_leaders_and_workers",
        key("grids.people.grid_leaders_and_workers"),
        "共设置网格长、兼职网格员4100多名",
    ),
    Figure(6828, EXACT, "issues", "problems_solved", key("issues.solved_in_all"), "累计解决群众身边的实际问题6828个"),
    Figure(
        900,
        EXACT,
        "volunteers",
        "party_volunteer_teams",
        key("volunteers.teams.party_volunteer"),
        "共组建……党员志愿者服务队900支",
    ),
    Figure(
        389,
        EXACT,
        "grids",
        "property_managed_compounds",
        key("grids.compounds.property_managed"),
        "为389个物业小区选派党建指导员",
    ),
    Figure(
        389, EXACT, "grids", "party_instructors", key("grids.posts.party_instructor"), "为389个物业小区选派党建指导员"
    ),
    Figure(
        1309,
        EXACT,
        "service_points",
        "party_centers",
        key("service_centers.party_centers"),
        "市县乡村四级1309个党群服务中心",
    ),
    Figure(491, EXACT, "service_points", "studios", key("service_centers.studios"), "491个党员工作室"),
    Figure(
        115,
        EXACT,
        "service_points",
        "community_venues",
        key("service_centers.party_centers.community"),
        "全市115个城市社区服务群众场所",
    ),
    Figure(
        812,
        EXACT,
        "service_points",
        "community_venue_average_area",
        key("service_centers.community_venues.average_area_m2"),
        "平均面积达812平方米",
    ),
    Figure(
        111,
        EXACT,
        "renovation",
        "urban_villages",
        key("renovation.urban_villages.finished"),
        "全市共完成111个城中村……改造提升",
    ),
    Figure(
        260,
        EXACT,
        "renovation",
        "compounds",
        key("renovation.compounds.finished"),
        "及260个无物业管理小区改造提升",
    ),
    Figure(60, AT_LEAST, "renovation", "micro_parks", key("renovation.micro_parks"), "建设党建主题精品微公园等60余个"),
    Figure(65, EXACT, "service_points", "workstations", key("service_centers.workstations"), "建成65个先锋联盟工作站"),
    Figure(
        2100,
        AT_LEAST,
        "service_points",
        "civility",
        key("service_centers.civility"),
        "全市2100多个新时代文明实践中心（所、站）",
    ),
    Figure(56000, AT_LEAST, "grids", "responsibility_zones", key("grids.units.zone"), "共设立党员责任区5.6万多个"),
    Figure(
        24500,
        EXACT,
        "volunteers",
        "registered_members",
        key("volunteers.member_registrations"),
        "带动2.45万名机关党员常驻社区",
    ),
    Figure(
        97800,
        EXACT,
        "volunteers",
        "registered_member_services",
        key("volunteers.records.verified"),
        "开展服务9.78万次",
    ),
    Figure(
        8000,
        AT_LEAST,
        "volunteers",
        "difficulties_solved",
        key("volunteers.records.difficulties_solved"),
        "解决困难事项8000多个",
    ),
    Figure(95, EXACT, "party", "meeting_timeliness_organ", None, "机关基层党组织“三会一课”及时率达到95%"),
    Figure(2238, EXACT, "contracts", "contracts", signed, "共签订《契约书》2238份"),
    Figure(452, EXACT, "contracts", "cobuilding_units", key("contracts.units"), "参与共建单位452个"),
    Figure(1909, EXACT, "contracts", "commitments", key("contracts.commitments"), "承诺服务事项1909个"),
    Figure(
        973,
        EXACT,
        "volunteers",
        "red_property_teams",
        key("volunteers.teams.red_property"),
        "积极组建“红帽子”“红马甲”等各类服务队973支",
    ),
    Figure(
        20000,
        AT_LEAST,
        "volunteers",
        "red_property_activities",
        key("volunteers.activities.red_property"),
        "开展公益活动2万余场次",
    ),
    Figure(21, EXACT, "party", "pioneer_teams_health", key("party.pioneer_teams"), "授牌21个“党员先锋服务队”"),
    Figure(59, EXACT, "party", "pioneer_posts_health", key("party.pioneer_posts"), "59个“党员先锋服务岗”"),
    Figure(60, EXACT, "party", "brands_health", key("party.brands.health"), "创建60个党建品牌"),
    Figure(138, EXACT, "service_points", "red_stations", key("service_centers.red_stations"), "建成138个旅游红色驿站"),
    Figure(
        150000,
        AT_LEAST,
        "service_points",
        "red_station_services",
        key("service_centers.red_stations.services"),
        "提供咨询、医疗、救援、纠纷调解等服务15万余次",
    ),
    Figure(
        2100,
        AT_LEAST,
        "service_points",
        "jobs_offered",
        key("service_centers.red_stations.jobs_offered"),
        "提供导游、票务、保安等岗位2100多个",
    ),
    Figure(
        200,
        EXACT,
        "service_points",
        "party_member_businesses",
        key("service_centers.trusted_stores.party_member_business"),
        "授予200家“共产党员经营户”",
    ),
    Figure(
        308,
        EXACT,
        "service_points",
        "recommended_stores",
        key("service_centers.trusted_stores.recommended_store"),
        "308家“党组织推荐放心店”",
    ),
]
PLANNED = [f for f in FIGURES if f.plan is not None]


def _id(figure: Figure) -> str:
    return f"{figure.section}.{figure.key}={figure.report:g}"


@pytest.mark.parametrize("figure", PLANNED, ids=_id)
def test_at_scale_1_the_demo_promises_the_reports_figure(figure):
    promised = figure.plan(demo_plan(1))
    assert figure.holds(promised), f"{figure.quote}: the demo promises {promised}, the report says {figure.report:g}"


@pytest.mark.django_db
def test_the_table_names_figures_the_overview_shows():
    labels = {(section, k) for section, _label, rows in _city_overview().figures() for k, _l, _v in rows}
    assert {(f.section, f.key) for f in FIGURES} <= labels


def _city_overview():
    return unit_overview(unit=GridUnit.objects.get(level=GridUnit.Level.CITY))


@pytest.mark.django_db
def test_the_overview_computes_every_promised_figure_from_the_data():
    # The seeded city at the test scale: the overview reads the rows, and each figure is what the
    # demo promised at that scale (the same promise that is the report's figure at scale 1).
    sections = _city_overview().sections
    promised = demo_plan(DEMO_SCALE)
    shown = {_id(f): sections[f.section][f.key] for f in PLANNED}
    expected = {_id(f): f.plan(promised) for f in PLANNED}
    assert shown == expected


@pytest.mark.django_db
def test_the_rates_come_from_the_data_as_the_report_gives_them():
    sections = _city_overview().sections
    timeliness = sections["party"]["meeting_timeliness_organ"]
    assert timeliness is not None
    assert 90 <= timeliness < 100
    satisfaction = sections["issues"]["satisfaction_rate"]
    assert satisfaction is not None
    assert 80 <= satisfaction < 99
