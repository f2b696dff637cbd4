"""The report's headline figures for a unit's subtree, all time, computed from the data.

One selector serves the city overview page and `GET /api/v1/stats/overview/`, so
the two always show the same numbers. A handful of statements, whatever the size
of the city; the issue counts and the dated figures of the other domains come
from the roll-ups (with their "as of").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.utils.translation import gettext_lazy as _

from grids.models import GridUnit
from party.models import Sector
from party.selectors import OVERVIEW_LABELS as PARTY_LABELS
from party.selectors import TimelinessRow
from party.selectors import overview_counts as party_counts
from renovation.models import Project
from renovation.selectors import RenovationFigures, renovation_figures
from service_centers.models import ServicePoint
from service_centers.selectors import KindLevelRow, kind_level_rows_of
from volunteers.models import Activity, ServiceCategory, Team

from ..models import FigureMonthlyRollup
from ..periods import all_time
from .common import (
    from_rollup,
    grid_overview_queries,
    grid_overview_result,
    in_subtree,
    rollup_sums,
    snapshot_sums,
)
from .contracts import has_contracts, summary_queries, summary_result
from .issues import issue_figures_many, overdue_query, overdue_result, plan_sources, rollup_states
from .service_points import jobs_query, points_query, points_result, red_station_query, red_station_result
from .volunteers import volunteer_summary

# The label of every figure, in the order the page shows them (the report's own wording).
LABELS: dict[str, dict[str, Any]] = {
    "grids": {
        "micro_grids": _("党建微网格（片区）"),
        "compounds": _("小区（党小组）"),
        "responsibility_zones": _("党员责任区"),
        "communities": _("社区/村"),
        "grid_leaders_and_workers": _("网格长、网格员"),
        "property_managed_compounds": _("物业小区"),
        "party_instructors": _("党建指导员"),
    },
    "issues": {
        "problems_solved": _("累计解决群众身边问题"),
        "logged": _("累计登记问题"),
        "open_now": _("正在办理"),
        "overdue_now": _("当前逾期"),
        "satisfaction_rate": _("群众满意率（%）"),
    },
    "volunteers": {
        "service_categories": _("党员志愿服务类别"),
        "party_volunteer_teams": _("党员志愿者服务队"),
        "red_property_teams": _("红色物业服务队（红帽子/红马甲）"),
        "vanguard_teams": _("党员先锋服务队"),
        "commando_teams": _("党员突击队"),
        "members": _("在册队员"),
        "activities": _("志愿服务活动"),
        "red_property_activities": _("红色物业服务队开展公益活动（场次）"),
        "registered_members": _("到社区报到的机关党员"),
        "registered_organisations": _("到社区报到的机关党组织"),
        "registered_member_services": _("报到党员开展服务（次）"),
        "difficulties_solved": _("解决困难事项"),
        "time_bank_hours": _("时间银行结存（小时）"),
    },
    "service_points": {
        "party_centers": _("党群服务中心（市县乡村四级）"),
        "community_venues": _("城市社区服务群众场所"),
        "community_venue_average_area": _("社区场所平均面积（m²）"),
        "studios": _("党员工作室"),
        "workstations": _("先锋联盟工作站"),
        "civility": _("新时代文明实践中心（所、站）"),
        "theme_parks": _("党建主题公园（广场、微公园）"),
        "red_stations": _("旅游红色驿站"),
        "red_station_services": _("红色驿站提供服务（次）"),
        "jobs_offered": _("红色驿站提供岗位"),
        "party_member_businesses": _("共产党员经营户"),
        "recommended_stores": _("党组织推荐放心店"),
    },
    "contracts": {
        "contracts": _("签订共建契约书"),
        "cobuilding_units": _("参与共建单位"),
        "commitments": _("承诺服务事项"),
    },
}
LABELS["party"] = dict(PARTY_LABELS)
LABELS["renovation"] = {
    "urban_villages": _("完成改造提升的城中村"),
    "compounds": _("完成改造提升的无物业管理小区"),
    "micro_parks": _("改造中建成的党建主题微公园"),
    "in_progress": _("正在改造提升"),
}
SECTION_LABELS = {
    "grids": _("网格与队伍"),
    "issues": _("群众身边问题"),
    "volunteers": _("党员志愿服务与双报到"),
    "service_points": _("服务阵地"),
    "contracts": _("契约化共建"),
    "party": _("党组织、党建品牌和先锋岗"),
    "renovation": _("城中村和无物业小区改造提升"),
}


@dataclass
class Overview:
    unit: GridUnit
    sections: dict[str, dict[str, Any]]
    party_centers_by_level: dict[str, int] = field(default_factory=dict)
    as_of: dt.datetime | None = None

    def figures(self) -> list[tuple[str, str, list[tuple[str, str, Any]]]]:
        """[(section key, section label, [(key, label, value)])] in the page's order."""
        return [
            (
                section,
                str(SECTION_LABELS[section]),
                [(k, str(label), values[k]) for k, label in LABELS[section].items()],
            )
            for section, values in self.sections.items()
        ]


