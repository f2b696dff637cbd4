"""The quarterly tally: hand-computed rates, idempotence, roll-up up the tree, drafts left out."""

from decimal import Decimal

import pytest
from django.forms.models import model_to_dict

from contracts.models import Progress, QuarterlyTally, TallyRun
from contracts.services import tally_quarter

from . import factories as f

pytestmark = pytest.mark.django_db

MET, PARTLY, NOT_MET = Progress.Status.MET, Progress.Status.PARTIALLY_MET, Progress.Status.NOT_MET


@pytest.fixture
def small_case():
    """Two contracts in a fresh community, last year's Q4.

    Contract A: weight 3 met, weight 2 partially met (milestone), weight 1 not met, weight 4 unreported
      → due 4, credit 3 + 1 + 0 + 0 = 4 of 10 → 40.00 %.
    Contract B: weight 5 met → 5 of 5 → 100.00 %.
    Community: 9 of 15 → 60.00 %.
    """
    community, staff = f.community()
    unit_a, contact_a = f.cobuilding_unit()
    unit_b, contact_b = f.cobuilding_unit()
    a = f.contract(
        community=community,
        staff=staff,
        unit=unit_a,
        commitments=[
            {"kind": "count", "weight": 3, "targets": {4: 2}},
            {"kind": "milestone", "weight": 2, "targets": {4: "完成验收"}},
            {"kind": "count", "weight": 1, "targets": {3: 1, 4: 1}},
            {"kind": "count", "weight": 4, "targets": {4: 3}},
        ],
    )
    b = f.contract(
        community=community, staff=staff, unit=unit_b, commitments=[{"kind": "count", "weight": 5, "targets": {4: 1}}]
    )
    f.report(a, contact_a, 0, 4, MET, achieved=2)
    f.report(a, contact_a, 1, 4, PARTLY)
    f.report(a, contact_a, 2, 4, NOT_MET, achieved=0)
    f.report(b, contact_b, 0, 4, MET, achieved=1)
    return community, a, b


def tally_rows(year, quarter):
    return sorted(
        (
            model_to_dict(row) | {"id": row.pk, "updated_at": row.updated_at}
            for row in QuarterlyTally.objects.filter(year=year, quarter=quarter)
        ),
        key=lambda row: row["id"],
    )


def test_rates_match_the_hand_computed_case(small_case):
    community, a, b = small_case
    tally_quarter(year=a.year, quarter=4, trigger=TallyRun.Trigger.COMMAND)

    row_a = QuarterlyTally.objects.get(contract=a, year=a.year, quarter=4)
    assert (row_a.due, row_a.met, row_a.partially_met, row_a.not_met, row_a.pending) == (4, 1, 1, 1, 1)
    assert (row_a.weight_due, row_a.weight_credit, row_a.completion_rate) == (10, Decimal("4.0"), Decimal("40.00"))
    assert row_a.scope == QuarterlyTally.Scope.CONTRACT
    assert row_a.unit == community

    row_b = QuarterlyTally.objects.get(contract=b, year=b.year, quarter=4)
    assert (row_b.due, row_b.met, row_b.completion_rate) == (1, 1, Decimal("100.00"))

    total = QuarterlyTally.objects.get(unit=community, contract__isnull=True, year=a.year, quarter=4)
    assert total.scope == QuarterlyTally.Scope.COMMUNITY
    assert (total.contracts, total.due, total.met, total.partially_met, total.not_met, total.pending) == (
        2,
        5,
        2,
        1,
        1,
        1,
    )
    assert (total.weight_due, total.weight_credit, total.completion_rate) == (15, Decimal("9.0"), Decimal("60.00"))

    # Q3 of the same contracts: only A's weight-1 commitment is due, unreported.
    tally_quarter(year=a.year, quarter=3, trigger=TallyRun.Trigger.COMMAND)
    q3 = QuarterlyTally.objects.get(contract=a, year=a.year, quarter=3)
    assert (q3.due, q3.pending, q3.weight_due, q3.completion_rate) == (1, 1, 1, Decimal("0.00"))
    no_due = QuarterlyTally.objects.get(contract=b, year=b.year, quarter=3)
    assert (no_due.due, no_due.completion_rate) == (0, None)  # counted contract, nothing due: no rate


