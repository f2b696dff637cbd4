"""The dashboard's contract figures of a unit are its subtree's contracts: read through the subtree's
communities (dashboards.selectors.contracts, a set looked up by index on PostgreSQL), they are the same
as counted the naive way, through each contract's community path, for the city, a district, a street and
a community."""

from __future__ import annotations

from collections import Counter

import pytest

from contracts.models import Commitment, Contract
from dashboards.selectors.contracts import contract_summary, contracts_by
from grids.models import GridUnit

pytestmark = pytest.mark.django_db


def _units() -> list[GridUnit]:
    with_contracts = Contract.objects.order_by("community__path").values_list("community__path", flat=True).first()
    assert with_contracts, "the demo city has contracts"
    return [
        GridUnit.objects.get(level=GridUnit.Level.CITY),
        *(GridUnit.objects.get(path=with_contracts[:length]) for length in (8, 12, 16)),
    ]


def test_contract_figures_are_the_subtrees_contracts():
    checked = 0
    for unit in _units():
        mine = Contract.objects.filter(community__path__startswith=unit.path)
        counted = mine.exclude(status=Contract.Status.DRAFT)
        summary = contract_summary(unit=unit, period=None)
        assert summary.by_status == dict(Counter(mine.values_list("status", flat=True))), unit
        assert summary.units == counted.values("unit").distinct().count(), unit
        assert summary.commitments == Commitment.objects.filter(contract__in=counted).count(), unit
        assert contracts_by(unit=unit, period=None, group_by="status") == summary.by_status
        checked += sum(summary.by_status.values())
    assert checked > 0