def _service_points(rows: list[KindLevelRow], *, red_services: int, jobs: int) -> tuple[dict[str, Any], dict[str, int]]:
    kinds: dict[str, int] = {}
    levels: dict[str, int] = {}
    for row in rows:
        kinds[row.kind] = kinds.get(row.kind, 0) + row.count
        levels[row.level] = levels.get(row.level, 0) + row.count
    venues = next((r for r in rows if r.level == ServicePoint.Level.COMMUNITY), None)
    figures = {
        "party_centers": kinds.get(ServicePoint.Kind.PARTY_CENTER, 0),
        "community_venues": venues.count if venues else 0,
        "community_venue_average_area": venues.average_area if venues else None,
        "studios": kinds.get(ServicePoint.Kind.STUDIO, 0),
        "workstations": kinds.get(ServicePoint.Kind.WORKSTATION, 0),
        "civility": kinds.get(ServicePoint.Kind.CIVILITY, 0),
        "theme_parks": kinds.get(ServicePoint.Kind.THEME_PARK, 0),
        "red_stations": kinds.get(ServicePoint.Kind.RED_STATION, 0),
        "red_station_services": red_services,
        "jobs_offered": jobs,
        "party_member_businesses": levels.get(ServicePoint.Level.PARTY_MEMBER_BUSINESS, 0),
        "recommended_stores": levels.get(ServicePoint.Level.RECOMMENDED_STORE, 0),
    }
    by_level = {level: levels.get(level, 0) for level in ServicePoint.KIND_LEVELS[ServicePoint.Kind.PARTY_CENTER]}
    return figures, by_level


def _red_property_activities(unit: GridUnit, *, rolled_up: bool) -> QuerySet:
    """The red-property teams' activities not cancelled: the roll-up's activity rows of that team kind,
    or one count on the activities' team index."""
    if rolled_up:
        return rollup_sums(unit, FigureMonthlyRollup.Figure.ACTIVITY, code=Team.Kind.RED_PROPERTY)
    activities = Activity.objects.filter(team__kind=Team.Kind.RED_PROPERTY).exclude(status=Activity.Status.CANCELLED)
    return in_subtree(activities, unit).annotate(k=Value(0)).values("k").annotate(n=Count("pk")).values_list("n")


def _rolled_up_renovation(unit: GridUnit) -> list[QuerySet]:
    """The renovation figures' snapshot rows: the projects summed over the streets of the subtree (one row),
    and the micro-parks of the unit's own node row (a park is not added up across streets)."""
    Figure = FigureMonthlyRollup.Figure
    finished, running = Project.Status.FINISHED, Project.Status.IN_PROGRESS
    projects = snapshot_sums(
        unit,
        Figure.RENOVATION,
        urban_villages=Sum("n", filter=Q(code=f"{Project.Kind.URBAN_VILLAGE}:{finished}")),
        compounds=Sum("n", filter=Q(code=f"{Project.Kind.NO_PROPERTY_COMPOUND}:{finished}")),
        in_progress=Sum("n", filter=Q(code__endswith=f":{running}")),
    )
    parks = FigureMonthlyRollup.objects.filter(
        month__isnull=True, figure=Figure.MICRO_PARKS, street_path=unit.path
    ).values_list("n")
    return [projects, parks]


def _renovation_result(projects: list[tuple], parks: list[tuple]) -> RenovationFigures:
    urban_villages, compounds, in_progress = projects[0] if projects else (0, 0, 0)
    return RenovationFigures(
        urban_villages=urban_villages or 0,
        compounds=compounds or 0,
        in_progress=in_progress or 0,
        micro_parks=parks[0][0] if parks else 0,
    )


