"""The dashboard's tables, built from the selectors: one definition per table serves the page, its chart,
its CSV and XLSX exports and the statistics API's rows.

A `Dashboard` is one viewer looking at one unit over one period; its figures
are computed lazily and once (a table export computes only what its table
needs). Each table is a list of columns and rows of plain values; the page
renders the columns, `charts.js` draws the chart from the same rows, the
exports write them, and the statistics API answers `group_by` with the same
rows' API fields (`Table.api`: a row may carry a field the page does not show,
and a page label where the API gives a code). Tables the page does not show
(`section` None) exist for the API's other groupings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.models import Contract, Evaluation
from grids.models import GridUnit
from grids.viewer import Viewer
from service_centers.models import ServicePoint
from volunteers.models import Team

from .numbers import summed
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


# A field of the statistics API's rows: a row key, or (the API's name, the row key) where they differ.
ApiField = str | tuple[str, str]


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    chart: dict[str, Any] | None = None  # {"type": "bar" | "line" | "pie", "x": key, "series": [keys]}
    note: str = ""
    sort: str = ""  # the column it is sorted by ("-key" descending), if any
    api: tuple[ApiField, ...] = ()  # the statistics API's fields of a row, in its order
    # A long list's page shows its first `shown` rows (after sorting) and links to the whole list (`more`:
    # label, address); the exports and the statistics API give every row.
    shown: int | None = None
    more: tuple[str, str] | None = None

    @property
    def rows_shown(self) -> list[dict[str, Any]]:
        return self.rows if self.shown is None else self.rows[: self.shown]

    @property
    def rows_hidden(self) -> int:
        return len(self.rows) - len(self.rows_shown)

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

    def api_rows(self) -> list[dict[str, Any]]:
        """The rows as the statistics API gives them: its fields only, without the page's total row."""
        fields = [(name, name) if isinstance(name, str) else name for name in self.api]
        return [{name: row[key] for name, key in fields} for row in self.rows if not row.get("_total")]


def summed_figures(figures: dict[Any, issue_selectors.IssueFigures]) -> issue_selectors.IssueFigures:
    total = issue_selectors.IssueFigures()
    for found in figures.values():
        total = total + found
    return total


def _number(value: Any) -> float | int | None:
    if isinstance(value, Decimal):
        return float(value)
    return value


def _month(month) -> str:
    return month.strftime("%Y-%m")