def test_higher_scopes_are_the_sums_of_their_children(small_case):
    community, a, _b = small_case
    tally_quarter(year=a.year, quarter=4, trigger=TallyRun.Trigger.COMMAND)
    street = community.parent
    street_row = QuarterlyTally.objects.get(unit=street, contract__isnull=True, year=a.year, quarter=4)
    children = QuarterlyTally.objects.filter(unit__parent=street, contract__isnull=True, year=a.year, quarter=4)
    assert street_row.scope == QuarterlyTally.Scope.STREET
    assert street_row.due == sum(row.due for row in children)
    assert street_row.weight_credit == sum(row.weight_credit for row in children)
    expected = (street_row.weight_credit * 100 / street_row.weight_due).quantize(Decimal("0.01"))
    assert street_row.completion_rate == expected
    city = QuarterlyTally.objects.get(scope=QuarterlyTally.Scope.CITY, year=a.year, quarter=4)
    contracts = QuarterlyTally.objects.filter(scope=QuarterlyTally.Scope.CONTRACT, year=a.year, quarter=4)
    assert city.contracts == contracts.count()
    assert city.due == sum(row.due for row in contracts)


def test_running_twice_gives_identical_rows(small_case):
    _community, a, _b = small_case
    first = tally_quarter(year=a.year, quarter=4, trigger=TallyRun.Trigger.COMMAND)
    before = tally_rows(a.year, 4)
    second = tally_quarter(year=a.year, quarter=4, trigger=TallyRun.Trigger.SCHEDULE)
    assert tally_rows(a.year, 4) == before  # same ids, same figures, same updated_at
    assert first.rows > 0
    assert second.rows == 0


def test_a_change_of_progress_updates_only_the_rows_it_touches(small_case):
    community, a, b = small_case
    tally_quarter(year=a.year, quarter=4, trigger=TallyRun.Trigger.COMMAND)
    untouched = QuarterlyTally.objects.get(contract=b, year=b.year, quarter=4)
    f.report(a, a.unit.contacts.get().user, 3, 4, MET, achieved=3)  # the weight-4 item, reported late
    run = tally_quarter(year=a.year, quarter=4, trigger=TallyRun.Trigger.COMMAND)
    row_a = QuarterlyTally.objects.get(contract=a, year=a.year, quarter=4)
    assert (row_a.pending, row_a.weight_credit, row_a.completion_rate) == (0, Decimal("8.0"), Decimal("80.00"))
    assert QuarterlyTally.objects.get(pk=untouched.pk).updated_at == untouched.updated_at
    assert run.rows == 5  # contract A, its community, street, district and the city


def test_drafts_are_not_counted_and_two_thirds_round_to_two_places():
    community, staff = f.community()
    unit, contact = f.cobuilding_unit()
    draft_unit, _ = f.cobuilding_unit()
    counted = f.contract(
        community=community,
        staff=staff,
        unit=unit,
        commitments=[
            {"weight": 1, "targets": {4: 1}},
            {"weight": 1, "targets": {4: 1}},
            {"weight": 1, "targets": {4: 1}},
        ],
    )
    f.contract(community=community, staff=staff, unit=draft_unit, status="draft")
    f.report(counted, contact, 0, 4, MET, achieved=1)
    f.report(counted, contact, 1, 4, MET, achieved=1)
    tally_quarter(year=counted.year, quarter=4, trigger=TallyRun.Trigger.COMMAND)
    total = QuarterlyTally.objects.get(unit=community, contract__isnull=True, year=counted.year, quarter=4)
    assert total.contracts == 1
    assert total.completion_rate == Decimal("66.67")


def test_a_subtree_run_refreshes_only_that_community(small_case):
    community, a, _b = small_case
    street_before = tally_rows_of(community.parent, a.year)  # the demo's last full run
    run = tally_quarter(year=a.year, quarter=4, trigger=TallyRun.Trigger.PUBLISH, within=community)
    scopes = set(QuarterlyTally.objects.filter(year=a.year, quarter=4, unit=community).values_list("scope", flat=True))
    assert scopes == {"contract", "community"}
    assert tally_rows_of(community.parent, a.year) == street_before  # ancestors wait for the next full run
    assert run.within == community


def tally_rows_of(unit, year):
    return list(QuarterlyTally.objects.filter(year=year, quarter=4, unit=unit).values())


def test_bad_quarter_is_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="季度"):
        tally_quarter(year=2025, quarter=5, trigger=TallyRun.Trigger.COMMAND)
