"""What a person holds that must not stay with them when their account closes: the hand-over registry.

grids imports no other app, so each app that assigns work to people registers a
`HandoverKind` in its AppConfig.ready() (as it registers Viewer facets): how many
open items each person holds (`held_by`) and how to hand them to someone else
(`hand_over`). Offboarding (people.services.post_retire) calls every kind; the
nightly check (people.tasks) asks every kind what inactive accounts still hold.

The kinds: open issues and sub-tasks (issues), team leadership with the service records waiting for
its verification (volunteers), standing at service points (service_centers), a co-building unit's
contact with its progress reports and self-evaluation (contracts), a party organisation's secretary
(party). Deadline-extension requests wait on
the approving unit (`approver_unit`), and the community, street and district evaluation stages on
whoever holds that post at the contract's unit: neither waits on a person, so neither is a kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils.functional import Promise

from guilin_portal.registry import Registry

if TYPE_CHECKING:
    from .models import GridUnit, User


@dataclass(frozen=True)
class HandoverKind:
    name: str
    label: str | Promise
    # users (a User queryset) -> {user id: number of open items}; one query, users without items left out.
    held_by: Callable[[QuerySet], dict[int, int]]
    # Hands every open item of `from_user` to `to_user`, or (None) to the office of `office`; each item gets
    # a record of the hand-over (a timeline event, a history version). Returns how many items moved.
    hand_over: Callable[..., int]


HANDOVER_KINDS: Registry[HandoverKind] = Registry("hand-over kind")


def register_handover(kind: HandoverKind) -> HandoverKind:
    return HANDOVER_KINDS.register(kind)


def handover_kinds() -> tuple[HandoverKind, ...]:
    return HANDOVER_KINDS.entries()


def held_items(users: QuerySet) -> dict[str, dict[int, int]]:
    """Per kind, the open items each of these users holds (kinds with none left out)."""
    result = {}
    for kind in handover_kinds():
        counts = kind.held_by(users)
        if counts:
            result[kind.name] = counts
    return result


def hand_over_all(*, from_user: User, to_user: User | None, office: GridUnit, actor: User) -> dict[str, int]:
    """Every registered kind hands over what `from_user` holds; how many items moved, per kind."""
    return {
        kind.name: kind.hand_over(from_user=from_user, to_user=to_user, office=office, actor=actor)
        for kind in handover_kinds()
    }