@dataclass
class Dashboard:
    viewer: Viewer
    unit: GridUnit  # already scoped to the viewer (`stats_unit()`)
    period: Period
    sort: dict[str, str] = field(default_factory=dict)  # table name -> "-column" or "column"
    link: Callable[[GridUnit], str] | None = None  # where a child unit's name links to
    # The page shows figures per child and a twelve-month trend; an API call asks for what it needs
    # (medians and overdue issues per child only with rows per child, months of the period asked).
    by_child: bool = True
    trend: bool = True

    # -- shared figures, each computed once --------------------------------------------------------
    @cached_property
    def children(self) -> list[GridUnit]:
        return children_of(self.unit)

    @cached_property
    def rollup_states(self):
        """The issue roll-up's state and the other domains' (None where those are counted live): one query."""
        return issue_selectors.rollup_states()

    @cached_property
    def rollup_state(self):
        return self.rollup_states[0]

    @cached_property
    def figures_state(self):
        return self.rollup_states[1]

    @cached_property
    def issue_by_child(self) -> dict[Any, issue_selectors.IssueFigures]:
        """The issue figures per child (OWN for the unit itself): they add up to the unit's."""
        if self.issue_page is not None:
            return self.issue_page["child"]
        return issue_selectors.issue_figures(
            unit=self.unit, period=self.period, group_by="child", state=self.rollup_state
        )

    @cached_property
    def issue_medians(self) -> dict[Any, float | None]:
        """Median hours of the subtree (key None) and, when `by_child`, of each child, together."""
        return issue_selectors.issue_median_hours(
            unit=self.unit,
            period=self.period,
            by_child=self.by_child,
            state=self.rollup_state,
            figures_state=self.figures_state,
        )

    @cached_property
    def issue_page(self) -> dict[str, Any] | None:
        """What the page shows of issues, in one statement: figures per child, per category and per month of
        the trend, and overdue issues now per child. None for an API call (it reads only what it asks)."""
        if not (self.by_child and self.trend):
            return None
        by_child, by_category, by_month, overdue, categories = issue_selectors.issue_figures_many(
            [(self.period, "child"), (self.period, "category"), (self.period.trend_period(), "month")],
            unit=self.unit,
            state=self.rollup_state,
            extra=[issue_selectors.overdue_query(unit=self.unit, by_child=True), issue_selectors.categories_query()],
        )
        return {
            "child": by_child,
            "category": by_category,
            "month": by_month,
            "overdue": issue_selectors.overdue_result(overdue, unit=self.unit, by_child=True),
            "categories": issue_selectors.categories_result(categories),
        }

    @cached_property
    def issue_overdue(self) -> dict[Any, int]:
        """Overdue issues now, of the subtree (key None) and, when `by_child`, of each child, in one query."""
        if self.issue_page is not None:
            return self.issue_page["overdue"]
        return issue_selectors.issue_overdue(unit=self.unit, by_child=self.by_child)

    @cached_property
    def issue_summary(self) -> issue_selectors.IssueSummary:
        return issue_selectors.issue_summary(
            unit=self.unit,
            period=self.period,
            state=self.rollup_state,
            medians=self.issue_medians,
            overdue=self.issue_overdue,
            # The page has the figures per child already: their sum is the whole (no query).
            figures=summed_figures(self.issue_by_child) if self.by_child else None,
        )

    @cached_property
    def volunteers(self) -> volunteer_selectors.VolunteerFigures:
        """Every volunteer figure of the page, and verified service per (category, child), in one statement."""
        return volunteer_selectors.volunteer_figures(
            unit=self.unit,
            period=self.period,
            state=self.figures_state,
            by_child=self.by_child,
            service_by=("category", "child"),
        )

    @cached_property
    def service_cube(self) -> dict[tuple, volunteer_selectors.ServiceFigures]:
        """Verified service per (category, child): one scan serves the totals and both tables."""
        return self.volunteers.service

    @cached_property
    def volunteer_summary(self) -> volunteer_selectors.VolunteerSummary:
        return self.volunteers.summary

    @cached_property
    def network(self) -> point_selectors.NetworkFigures:
        """The service network, its workstations' compliance and the red stations' services in the period
        per menu item: one statement."""
        return point_selectors.network_figures(
            viewer=self.viewer, unit=self.unit, children=self.children, period=self.period, state=self.figures_state
        )

    @cached_property
    def red_station_by_service(self) -> dict[Any, int]:
        return self.network.red_by_service

    @cached_property
    def red_station_services(self) -> int:
        return sum(self.red_station_by_service.values())

    @cached_property
    def contracts(self) -> contract_selectors.ContractFigures | None:
        """Contracts, the evaluation's progress and the latest quarter's completion: one statement."""
        return contract_selectors.contract_figures(
            viewer=self.viewer, unit=self.unit, children=self.children, period=self.period, state=self.figures_state
        )

    @cached_property
    def contract_summary(self) -> contract_selectors.ContractSummary | None:
        return self.contracts.summary if self.contracts is not None else None

    @cached_property
    def contract_completion(self):
        return self.contracts.completion if self.contracts is not None else None

    # -- helpers -----------------------------------------------------------------------------------
    def child_rows(self, keys: set) -> list[tuple[str, int, str, str]]:
        """(key, unit id, name, link) for every child in tree order, then the unit itself if it has rows of its own."""
        rows = [(child.path, child.pk, child.name, self.link(child) if self.link else "") for child in self.children]
        if OWN in keys:
            rows.append((OWN, self.unit.pk, own_label(self.unit), ""))
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
        return self.sorted_rows(TABLES[name].build(self))

    def tables(self, section: str) -> list[Table]:
        return [self.table(name) for name, table in TABLES.items() if table.section == section and self.applies(name)]

    def api_rows(self, endpoint: str, group_by: str) -> list[dict[str, Any]]:
        """The statistics API's rows for `group_by`: the rows of the table that answers it."""
        return self.table(API_TABLES[(endpoint, group_by)]).api_rows()

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
    # Rejected (duplicates, out of scope) in their own column: the resolution rate leaves them out,
    # so the figures read right beside it (issue 12).
    Column("rejected", gettext_lazy("退回")),
    Column("resolution_rate", gettext_lazy("办结率"), "rate"),
    Column("resolved", gettext_lazy("期内办结")),
    Column("feedback", gettext_lazy("已评价")),
    Column("satisfaction_rate", gettext_lazy("满意率"), "rate"),
]
# Every measure of a group, as `IssueFigures.as_dict()` names them.
ISSUE_FIELDS = tuple(issue_selectors.IssueFigures().as_dict())


