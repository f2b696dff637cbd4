"""The other domains' roll-up (volunteer service, red-station services, activities): the same figures as
counting their tables live, recounted with the issue roll-up under one "as of", read where beat keeps it
and counted live on the embedded default (where a write shows at once)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contracts.models import Contract
from dashboards.models import FigureMonthlyRollup, RollupState
from dashboards.periods import Period, all_time
from dashboards.selectors import children_of
from dashboards.selectors.common import from_rollup
from dashboards.selectors.contracts import contract_figures, contract_summary
from dashboards.selectors.service_points import red_station_services
from dashboards.selectors.volunteers import service_figures, volunteer_summary
from dashboards.services import figures_current, issue_rollup_rebuild, issue_rollup_refresh, rollup_states
from service_centers.models import RedStationService, ServiceKind, ServicePoint

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
WHOLE = [Period.for_year(TODAY.year), Period.for_year(TODAY.year - 1), Period.for_month(TODAY.year, TODAY.month)]


@pytest.fixture
def scheduled(settings):
    settings.DASHBOARDS_REFRESH_ON_READ = False
    issue_rollup_rebuild()
    state = figures_current()
    assert state is not None
    return state


@pytest.mark.parametrize("name", ["桂林市", "秀峰区", "秀峰街道"])
def test_rolled_up_service_and_red_station_figures_equal_live_counts(name, unit_named, scheduled):
    unit = unit_named(name)
    assert FigureMonthlyRollup.objects.filter(figure="service").exists()
    assert FigureMonthlyRollup.objects.filter(figure="red_station").exists()
    for period in [*WHOLE, all_time()]:
        for group_by in (None, "category", "month", ("category", "child"), "child"):
            if group_by is not None and "child" in group_by and unit.level >= unit.Level.STREET:
                continue
            found = service_figures(unit=unit, period=period, group_by=group_by, state=scheduled)
            live = service_figures(unit=unit, period=period, group_by=group_by)
            assert {k: v for k, v in found.items() if v.services} == {k: v for k, v in live.items() if v.services}
        for group_by in (None, "service", "month", "child"):
            if group_by == "child" and unit.level >= unit.Level.STREET:
                continue
            found = red_station_services(unit=unit, period=period, group_by=group_by, state=scheduled)
            assert found == red_station_services(unit=unit, period=period, group_by=group_by)
        assert volunteer_summary(unit=unit, period=period, state=scheduled) == volunteer_summary(
            unit=unit, period=period
        )


def test_the_roll_up_answers_only_whole_months_from_a_street_up(unit_named, scheduled):
    street, district = unit_named("秀峰街道"), unit_named("秀峰区")
    ragged = Period.custom(TODAY.replace(day=1) - dt.timedelta(days=40), TODAY - dt.timedelta(days=3))
    assert from_rollup(scheduled, unit=district, period=Period.for_year(TODAY.year))
    assert from_rollup(scheduled, unit=district, period=None)
    assert not from_rollup(scheduled, unit=district, period=ragged)
    assert from_rollup(scheduled, unit=street, period=Period.for_year(TODAY.year))
    assert not from_rollup(scheduled, unit=street, period=Period.for_year(TODAY.year), by_child=True)
    community = street.children.order_by("path").first()
    assert not from_rollup(scheduled, unit=community, period=Period.for_year(TODAY.year))
    assert not from_rollup(None, unit=district, period=Period.for_year(TODAY.year))


def _serve() -> ServicePoint:
    station = ServicePoint.objects.filter(kind=ServicePoint.Kind.RED_STATION).order_by("pk").first()
    RedStationService.objects.create(
        point=station,
        service_kind=ServiceKind.objects.order_by("pk").first(),
        served_at=timezone.now(),
        logged_at=timezone.now(),
    )
    return station


def test_with_a_scheduler_a_new_service_counts_from_the_next_refresh(unit_named, scheduled):
    district = unit_named("桂林市")
    period = Period.for_year(TODAY.year)
    before = red_station_services(unit=district, period=period, state=scheduled)[None]
    _serve()
    assert red_station_services(unit=district, period=period, state=figures_current())[None] == before
    issue_rollup_refresh()
    state = figures_current()
    assert state.as_of >= scheduled.as_of
    assert red_station_services(unit=district, period=period, state=state)[None] == before + 1
    # Idempotent: a second refresh writes the same rows.
    rows = sorted(FigureMonthlyRollup.objects.values_list("figure", "street_path", "month", "key", "n", "hours"))
    issue_rollup_refresh()
    assert (
        sorted(FigureMonthlyRollup.objects.values_list("figure", "street_path", "month", "key", "n", "hours")) == rows
    )


def test_on_the_embedded_default_the_other_figures_are_live(unit_named, settings, client_as):
    settings.DASHBOARDS_REFRESH_ON_READ = True
    issue_rollup_rebuild()
    assert RollupState.objects.filter(name="figures").exists()
    assert figures_current() is None  # counted live: a write shows at once
    assert rollup_states()[1] is None
    city = unit_named("桂林市")
    page = client_as("admin")
    before = page.get(f"/dashboards/units/{city.pk}/").context["red_station_services"]
    _serve()
    assert page.get(f"/dashboards/units/{city.pk}/").context["red_station_services"] == before + 1


@pytest.mark.parametrize("name", ["桂林市", "秀峰区"])
def test_todays_rosters_balances_and_points_from_the_roll_up_equal_live_counts(name, unit_named, demo_user, scheduled):
    from dashboards.selectors import children_of
    from dashboards.selectors.service_points import network_figures
    from dashboards.selectors.volunteers import volunteer_figures

    unit = unit_named(name)
    assert FigureMonthlyRollup.objects.filter(month__isnull=True, figure="members", street_path=unit.path).exists()
    period = Period.for_year(TODAY.year)
    found = volunteer_figures(unit=unit, period=period, state=scheduled, by_child=True, service_by="child")
    live = volunteer_figures(unit=unit, period=period, by_child=True, service_by="child")
    assert found.summary == live.summary
    assert found.summary.members > 0
    assert {k: v for k, v in found.children.items() if v.teams or v.members or v.registered_members} == {
        k: v for k, v in live.children.items() if v.teams or v.members or v.registered_members
    }
    admin, children = demo_user("admin"), children_of(unit)
    network = network_figures(viewer=admin, unit=unit, children=children, period=period, state=scheduled)
    network_live = network_figures(viewer=admin, unit=unit, children=children, period=period)
    assert network.rows == network_live.rows
    assert network.kind_totals == network_live.kind_totals
    assert network.total_points > 0
    assert network.children == network_live.children
    assert network.red_by_service == network_live.red_by_service


@pytest.mark.parametrize("name", ["桂林市", "秀峰区", "秀峰街道"])
def test_medians_of_calendar_periods_are_kept_by_the_refresh_and_equal_the_facts(name, unit_named, scheduled):
    from dashboards.selectors.issues import issue_median_hours

    unit = unit_named(name)
    by_child = unit.level < unit.Level.STREET
    checked = 0
    for period in [
        *WHOLE,
        Period.for_quarter(TODAY.year - 1, 4),
        Period.for_month(TODAY.year - 1, 6),
    ]:
        kept = issue_median_hours(unit=unit, period=period, by_child=by_child, figures_state=scheduled)
        facts = issue_median_hours(unit=unit, period=period, by_child=by_child)
        assert set(kept) == {key for key, value in facts.items() if value is not None} | {None}
        for key, value in facts.items():
            assert kept.get(key) == (None if value is None else pytest.approx(value, abs=0.006))
        checked += sum(1 for value in facts.values() if value is not None)
    assert checked
    # A custom range is not kept: it is read from the facts.
    ragged = Period.custom(TODAY.replace(day=1) - dt.timedelta(days=40), TODAY - dt.timedelta(days=3))
    assert issue_median_hours(unit=unit, period=ragged, figures_state=scheduled) == issue_median_hours(
        unit=unit, period=ragged
    )


@pytest.mark.parametrize("name", ["桂林市", "秀峰区", "秀峰街道"])
def test_the_overview_from_the_roll_up_equals_counting_the_tree_and_the_meetings(name, unit_named, settings, scheduled):
    """Units, grid people, red-property activities and the organ organisations' 三会一课 are snapshot rows
    of the roll-up: the same figures as counting the tree, the posts, the activities and the meetings."""
    from dashboards.selectors.overview import unit_overview

    unit = unit_named(name)
    Figure = FigureMonthlyRollup.Figure
    snapshot = FigureMonthlyRollup.objects.filter(month__isnull=True)
    assert snapshot.filter(figure=Figure.UNITS).exists()
    assert snapshot.filter(figure=Figure.JOBS).exists()
    assert snapshot.filter(figure=Figure.GRID_PEOPLE, street_path=unit.path).exists()
    assert FigureMonthlyRollup.objects.filter(figure=Figure.TIMELINESS).exists()
    assert FigureMonthlyRollup.objects.filter(figure=Figure.ACTIVITY, code="red_property").exists()
    assert snapshot.filter(figure=Figure.RENOVATION, code="urban_village:finished").exists()
    rolled_up = unit_overview(unit=unit).sections
    settings.DASHBOARDS_REFRESH_ON_READ = True  # counted live
    live = unit_overview(unit=unit).sections
    assert rolled_up == live
    assert live["grids"]["micro_grids"] > 0
    assert live["grids"]["grid_leaders_and_workers"] > 0
    if unit.level == unit.Level.CITY:
        assert live["party"]["meeting_timeliness_organ"] is not None
        assert live["volunteers"]["red_property_activities"] > 0
        assert live["service_points"]["jobs_offered"] > 0
        assert live["renovation"]["urban_villages"] > 0
        assert live["renovation"]["micro_parks"] > 0
        assert snapshot.filter(figure=Figure.MICRO_PARKS, street_path=unit.path).exists()


def test_a_unit_added_to_the_tree_counts_in_the_overview_from_the_next_refresh(unit_named, scheduled):
    from dashboards.selectors.overview import unit_overview
    from grids.models import GridUnit
    from grids.services import unit_create

    street = unit_named("秀峰街道")
    before = unit_overview(unit=street).sections["grids"]["communities"]
    unit_create(code="T-ROLLUP-1", name="测试社区", level=GridUnit.Level.COMMUNITY, parent=street)
    assert unit_overview(unit=street).sections["grids"]["communities"] == before  # as of the last refresh
    issue_rollup_refresh()
    assert unit_overview(unit=street).sections["grids"]["communities"] == before + 1


@pytest.mark.parametrize("name", ["桂林市", "秀峰区", "秀峰街道"])
def test_party_timeliness_over_whole_months_from_the_roll_up_equals_counting_the_meetings(name, unit_named, scheduled):
    from dashboards.selectors.party import party_timeliness

    unit = unit_named(name)
    assert FigureMonthlyRollup.objects.filter(figure="timeliness", month__isnull=False).exists()
    for period in [*WHOLE, Period.for_year(TODAY.year - 2), all_time()]:
        found = party_timeliness(unit=unit, period=period, state=scheduled)
        live = party_timeliness(unit=unit, period=period)
        assert [r.as_dict() for r in found.rows] == [r.as_dict() for r in live.rows]
        assert found.totals.as_dict() == live.totals.as_dict()
    assert party_timeliness(unit=unit, period=all_time(), state=scheduled).totals.due > 0


@pytest.mark.parametrize("name", ["桂林市", "秀峰区", "秀峰街道"])
def test_rolled_up_contract_figures_equal_live_counts(name, unit_named, demo_user, scheduled):
    unit, admin = unit_named(name), demo_user("admin")
    assert FigureMonthlyRollup.objects.filter(figure="contracts").exists()
    assert FigureMonthlyRollup.objects.filter(figure="contract_units", code="").exists()
    years = sorted(set(Contract.objects.values_list("year", flat=True)))
    assert years, "the demo city has contracts"
    periods = [Period.for_year(year) for year in years]
    periods += [Period.custom(dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31))]  # across years: counted
    for period in [*periods, None]:
        found = contract_summary(unit=unit, period=period, state=scheduled)
        live = contract_summary(unit=unit, period=period)
        assert found == live, period
        rolled = contract_figures(viewer=admin, unit=unit, children=children_of(unit), period=period, state=scheduled)
        counted = contract_figures(viewer=admin, unit=unit, children=children_of(unit), period=period)
        assert (rolled.summary, rolled.progress) == (counted.summary, counted.progress), period
    everything = contract_summary(unit=unit, period=None, state=scheduled)
    # Not a comparison of zeros.
    assert everything.contracts > 0
    assert everything.units > 0
    assert everything.commitments > 0
    # Read from the roll-up indeed: the one-year summary does not touch the contracts table.
    with CaptureQueriesContext(connection) as queries:
        contract_summary(unit=unit, period=periods[-2], state=scheduled)
    assert '"contracts_contract"' not in queries[0]["sql"]
    assert "dashboards_figuremonthlyrollup" in queries[0]["sql"]
