"""Plumbing for `manage.py seed_demo`: the context each app's demo step writes through.

Each app that has demo data keeps it in `<app>/demo.py` with:

    DEMO_ORDER = 20                      # grids is 10; later steps may use earlier rows
    def plan(scale: float) -> dict[str, int]: ...   # the counts the step promises
    def seed(ctx: DemoContext) -> None: ...         # builds exactly those counts
    def resolved_issues(scale: float) -> int: ...   # optional: resident issues this step resolves

`plan()` is the promise the tests hold the step to. Steps write with
`ctx.bulk_create` (batched, with a progress bar), never a loop of single-row saves.
"""

from __future__ import annotations

import importlib
import importlib.util
import random
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType
from typing import Any, TextIO

from django.apps import apps
from django.db import models
from tqdm import tqdm

DEMO_PASSWORD = "Guilin-demo-2026"  # noqa: S105 - printed to the operator in demo mode only
BATCH_SIZE = 2000


@dataclass(frozen=True)
class DemoAccount:
    username: str
    description: str
    secret: str = ""  # shown instead of the shared password (an API key, say)


@dataclass
class DemoContext:
    scale: float
    seed: int
    now: datetime
    stderr: TextIO = sys.stderr
    show_progress: bool = True
    accounts: list[DemoAccount] = field(default_factory=list)
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def scaled(self, full_scale: int, minimum: int = 1) -> int:
        """The report's figure at this run's scale, never below `minimum`."""
        return max(minimum, round(full_scale * self.scale))

    def progress(self, description: str, total: int) -> tqdm:
        return tqdm(
            total=total,
            desc=description,
            unit=" rows",
            file=self.stderr,
            disable=not self.show_progress,
            dynamic_ncols=True,
            leave=True,
        )

    def bulk_create(
        self,
        model: type[models.Model],
        rows: Iterable[models.Model],
        *,
        total: int,
        label: str | None = None,
        keep: Callable[[models.Model], Any] | bool = True,
    ) -> list[Any]:
        """Insert rows in batches as the generator yields them, advancing a progress bar.

        Returns the rows with their keys (`keep=True`), what `keep(row)` makes of each (a small tuple
        where a later step needs only a few fields: memory stays flat as the scale grows), or nothing
        (`keep=False`: a table nobody reads back, such as the 560,000 zones of `--scale 10`).
        """
        created: list[Any] = []
        batch: list[models.Model] = []

        def flush() -> None:
            saved = model.objects.bulk_create(batch)
            if keep is True:
                created.extend(saved)
            elif keep:
                created.extend(map(keep, saved))
            bar.update(len(batch))
            batch.clear()

        with self.progress(label or str(model._meta.verbose_name_plural), total) as bar:
            for row in rows:
                batch.append(row)
                if len(batch) >= BATCH_SIZE:
                    flush()
            if batch:
                flush()
        return created

    def add_account(self, username: str, description: str, secret: str = "") -> None:
        self.accounts.append(DemoAccount(username=username, description=description, secret=secret))


def distribute(total: int, weights: Sequence[float], minimum: int = 1) -> list[int]:
    """Split `total` over buckets in proportion to `weights`, each at least `minimum`.

    Largest-remainder rounding, so the parts always add up to `total` exactly.
    """
    n = len(weights)
    if n == 0:
        return []
    if total < minimum * n:
        raise ValueError(f"cannot give {n} buckets at least {minimum} each out of {total}")
    spare = total - minimum * n
    weight_sum = float(sum(weights)) or 1.0
    raw = [spare * w / weight_sum for w in weights]
    parts = [int(r) for r in raw]
    leftover = spare - sum(parts)
    for index in sorted(range(n), key=lambda i: (raw[i] - parts[i], -i), reverse=True)[:leftover]:
        parts[index] += 1
    return [p + minimum for p in parts]


def demo_steps() -> list[ModuleType]:
    """Every installed app's `demo` module, in DEMO_ORDER."""
    steps = []
    for config in apps.get_app_configs():
        name = f"{config.name}.demo"
        if importlib.util.find_spec(name) is not None:
            module = importlib.import_module(name)
            if hasattr(module, "seed") and hasattr(module, "plan"):
                steps.append(module)
    return sorted(steps, key=lambda module: getattr(module, "DEMO_ORDER", 100))


def issues_resolved_by_other_steps(scale: float) -> int:
    """Resident issues the other steps resolve (each step's optional `resolved_issues(scale)`).

    The report's 6,828 problems solved are every resolved issue, whoever handled it: the issues
    step makes up the rest, so the city's figure is exact however the steps share the work.
    """
    return sum(step.resolved_issues(scale) for step in demo_steps() if hasattr(step, "resolved_issues"))


def demo_plan(scale: float) -> dict[str, int]:
    """What a full seed at this scale promises, every app's counts together."""
    promised: dict[str, int] = {}
    for step in demo_steps():
        promised.update(step.plan(scale))
    return promised