def unit_overview(*, unit: GridUnit, today: dt.date | None = None) -> Overview:
    """The headline figures of the unit's subtree (pass a unit already scoped to the viewer).

    The roll-ups' state, then one statement for the issues and every small count of the grid, the
    service network and the contracts (`issue_figures_many` with extra values() queries), one for the
    volunteers (`volunteer_figures`); the other domains' sections add their own few."""
    state, figures_state = rollup_states()
    period = all_time(today)
    one = {"k": Value(0)}
    rolled_up = from_rollup(figures_state, unit=unit, period=None)
    extra = [
        overdue_query(unit=unit),
        *grid_overview_queries(unit=unit, state=figures_state),
        ServiceCategory.objects.filter(is_active=True)
        .annotate(**one)
        .values("k")
        .annotate(n=Count("pk"))
        .values_list("n"),
        points_query(unit=unit, state=figures_state),
        jobs_query(unit=unit, state=figures_state),
        red_station_query(unit=unit, period=period, state=figures_state),
        _red_property_activities(unit, rolled_up=rolled_up),
    ]
    if rolled_up:
        # The organ organisations' 三会一课 due and held on time; the renovation projects and micro-parks.
        extra.append(rollup_sums(unit, FigureMonthlyRollup.Figure.TIMELINESS, "n", "n2", code=Sector.ORGAN))
        extra += _rolled_up_renovation(unit)
    if has_contracts(unit):
        extra += summary_queries(unit=unit, period=None, state=figures_state)
    (issue_totals, overdue, units, people, categories, groups, jobs, red, red_property, *rest) = issue_figures_many(
        [(period, None)], unit=unit, state=state, extra=extra
    )
    organ = rest.pop(0) if rolled_up else []
    renovation = _renovation_result(rest.pop(0), rest.pop(0)) if rolled_up else None
    contract_rows = rest
    issues = issue_totals[None]
    volunteers = volunteer_summary(unit=unit, period=None, state=figures_state)
    service_points, by_level = _service_points(
        kind_level_rows_of(
            [
                {"kind": k, "level": lv, "n": n, "with_area": w, "area": a}
                for _b, k, lv, n, w, a in points_result(groups)
            ]
        ),
        red_services=red_station_result(red, unit=unit, group_by=None)[None],
        jobs=(jobs[0][0] or 0) if jobs else 0,
    )
    sections: dict[str, dict[str, Any]] = {
        "grids": grid_overview_result([units, people]),
        "issues": {
            "problems_solved": issues.resolved,
            "logged": issues.logged,
            "open_now": issues.open,
            "overdue_now": overdue_result(overdue, unit=unit, by_child=False)[None],
            "satisfaction_rate": issues.satisfaction_rate,
        },
        "volunteers": {
            "service_categories": categories[0][0] if categories else 0,
            "party_volunteer_teams": volunteers.teams_by_kind.get(Team.Kind.PARTY_VOLUNTEER, 0),
            "red_property_teams": volunteers.teams_by_kind.get(Team.Kind.RED_PROPERTY, 0),
            "vanguard_teams": volunteers.teams_by_kind.get(Team.Kind.VANGUARD, 0),
            "commando_teams": volunteers.teams_by_kind.get(Team.Kind.COMMANDO, 0),
            "members": volunteers.members,
            "activities": volunteers.activities,
            "red_property_activities": red_property[0][0] if red_property else 0,
            "registered_members": volunteers.registered_members,
            "registered_organisations": volunteers.registered_organisations,
            "registered_member_services": volunteers.service.registered_services,
            "difficulties_solved": volunteers.service.difficulties,
            "time_bank_hours": volunteers.time_bank_hours,
        },
        "service_points": service_points,
    }
    if has_contracts(unit):
        contracts = summary_result(contract_rows)
        sections["contracts"] = {
            "contracts": contracts.contracts,
            "cobuilding_units": contracts.units,
            "commitments": contracts.commitments,
        }
    # One query (party.selectors), and one more where the roll-up does not hold the meetings' timeliness.
    due, on_time = organ[0] if organ else (0, 0)
    organ_totals = TimelinessRow(key="total", label="", due=due or 0, on_time=on_time or 0) if rolled_up else None
    sections["party"] = party_counts(unit=unit, organ_timeliness=organ_totals)
    # From the roll-up's snapshot rows, or one query.
    sections["renovation"] = vars(renovation if renovation is not None else renovation_figures(unit=unit))
    plan = plan_sources(unit=unit, period=period, group_by=None, state=state)
    return Overview(
        unit=unit,
        sections=sections,
        party_centers_by_level=by_level,
        as_of=state.as_of if state is not None and plan.rollup is not None else None,
    )
