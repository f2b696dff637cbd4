"""What every import kind has: its columns, a plan (the dry run) and how to apply a plan."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise

from grids.viewer import Viewer

from ..spreadsheets import Column

CREATE = "create"
UPDATE = "update"
UNCHANGED = "unchanged"
REFUSE = "refuse"

BATCH = 2000  # rows per bulk statement

Progress = Callable[[int], None]  # rows handled so far


def no_progress(done: int) -> None:
    return None


@dataclass
class RowResult:
    row: int
    key: str  # the natural key the row names (unit code, mobile...)
    action: str = UNCHANGED
    reason: str = ""  # why refused, or what changes

    def refuse(self, reason: str) -> RowResult:
        self.action = REFUSE
        self.reason = str(reason)
        return self


@dataclass
class Plan:
    """The dry run's answer: one result per row, and what applying it would write (kind-specific)."""

    results: list[RowResult] = field(default_factory=list)
    payload: Any = None

    @property
    def refused(self) -> list[RowResult]:
        return [r for r in self.results if r.action == REFUSE]

    def counts(self) -> dict[str, int]:
        counts = {CREATE: 0, UPDATE: 0, UNCHANGED: 0, REFUSE: 0}
        for result in self.results:
            counts[result.action] += 1
        return counts


@dataclass(frozen=True)
class ImportKind:
    name: str
    label: str | Promise
    columns: Sequence[Column]
    plan: Callable[..., Plan]  # (*, rows, viewer, progress) -> Plan; reads only
    apply: Callable[..., None]  # (*, plan, actor, progress) -> None; inside the caller's transaction
    export: Callable[[Viewer], Iterator[Sequence]]  # rows in column order, inside the viewer's jurisdiction
    example: Sequence[Sequence[str]] = ()


def yes_no(text: str) -> bool | None:
    """是/否, yes/no, 1/0, true/false; None when it is none of them (blank is no)."""
    value = (text or "").strip().lower()
    if value in ("", "否", "no", "n", "0", "false", "f", "非党员"):
        return False
    if value in ("是", "yes", "y", "1", "true", "t", "党员"):
        return True
    return None


def chunks(items: Sequence, size: int = BATCH) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
