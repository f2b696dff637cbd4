"""The dashboard's tables, built from the selectors: one definition serves the page, its charts and its exports.

A `Dashboard` is one viewer looking at one unit over one period; its figures
are computed lazily and once (a table export computes only what its table
needs). Each table is a list of columns and rows of plain values; the page
renders them, `charts.js` draws the chart from the same rows, and the CSV and
XLSX exports write them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.models import Evaluation
from grids.models import GridUnit
from service_centers.models import ServicePoint
from volunteers.models import Team

from .periods import Period
from .selectors import OWN, children_of, own_label
from .selectors import contracts as contract_selectors
from .selectors import issues as issue_selectors
from .selectors import service_points as point_selectors
from .selectors import volunteers as volunteer_selectors


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "int"  # text | int | decimal | rate | hours | month
    sortable: bool = True


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    chart: dict[str, Any] | None = None  # {"type": "bar" | "line" | "pie", "x": key, "series": [keys]}
    note: str = ""
    sort: str = ""  # the column it is sorted by ("-key" descending), if any

    @property
    def chart_id(self) -> str:
        return f"chart-{self.name}"

    def chart_data(self) -> dict[str, Any] | None:
        """What charts.js draws: the labels and, per series, the values, straight from the rows."""
        if not self.chart or not self.rows:
            return None
        labels = {c.key: c.label for c in self.columns}
        x = self.chart["x"]
        return {
            "type": self.chart["type"],
            "title": self.title,
            "labels": [str(row.get(x) or "") for row in self.rows if not row.get("_total")],
            "series": [
                {"name": labels[key], "data": [_number(row.get(key)) for row in self.rows if not row.get("_total")]}
                for key in self.chart["series"]
            ],
        }


def _number(value: Any) -> float | int | None:
    if isinstance(value, Decimal):
        return float(value)
    return value


@dataclass
class Dashboard:
    viewer: Any
    unit: GridUnit
    period: Period
    sort: dict[str, str] = field(default_factory=dict)  # table name -> "-column" or "column"
    link: Callable[[GridUnit], str] | None = None  # where a child unit's name links to

    # -- shared figures, each computed once --------------------------------------------------------
    @cached_property
    def children(self) -> list[GridUnit]:
        return children_of(self.unit)

    @cached_property
    def rollup_state(self):
        return issue_selectors.issue_rollup_state()

    @cached_property
    def issue_medians(self) -> dict[Any, float | None]:
        """Median hours of the subtree (key None) and of each child, together."""
        return issue_selectors.issue_median_hours(
            unit=self.unit, period=self.period, by_child=True, state=self.rollup_state
        )

    @cached_property
    def issue_overdue(self) -> dict[Any, int]:
        """Overdue issues now, of the subtree (key None) and of each child, in one query."""
        return issue_selectors.issue_overdue(unit=self.unit, by_child=True)

    @cached_property
    def issue_summary(self) -> issue_selectors.IssueSummary:
        return issue_selectors.issue_summary(
            unit=self.unit,
            period=self.period,
            state=self.rollup_state,
            medians=self.issue_medians,
            overdue=self.issue_overdue,
        )

    @cached_property
    def service_cube(self) -> dict[tuple, volunteer_selectors.ServiceFigures]:
        """Verified service per (category, child): one scan serves the totals and both tables."""
        return volunteer_selectors.service_figures(unit=self.unit, period=self.period, group_by=("category", "child"))

    @cached_property
    def volunteer_summary(self) -> volunteer_selectors.VolunteerSummary:
        total = volunteer_selectors.summed(self.service_cube, None).get(None, volunteer_selectors.ServiceFigures())
        return volunteer_selectors.volunteer_summary(unit=self.unit, period=self.period, service=total)

    @cached_property
    def network(self):
        return point_selectors.network(viewer=self.viewer, unit=self.unit)

    @cached_property
    def red_station_services(self) -> int:
        return point_selectors.red_station_services(unit=self.unit, period=self.period)[None]

    @cached_property
    def contract_summary(self) -> contract_selectors.ContractSummary | None:
        if not contract_selectors.has_contracts(self.unit):
            return None
        return contract_selectors.contract_summary(unit=self.unit, period=self.period)

    @cached_property
    def contract_completion(self):
        return contract_selectors.completion(viewer=self.viewer, unit=self.unit, period=self.period)

    # -- helpers -----------------------------------------------------------------------------------
    def child_rows(self, keys: set) -> list[tuple[str, str, str]]:
        """(key, name, link) for every child in tree order, then the unit itself if it has rows of its own."""
        rows = [(child.path, child.name, self.link(child) if self.link else "") for child in self.children]
        if OWN in keys:
            rows.append((OWN, own_label(self.unit), ""))
        return rows

    def sorted_rows(self, table: Table) -> Table:
        """Sort a table by the column its `sort` names (numbers, None last); unknown columns are ignored."""
        wanted = self.sort.get(table.name, "")
        key = wanted.removeprefix("-")
        column = next((c for c in table.columns if c.key == key and c.sortable), None)
        if column is None:
            return table
        descending = wanted.startswith("-")
        rows = [r for r in table.rows if not r.get("_total")]
        totals = [r for r in table.rows if r.get("_total")]
        present = [r for r in rows if r.get(key) is not None]
        missing = [r for r in rows if r.get(key) is None]
        present.sort(key=lambda r: r[key], reverse=descending)
        table.rows = present + missing + totals
        table.sort = wanted
        return table

    def table(self, name: str) -> Table:
        return self.sorted_rows(TABLES[name][1](self))

    def tables(self, section: str) -> list[Table]:
        return [self.table(name) for name, (sec, _builder) in TABLES.items() if sec == section and self.applies(name)]

    def applies(self, name: str) -> bool:
        if name.startswith("contract_"):
            return contract_selectors.has_contracts(self.unit)
        if name.endswith("_children"):
            return bool(self.children)
        return True


# ---------------------------------------------------------------------------
# Resident issues
# ---------------------------------------------------------------------------
ISSUE_COLUMNS = [
    Column("logged", gettext_lazy("登记")),
    Column("settled", gettext_lazy("已办结")),
    Column("resolution_rate", gettext_lazy("办结率"), "rate"),
    Column("resolved", gettext_lazy("期内办结")),
    Column("satisfaction_rate", gettext_lazy("满意率"), "rate"),
]


def _issue_row(figures: issue_selectors.IssueFigures) -> dict[str, Any]:
    return {
        "logged": figures.logged,
        "settled": figures.settled,
        "resolution_rate": figures.resolution_rate,
        "resolved": figures.resolved,
        "satisfaction_rate": figures.satisfaction_rate,
    }


def issue_children(d: Dashboard) -> Table:
    figures = issue_selectors.issue_figures(unit=d.unit, period=d.period, group_by="child", state=d.rollup_state)
    medians = {key: value for key, value in d.issue_medians.items() if key is not None}
    overdue = {key: n for key, n in d.issue_overdue.items() if key is not None}
    rows = []
    for key, name, link in d.child_rows(set(figures) | set(medians) | set(overdue)):
        row = {"unit": name, "_link": link, **_issue_row(figures.get(key, issue_selectors.IssueFigures()))}
        median = medians.get(key)
        row["median_hours"] = None if median is None else round(Decimal(median), 1)
        row["overdue_now"] = overdue.get(key, 0)
        rows.append(row)
    return Table(
        "issue_children",
        _("下级单元问题办理"),
        [
            Column("unit", _("单元"), "text", sortable=True),
            *ISSUE_COLUMNS,
            Column("median_hours", _("办结用时中位数（小时）"), "hours"),
            Column("overdue_now", _("当前逾期")),
        ],
        rows,
        chart={"type": "bar", "x": "unit", "series": ["logged", "settled", "overdue_now"]},
        note=_(
            "办结率＝期内登记的问题中已办结（含已关闭）的比例，退回的不计；满意率＝已评价的问题中满意和基本满意的比例。"
        ),
    )


def issue_categories(d: Dashboard) -> Table:
    figures = issue_selectors.issue_figures(unit=d.unit, period=d.period, group_by="category", state=d.rollup_state)
    rows = []
    for category in issue_selectors.categories().values():
        found = figures.get(category.pk)
        if found is None:
            continue
        rows.append({"category": category.display_name, "kind": category.get_kind_display(), **_issue_row(found)})
    return Table(
        "issue_categories",
        _("按问题类别"),
        [Column("category", _("类别"), "text"), Column("kind", _("类型"), "text"), *ISSUE_COLUMNS],
        rows,
        chart={"type": "bar", "x": "category", "series": ["logged", "settled"]},
    )


def issue_months(d: Dashboard) -> Table:
    trend = d.period.trend_period()
    figures = issue_selectors.issue_figures(unit=d.unit, period=trend, group_by="month", state=d.rollup_state)
    rows = [
        {"month": month.strftime("%Y-%m"), **_issue_row(figures.get(month, issue_selectors.IssueFigures()))}
        for month in trend.months
    ]
    return Table(
        "issue_months",
        _("月度趋势"),
        [Column("month", _("月份"), "month"), *ISSUE_COLUMNS],
        rows,
        chart={"type": "line", "x": "month", "series": ["logged", "resolved"]},
        note=_("趋势至少显示截至所选周期末的 12 个月；首尾不满整月的按实际天数统计。"),
    )


# ---------------------------------------------------------------------------
# Volunteers
# ---------------------------------------------------------------------------
def volunteer_teams(d: Dashboard) -> Table:
    teams = d.volunteer_summary.teams_by_kind
    rows = [{"kind": label, "teams": teams.get(kind, 0)} for kind, label in Team.Kind.choices]
    return Table(
        "volunteer_teams",
        _("服务队伍"),
        [Column("kind", _("队伍类型"), "text"), Column("teams", _("队伍数"))],
        rows,
        chart={"type": "bar", "x": "kind", "series": ["teams"]},
    )


def volunteer_categories(d: Dashboard) -> Table:
    figures = volunteer_selectors.summed(d.service_cube, 0)
    rows = []
    for category in volunteer_selectors.service_categories().values():
        found = figures.get(category.pk, volunteer_selectors.ServiceFigures())
        rows.append(
            {
                "category": category.label,
                "services": found.services,
                "hours": found.hours,
                "difficulties": found.difficulties,
            }
        )
    return Table(
        "volunteer_categories",
        _("已审核服务时长（按服务类别）"),
        [
            Column("category", _("服务类别"), "text"),
            Column("services", _("服务次数")),
            Column("hours", _("服务时长（小时）"), "decimal"),
            Column("difficulties", _("解决困难事项")),
        ],
        rows,
        chart={"type": "bar", "x": "category", "series": ["hours"]},
    )


def volunteer_children(d: Dashboard) -> Table:
    figures = volunteer_selectors.volunteer_children(
        unit=d.unit, period=d.period, service=volunteer_selectors.summed(d.service_cube, 1)
    )
    rows = []
    for key, name, link in d.child_rows(set(figures)):
        found = figures.get(key)
        service = found.service if found else volunteer_selectors.ServiceFigures()
        rows.append(
            {
                "unit": name,
                "_link": link,
                "teams": found.teams if found else 0,
                "members": found.members if found else 0,
                "registered_members": found.registered_members if found else 0,
                "services": service.services,
                "hours": service.hours,
                "registered_services": service.registered_services,
            }
        )
    return Table(
        "volunteer_children",
        _("下级单元志愿服务"),
        [
            Column("unit", _("单元"), "text"),
            Column("teams", _("服务队")),
            Column("members", _("队员")),
            Column("registered_members", _("报到党员")),
            Column("services", _("服务次数")),
            Column("hours", _("服务时长（小时）"), "decimal"),
            Column("registered_services", _("报到党员服务次数")),
        ],
        rows,
        chart={"type": "bar", "x": "unit", "series": ["hours"]},
    )


# ---------------------------------------------------------------------------
# Service network
# ---------------------------------------------------------------------------
def service_kinds(d: Dashboard) -> Table:
    rows = [
        {
            "kind": row.label,
            "points": row.count,
            "total_area": row.total_area if row.with_area else None,
            "average_area": row.average_area,
        }
        for row in d.network.rows
    ]
    return Table(
        "service_kinds",
        _("服务阵地（按类型和级别）"),
        [
            Column("kind", _("类型/级别"), "text"),
            Column("points", _("数量")),
            Column("total_area", _("总面积（m²）"), "decimal"),
            Column("average_area", _("平均面积（m²）"), "decimal"),
        ],
        rows,
        chart={"type": "bar", "x": "kind", "series": ["points"]},
    )


CHILD_KINDS = [
    ServicePoint.Kind.PARTY_CENTER,
    ServicePoint.Kind.STUDIO,
    ServicePoint.Kind.WORKSTATION,
    ServicePoint.Kind.RED_STATION,
]


def service_children(d: Dashboard) -> Table:
    by_path = {child.unit.path: child for child in d.network.children}
    rows = []
    for key, name, link in d.child_rows(set()):
        child = by_path.get(key)
        counts = child.counts if child else {}
        rows.append(
            {
                "unit": name,
                "_link": link,
                **{kind: counts.get(kind, 0) for kind in CHILD_KINDS},
                "total": child.total if child else 0,
            }
        )
    return Table(
        "service_children",
        _("下级单元服务阵地"),
        [
            Column("unit", _("单元"), "text"),
            *[Column(kind, str(ServicePoint.Kind(kind).label)) for kind in CHILD_KINDS],
            Column("total", _("全部阵地")),
        ],
        rows,
        chart={"type": "bar", "x": "unit", "series": ["total"]},
    )


def workstation_compliance(d: Dashboard) -> Table:
    year = d.network.compliance_year
    rows = []
    for item in point_selectors.workstations(viewer=d.viewer, unit=d.unit, year=year):
        assessment = item.assessment
        rows.append(
            {
                "point": item.point.name,
                "unit": item.point.unit.name,
                "meetings": assessment.meetings,
                "meetings_required": assessment.meetings_required,
                "active_months": assessment.activity_months,
                "months_due": len(assessment.months_due),
                "met": _("未达标") if assessment.flagged else _("达标"),
            }
        )
    return Table(
        "workstation_compliance",
        _("%(year)s 年先锋联盟工作站考核") % {"year": year},
        [
            Column("point", _("工作站"), "text"),
            Column("unit", _("所在单元"), "text"),
            Column("meetings", _("集中议事（次）")),
            Column("meetings_required", _("应议事（次）")),
            Column("active_months", _("开展活动（月）")),
            Column("months_due", _("应开展（月）")),
            Column("met", _("结果"), "text"),
        ],
        rows,
        note=_("每年集中议事 6 次以上、每月开展活动（年中建成的从建成当月算起）。"),
    )


def red_station_services(d: Dashboard) -> Table:
    counts = point_selectors.red_station_services(unit=d.unit, period=d.period, group_by="service")
    rows = [
        {"service": kind.name, "services": counts[kind.pk]}
        for kind in point_selectors.service_kinds().values()
        if kind.pk in counts
    ]
    return Table(
        "red_station_services",
        _("旅游红色驿站服务（期内，按服务项目）"),
        [Column("service", _("服务项目"), "text"), Column("services", _("服务次数"))],
        rows,
        chart={"type": "pie", "x": "service", "series": ["services"]},
    )


# ---------------------------------------------------------------------------
# Contracts
# ---------------------------------------------------------------------------
TALLY_COLUMNS = [
    Column("contracts", gettext_lazy("契约数")),
    Column("due", gettext_lazy("应完成事项")),
    Column("met", gettext_lazy("已完成")),
    Column("partially_met", gettext_lazy("部分完成")),
    Column("not_met", gettext_lazy("未完成")),
    Column("pending", gettext_lazy("未填报")),
    Column("completion_rate", gettext_lazy("加权完成率"), "rate"),
]


def _tally_row(tally) -> dict[str, Any]:
    if tally is None:
        return {column.key: None for column in TALLY_COLUMNS}
    return {column.key: getattr(tally, column.key) for column in TALLY_COLUMNS}


def contract_children(d: Dashboard) -> Table:
    overview = d.contract_completion
    columns = [Column("unit", _("单元"), "text"), *TALLY_COLUMNS]
    rows = []
    title = _("契约完成情况")
    if overview is not None:
        title = _("%(quarter)s契约完成情况") % {
            "quarter": _("%(year)s年第%(q)s季度") % {"year": overview.year, "q": overview.quarter}
        }
        if overview.contracts:
            columns[0] = Column("unit", _("契约（共建单位）"), "text")
            rows = [
                {"unit": f"{row.contract.number} {row.contract.unit.name}", "_link": "", **_tally_row(row)}
                for row in overview.contracts
            ]
        else:
            by_pk = {child.pk: tally for child, tally in overview.children}
            for child in d.children:
                rows.append(
                    {"unit": child.name, "_link": d.link(child) if d.link else "", **_tally_row(by_pk.get(child.pk))}
                )
        if overview.own is not None:
            rows.append({"unit": _("合计"), "_link": "", "_total": True, **_tally_row(overview.own)})
    return Table(
        "contract_children",
        title,
        columns,
        rows,
        chart={"type": "bar", "x": "unit", "series": ["completion_rate"]},
        note=_("加权完成率＝已完成事项权重＋部分完成事项权重的一半，除以应完成事项权重（契约化共建季度统计）。"),
    )


def contract_evaluation(d: Dashboard) -> Table:
    progress = contract_selectors.evaluation_progress(unit=d.unit, period=d.period)
    labels = {contract_selectors.NOT_STARTED: _("未开始"), **dict(Evaluation.Stage.choices)}
    rows = [
        {"year": str(year), **{stage: stages.get(stage, 0) for stage in contract_selectors.STAGES}}
        for year, stages in progress.items()
    ]
    return Table(
        "contract_evaluation",
        _("年度考评进度（签约单位自评 → 社区评议 → 街道总评 → 城区复核）"),
        [
            Column("year", _("契约年度"), "text"),
            *[Column(stage, str(labels[stage])) for stage in contract_selectors.STAGES],
        ],
        rows,
        chart={"type": "bar", "x": "year", "series": list(contract_selectors.STAGES)},
    )


TABLES: dict[str, tuple[str, Callable[[Dashboard], Table]]] = {
    "issue_children": ("issues", issue_children),
    "issue_categories": ("issues", issue_categories),
    "issue_months": ("issues", issue_months),
    "volunteer_teams": ("volunteers", volunteer_teams),
    "volunteer_categories": ("volunteers", volunteer_categories),
    "volunteer_children": ("volunteers", volunteer_children),
    "service_kinds": ("service_points", service_kinds),
    "service_children": ("service_points", service_children),
    "workstation_compliance": ("service_points", workstation_compliance),
    "red_station_services": ("service_points", red_station_services),
    "contract_children": ("contracts", contract_children),
    "contract_evaluation": ("contracts", contract_evaluation),
}


def month_label(month: dt.date) -> str:
    return month.strftime("%Y-%m")
