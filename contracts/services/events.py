"""The contract timeline: every write that matters leaves one row."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from grids.models import User

from ..models import Contract, ContractEvent


def contract_event(
    *,
    contract: Contract,
    kind: str,
    actor: User | None,
    note: str = "",
    data: dict | None = None,
    at: datetime | None = None,
) -> ContractEvent:
    return ContractEvent.objects.create(
        contract=contract, kind=kind, actor=actor, note=note, data=data or {}, at=at or timezone.now()
    )