def issue_children(d: Dashboard) -> Table:
    figures = d.issue_by_child
    medians = {key: value for key, value in d.issue_medians.items() if key is not None}
    overdue = {key: n for key, n in d.issue_overdue.items() if key is not None}
    rows = []
    for key, pk, name, link in d.child_rows(set(figures) | set(medians) | set(overdue)):
        median = medians.get(key)
        rows.append(
            {
                "key": pk,
                "label": name,
                "unit": name,
                "_link": link,
                **figures.get(key, issue_selectors.IssueFigures()).as_dict(),
                "median_hours": None if median is None else round(Decimal(median), 1),
                "median_hours_to_resolve": None if median is None else round(median, 1),
                "overdue_now": overdue.get(key, 0),
            }
        )
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
        api=("key", "label", *ISSUE_FIELDS, "median_hours_to_resolve", "overdue_now"),
    )


def issue_categories(d: Dashboard) -> Table:
    figures = (
        d.issue_page["category"]
        if d.issue_page is not None
        else issue_selectors.issue_figures(unit=d.unit, period=d.period, group_by="category", state=d.rollup_state)
    )
    rows = []
    found_categories = d.issue_page["categories"] if d.issue_page is not None else issue_selectors.categories()
    for category in found_categories.values():
        found = figures.get(category.pk)
        if found is None:
            continue
        rows.append(
            {
                "key": category.code,
                "label": category.name,
                "category": category.display_name,
                "kind": category.get_kind_display(),
                "kind_code": category.kind,
                **found.as_dict(),
            }
        )
    return Table(
        "issue_categories",
        _("按问题类别"),
        [Column("category", _("类别"), "text"), Column("kind", _("类型"), "text"), *ISSUE_COLUMNS],
        rows,
        chart={"type": "bar", "x": "category", "series": ["logged", "settled"]},
        api=("key", "label", ("kind", "kind_code"), *ISSUE_FIELDS),
    )


def issue_statuses(d: Dashboard) -> Table:
    from issues.models import Issue

    figures = issue_selectors.issue_figures(unit=d.unit, period=d.period, group_by="status", state=d.rollup_state)
    rows = [
        {"key": status, "label": str(label), **figures[status].as_dict()}
        for status, label in Issue.Status.choices
        if status in figures
    ]
    return Table(
        "issue_statuses",
        _("当前状态"),
        [Column("label", _("状态"), "text"), *ISSUE_COLUMNS],
        rows,
        api=("key", "label", *ISSUE_FIELDS),
    )


