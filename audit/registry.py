"""The audited types: where each keeps its history, how a version finds its unit, how it is named.

A model is audited by `history = HistoricalRecords(...)` on the model (its
app's migration creates the historical table); this registry only says how the
audit pages read that history. Adding a type is one `AuditedType` here.

Every `.save()` and `.delete()` writes a version, with the user of the request
(simple_history's HistoryRequestMiddleware) or none for Celery tasks and
commands. Bulk writes (`bulk_create`, `QuerySet.update()`) write none: the demo
seed, the routing sweep's `routing_sent_at` stamp and the deadline sweep's
reminder and escalation updates are not versioned; their acts are on the
issue's own timeline (IssueEvent), which the audit page does not replace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.http import Http404
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class AuditedType:
    key: str  # the URL slug
    label: str | Promise
    model_label: str  # "app.Model"
    unit_field: str  # lookup from a historical row to its GridUnit (jurisdiction)
    related: tuple[str, ...]  # select_related for naming the object
    describe: Callable[[Any], str]
    link: Callable[[Any], str]
    hidden: frozenset[str] = frozenset()  # never shown: bookkeeping, not a change anyone made
    personal: frozenset[str] = frozenset()  # residents' personal data: "changed", never the values

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)

    @property
    def history_model(self) -> type[models.Model]:
        return self.model.history.model


def _issue(row) -> str:
    return f"#{row.id} {row.category.display_name} · {row.unit.name}"


def _contract(row) -> str:
    return f"{row.number} {row.title} · {row.community.name}"


def _evaluation(row) -> str:
    return f"{row.contract.number} {row.contract.title}"


def _post(row) -> str:
    return f"{row.user.display_name} · {row.get_role_display()} · {row.unit.name}"


TYPES: dict[str, AuditedType] = {
    audited.key: audited
    for audited in [
        AuditedType(
            key="issues",
            label=_("居民问题"),
            model_label="issues.Issue",
            unit_field="unit",
            related=("category", "unit"),
            describe=_issue,
            link=lambda row: reverse("issues:issue_detail", args=[row.id]),
            hidden=frozenset({"version", "client_key"}),
            personal=frozenset({"resident_name", "resident_phone"}),
        ),
        AuditedType(
            key="contracts",
            label=_("共建契约"),
            model_label="contracts.Contract",
            unit_field="community",
            related=("community",),
            describe=_contract,
            link=lambda row: reverse("contracts:contract_detail", args=[row.id]),
        ),
        AuditedType(
            key="evaluations",
            label=_("契约考评"),
            model_label="contracts.Evaluation",
            unit_field="contract__community",
            related=("contract",),
            describe=_evaluation,
            link=lambda row: reverse("contracts:contract_detail", args=[row.contract_id]),
        ),
        AuditedType(
            key="posts",
            label=_("岗位"),
            model_label="grids.Post",
            unit_field="unit",
            related=("user", "unit"),
            describe=_post,
            link=lambda row: reverse("grids:unit_detail", args=[row.unit_id]),
        ),
    ]
}
DEFAULT = "issues"


def audited_type(key: str) -> AuditedType:
    """The audited type named in the URL, or 404."""
    try:
        return TYPES[key]
    except KeyError as error:
        raise Http404 from error
