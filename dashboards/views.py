"""Dashboard pages: a unit's dashboard (drill-down, period filter, charts with their tables), the city
overview, the filtered issue list, and their exports.

Views read the query string and call the selectors (through `tables.Dashboard`);
every figure comes from `dashboards.selectors`, the same functions as the
statistics API. A unit outside the viewer's jurisdiction is a 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from grids.models import GridUnit
from guilin_portal.db_router import reading_from_replica
from issues.forms import IssueFilterForm
from issues.pagination import CappedPaginator
from issues.selectors import IssueFilters, issue_list

from . import exports
from .access import can_export_issues
from .forms import PeriodForm
from .periods import Period
from .selectors import breadcrumbs, stats_unit
from .selectors.overview import unit_overview
from .selectors.party import party_timeliness
from .services import refresh_interval_seconds, refreshes_on_read
from .tables import PAGE_TABLES, Dashboard

ISSUE_PAGE_SIZE = 50


def _freshness() -> dict:
    """How the pages say how fresh the issue figures are: live (refreshed on read) or every n minutes."""
    seconds = refresh_interval_seconds()
    return {"live": refreshes_on_read(), "minutes": seconds // 60 if seconds else None}


def _unit(request: HttpRequest, pk: int | None) -> GridUnit:
    try:
        return stats_unit(viewer=request.viewer, unit_id=pk)
    except GridUnit.DoesNotExist as error:
        raise Http404 from error


def _query(period: Period | None, **extra: str) -> str:
    params = QueryDict(mutable=True)
    if period is not None:
        params.update(period.query())
    for key, value in extra.items():
        if value:
            params[key] = value
    return params.urlencode()


def _dashboard(request: HttpRequest, unit: GridUnit, period: Period) -> Dashboard:
    query = _query(period)

    def link(child: GridUnit) -> str:
        return f"{reverse('dashboards:unit', args=[child.pk])}?{query}"

    sort = {name: request.GET[f"{name}_sort"] for name in PAGE_TABLES if request.GET.get(f"{name}_sort")}
    return Dashboard(viewer=request.viewer, unit=unit, period=period, sort=sort, link=link)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The viewer's own top unit (the city for city staff and superusers)."""
    unit = _unit(request, None)
    url = reverse("dashboards:unit", args=[unit.pk])
    return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)


SECTIONS = [
    ("issues", "群众身边问题"),
    ("volunteers", "党员志愿服务"),
    ("service_points", "服务阵地"),
    ("contracts", "契约化共建"),
]


@login_required
@require_GET
def unit_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's dashboard over a period: figures, charts and tables of the four domains, and its children."""
    unit = _unit(request, pk)
    form = PeriodForm(request.GET)
    context = {"unit": unit, "form": form, "crumbs": breadcrumbs(viewer=request.viewer, unit=unit)}
    if not form.is_valid():
        return render(request, "dashboards/unit_dashboard.html", context, status=400)
    period = form.chosen
    with reading_from_replica():
        dashboard = _dashboard(request, unit, period)
        sections = [(key, _(label), dashboard.tables(key)) for key, label in SECTIONS]
        context |= {
            "period": period,
            "query": _query(period),
            "dashboard": dashboard,
            "sections": sections,
            "issues": dashboard.issue_summary,
            "volunteers": dashboard.volunteer_summary,
            "network": dashboard.network,
            "red_station_services": dashboard.red_station_services,
            "contracts": dashboard.contract_summary,
            "completion": dashboard.contract_completion,
            "as_of": dashboard.issue_summary.as_of,
            "freshness": _freshness(),
            "party": party_timeliness(unit=unit, period=period, state=dashboard.figures_state),
        }
    return render(request, "dashboards/unit_dashboard.html", context)


@login_required
@require_GET
def table_export(request: HttpRequest, pk: int, name: str, fmt: str) -> HttpResponse:
    """One dashboard table as CSV or XLSX, for the same unit, period and sort as the page."""
    if name not in PAGE_TABLES or fmt not in ("csv", "xlsx"):
        raise Http404
    unit = _unit(request, pk)
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
    with reading_from_replica():
        dashboard = _dashboard(request, unit, form.chosen)
        if not dashboard.applies(name):
            raise Http404
        table = dashboard.table(name)
    filename = f"{name}-{unit.code}-{form.chosen.start:%Y%m%d}-{form.chosen.last:%Y%m%d}.{fmt}"
    return exports.table_csv(table, filename) if fmt == "csv" else exports.table_xlsx(table, filename)


@login_required
@require_GET
def city_overview(request: HttpRequest) -> HttpResponse:
    """The report's headline figures for the city: city-level staff and superusers see the city, everyone
    else the overview of their own top unit (the same page, their subtree's figures)."""
    return _overview(request, _unit(request, None))


@login_required
@require_GET
def unit_overview_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _overview(request, _unit(request, pk))


def _overview(request: HttpRequest, unit: GridUnit) -> HttpResponse:
    with reading_from_replica():
        overview = unit_overview(unit=unit)
    return render(
        request,
        "dashboards/city_overview.html",
        {
            "unit": unit,
            "overview": overview,
            "crumbs": breadcrumbs(viewer=request.viewer, unit=unit),
            "freshness": _freshness(),
        },
    )


# ---------------------------------------------------------------------------
# The filtered issue list, and its streamed export
# ---------------------------------------------------------------------------
def _issue_filters(request: HttpRequest, unit: GridUnit):
    period_form = PeriodForm(request.GET)
    filter_form = IssueFilterForm(request.GET)
    if not (period_form.is_valid() and filter_form.is_valid()):
        return period_form, filter_form, None
    data = filter_form.cleaned_data
    period = period_form.chosen
    filters = IssueFilters(
        unit=unit,
        created_from=period.start_at,
        created_to=period.end_at,
        statuses=(data["status"],) if data.get("status") else (),
        category_id=data["category"].pk if data.get("category") else None,
        overdue=True if data.get("overdue") else None,
    )
    return period_form, filter_form, filters


@login_required
@require_GET
def unit_issues(request: HttpRequest, pk: int) -> HttpResponse:
    """The issues logged in the unit's subtree in the period, filtered like the grids lists; exportable."""
    unit = _unit(request, pk)
    period_form, filter_form, filters = _issue_filters(request, unit)
    context = {
        "unit": unit,
        "form": period_form,
        "filter_form": filter_form,
        "crumbs": breadcrumbs(viewer=request.viewer, unit=unit),
        "can_export": can_export_issues(request.viewer),
    }
    if filters is None:
        return render(request, "dashboards/issue_list.html", context, status=400)
    page = CappedPaginator(issue_list(viewer=request.viewer, filters=filters), ISSUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context |= {
        "page": page,
        "period": period_form.chosen,
        "period_query": _query(period_form.chosen),
        "query": request.GET.urlencode(),
    }
    return render(request, "dashboards/issue_list.html", context)


@login_required
@require_GET
def unit_issues_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The same filtered list as an XLSX, streamed (staff only)."""
    unit = _unit(request, pk)
    if not can_export_issues(request.viewer):
        raise PermissionDenied(_("只有社区、街道、城区工作人员可以导出问题清单。"))
    period_form, filter_form, filters = _issue_filters(request, unit)
    if filters is None:
        errors = {**period_form.errors, **filter_form.errors}
        text = "\n".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return exports.issue_xlsx(
        request.viewer, issue_list(viewer=request.viewer, filters=filters), f"issues-{unit.code}-{stamp}.xlsx"
    )