def issue_months(d: Dashboard) -> Table:
    months = d.period.trend_period() if d.trend else d.period
    figures = (
        d.issue_page["month"]
        if d.issue_page is not None
        else issue_selectors.issue_figures(unit=d.unit, period=months, group_by="month", state=d.rollup_state)
    )
    rows = [
        {
            "key": _month(month),
            "label": _month(month),
            "month": _month(month),
            **figures.get(month, issue_selectors.IssueFigures()).as_dict(),
        }
        for month in months.months
    ]
    return Table(
        "issue_months",
        _("月度趋势"),
        [Column("month", _("月份"), "month"), *ISSUE_COLUMNS],
        rows,
        chart={"type": "line", "x": "month", "series": ["logged", "resolved"]},
        note=_("趋势至少显示截至所选周期末的 12 个月；首尾不满整月的按实际天数统计。"),
        api=("key", "label", *ISSUE_FIELDS),
    )


# ---------------------------------------------------------------------------
# Volunteers
# ---------------------------------------------------------------------------
# Verified service of a group, as `ServiceFigures.as_dict()` names it.
SERVICE_FIELDS = tuple(volunteer_selectors.ServiceFigures().as_dict())


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
    figures = summed(d.service_cube, 0)
    rows = []
    for category in d.volunteers.categories.values():
        found = figures.get(category.pk, volunteer_selectors.ServiceFigures())
        rows.append(
            {
                "key": category.code,
                "label": category.name,
                "category": category.label,
                **found.as_dict(),
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
        api=("key", "label", *SERVICE_FIELDS),
    )


def volunteer_children(d: Dashboard) -> Table:
    figures = (
        d.volunteers.children
        if d.by_child
        else volunteer_selectors.volunteer_children(unit=d.unit, period=d.period, state=d.figures_state)
    )
    rows = []
    for key, pk, name, link in d.child_rows(set(figures)):
        found = figures.get(key)
        service = found.service if found else volunteer_selectors.ServiceFigures()
        rows.append(
            {
                "key": pk,
                "label": name,
                "unit": name,
                "_link": link,
                "teams": found.teams if found else 0,
                "members": found.members if found else 0,
                "registered_members": found.registered_members if found else 0,
                **service.as_dict(),
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
        api=("key", "label", "teams", "members", "registered_members", *SERVICE_FIELDS),
    )


def volunteer_months(d: Dashboard) -> Table:
    found = volunteer_selectors.service_figures(unit=d.unit, period=d.period, group_by="month", state=d.figures_state)
    empty = volunteer_selectors.ServiceFigures()
    rows = [
        {"key": _month(month), "label": _month(month), "month": _month(month), **found.get(month, empty).as_dict()}
        for month in d.period.months
    ]
    return Table(
        "volunteer_months",
        _("按月"),
        [
            Column("month", _("月份"), "month"),
            Column("services", _("服务次数")),
            Column("hours", _("服务时长（小时）"), "decimal"),
        ],
        rows,
        api=("key", "label", *SERVICE_FIELDS),
    )


# ---------------------------------------------------------------------------
# Service network
# ---------------------------------------------------------------------------
def service_kinds(d: Dashboard) -> Table:
    rows = [
        {
            "key": f"{row.kind}:{row.level}" if row.level else row.kind,
            "label": str(row.label),
            "kind": row.label,
            "kind_code": row.kind,
            "level": row.level,
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
        api=("key", "label", ("kind", "kind_code"), "level", "points", "total_area", "average_area"),
    )


CHILD_KINDS = [
    ServicePoint.Kind.PARTY_CENTER,
    ServicePoint.Kind.STUDIO,
    ServicePoint.Kind.WORKSTATION,
    ServicePoint.Kind.RED_STATION,
]


def service_children(d: Dashboard) -> Table:
    rows = [
        {
            "key": child.unit.pk,
            "label": child.unit.name,
            "unit": child.unit.name,
            "_link": d.link(child.unit) if d.link else "",
            **{kind: child.counts.get(kind, 0) for kind in ServicePoint.Kind.values},
            "points": child.total,
            "total": child.total,
        }
        for child in d.network.children
    ]
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
        api=("key", "label", *ServicePoint.Kind.values, "points"),
    )


# A city has hundreds of workstations (650 at --scale 10): its dashboard shows the first of them, those
# short of their duties first, and links to the compliance page, which lists every one.
WORKSTATIONS_SHOWN = 30


def workstation_compliance(d: Dashboard) -> Table:
    year = d.network.compliance_year
    short, met = _("未达标"), _("达标")  # once, not per station (650 of them at --scale 10's city)
    rows = []
    for item in sorted(d.network.workstation_rows, key=lambda item: not item.assessment.flagged):
        assessment = item.assessment
        rows.append(
            {
                "point": item.name,
                "unit": item.unit_name,
                "meetings": assessment.meetings,
                "meetings_required": assessment.meetings_required,
                "active_months": assessment.activity_months,
                "months_due": len(assessment.months_due),
                "met": short if assessment.flagged else met,
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
        shown=WORKSTATIONS_SHOWN,
        more=(
            _("全部工作站的考核"),
            f"{reverse('service_centers:compliance', args=[d.unit.pk])}?{urlencode({'year': year})}",
        ),
    )


def red_station_services(d: Dashboard) -> Table:
    counts = d.red_station_by_service
    rows = [
        {"key": kind.code, "label": kind.name, "service": kind.name, "services": counts[kind.pk]}
        for kind in d.network.service_kinds.values()
        if kind.pk in counts
    ]
    return Table(
        "red_station_services",
        _("旅游红色驿站服务（期内，按服务项目）"),
        [Column("service", _("服务项目"), "text"), Column("services", _("服务次数"))],
        rows,
        chart={"type": "pie", "x": "service", "series": ["services"]},
        api=("key", "label", "services"),
    )


def red_station_months(d: Dashboard) -> Table:
    found = point_selectors.red_station_services(unit=d.unit, period=d.period, group_by="month", state=d.figures_state)
    rows = [
        {"key": _month(month), "label": _month(month), "month": _month(month), "services": found.get(month, 0)}
        for month in d.period.months
    ]
    return Table(
        "red_station_months",
        _("红色驿站提供服务（次）"),
        [Column("month", _("月份"), "month"), Column("services", _("服务次数"))],
        rows,
        api=("key", "label", "services"),
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
TALLY_FIELDS = tuple(column.key for column in TALLY_COLUMNS)


def tally_row(tally) -> dict[str, Any]:
    if tally is None:
        return dict.fromkeys(TALLY_FIELDS)
    return {key: getattr(tally, key) for key in TALLY_FIELDS}


def contract_children(d: Dashboard) -> Table:
    """The latest tallied quarter's completion per child unit, or per contract for a community, and the total."""
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
                {
                    "key": row.contract.number,
                    "label": row.contract.unit.name,
                    "unit": f"{row.contract.number} {row.contract.unit.name}",
                    "_link": "",
                    **tally_row(row),
                }
                for row in overview.contracts
            ]
        else:
            rows = [
                {
                    "key": child.pk,
                    "label": child.name,
                    "unit": child.name,
                    "_link": d.link(child) if d.link else "",
                    **tally_row(tally),
                }
                for child, tally in overview.children
            ]
        if overview.own is not None:
            rows.append({"unit": _("合计"), "_link": "", "_total": True, **tally_row(overview.own)})
    return Table(
        "contract_children",
        title,
        columns,
        rows,
        chart={"type": "bar", "x": "unit", "series": ["completion_rate"]},
        note=_("加权完成率＝已完成事项权重＋部分完成事项权重的一半，除以应完成事项权重（契约化共建季度统计）。"),
        api=("key", "label", *TALLY_FIELDS),
    )


def contract_evaluation(d: Dashboard) -> Table:
    progress = d.contracts.progress if d.contracts is not None else {}
    labels = _stage_labels()
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


def _stage_labels() -> dict[str, Any]:
    return {contract_selectors.NOT_STARTED: _("未开始"), **dict(Evaluation.Stage.choices)}


def _contract_counts(name: str, title: str, labels: dict[str, Any], found: dict[str, int]) -> Table:
    rows = [{"key": key, "label": str(label), "contracts": found.get(key, 0)} for key, label in labels.items()]
    return Table(
        name,
        title,
        [Column("label", title, "text"), Column("contracts", _("契约数"))],
        rows,
        api=("key", "label", "contracts"),
    )


def contract_statuses(d: Dashboard) -> Table:
    found = contract_selectors.contracts_by(unit=d.unit, period=d.period, group_by="status")
    return _contract_counts("contract_statuses", _("状态"), dict(Contract.Status.choices), found)


def contract_stages(d: Dashboard) -> Table:
    found = contract_selectors.contracts_by(unit=d.unit, period=d.period, group_by="stage")
    labels = _stage_labels()
    return _contract_counts(
        "contract_stages", _("考评环节"), {stage: labels[stage] for stage in contract_selectors.STAGES}, found
    )


def contract_quarters(d: Dashboard) -> Table:
    found = contract_selectors.completion_by_quarter(unit=d.unit, period=d.period)
    rows = [
        {"key": f"{year}Q{quarter}", "label": f"{year}Q{quarter}", **tally_row(tally)}
        for (year, quarter), tally in found.items()
    ]
    return Table(
        "contract_quarters",
        _("季度"),
        [Column("label", _("季度"), "text"), *TALLY_COLUMNS],
        rows,
        api=("key", "label", *TALLY_FIELDS),
    )


# ---------------------------------------------------------------------------
# Every table: where the page shows it, and which `group_by` of the statistics API it answers
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class TableDefinition:
    section: str | None  # the page's section; None: only the statistics API shows it
    build: Callable[[Dashboard], Table]
    api: tuple[str, str] | None = None  # (statistics endpoint, group_by)


TABLES: dict[str, TableDefinition] = {
    "issue_children": TableDefinition("issues", issue_children, ("issues", "child")),
    "issue_categories": TableDefinition("issues", issue_categories, ("issues", "category")),
    "issue_months": TableDefinition("issues", issue_months, ("issues", "month")),
    "issue_statuses": TableDefinition(None, issue_statuses, ("issues", "status")),
    "volunteer_teams": TableDefinition("volunteers", volunteer_teams),
    "volunteer_categories": TableDefinition("volunteers", volunteer_categories, ("volunteers", "category")),
    "volunteer_children": TableDefinition("volunteers", volunteer_children, ("volunteers", "child")),
    "volunteer_months": TableDefinition(None, volunteer_months, ("volunteers", "month")),
    "service_kinds": TableDefinition("service_points", service_kinds, ("service-points", "kind")),
    "service_children": TableDefinition("service_points", service_children, ("service-points", "child")),
    "workstation_compliance": TableDefinition("service_points", workstation_compliance),
    "red_station_services": TableDefinition("service_points", red_station_services, ("service-points", "service")),
    "red_station_months": TableDefinition(None, red_station_months, ("service-points", "month")),
    "contract_children": TableDefinition("contracts", contract_children, ("contracts", "child")),
    "contract_evaluation": TableDefinition("contracts", contract_evaluation),
    "contract_statuses": TableDefinition(None, contract_statuses, ("contracts", "status")),
    "contract_stages": TableDefinition(None, contract_stages, ("contracts", "stage")),
    "contract_quarters": TableDefinition(None, contract_quarters, ("contracts", "quarter")),
}
# The tables of the dashboard page (and its exports).
PAGE_TABLES = tuple(name for name, table in TABLES.items() if table.section is not None)
# (endpoint, group_by) -> the table whose rows answer it.
API_TABLES = {table.api: name for name, table in TABLES.items() if table.api is not None}
