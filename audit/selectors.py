"""Reads of the audit history, always scoped to the subtrees of the viewer's staff posts.

Who may read it and where is `audit.access`. A version is in the viewer's
audit jurisdiction when the unit it names (the issue's grid, the post's unit,
the contract's community) is.

A page of entries costs a fixed number of queries whatever its length: the
versions (with who and the object's names), their previous versions (two
queries), and one query per kind of referenced object whose value changed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from grids.viewer import Viewer

from .access import audit_visible_q
from .registry import AuditedType

MAX_TEXT = 300

PUBLIC_SELECTORS_WITHOUT_VIEWER = {
    "history_entries": "describes versions already read through history_list(viewer=...): no rows of its own choosing",
}


def history_list(*, viewer: Viewer, audited: AuditedType, object_id: int | None = None) -> QuerySet:
    """Versions of one type (or of one object), newest first, inside the viewer's audit jurisdiction."""
    queryset = audited.history_model.objects.filter(audit_visible_q(viewer, unit_field=audited.unit_field))
    if object_id is not None:
        queryset = queryset.filter(id=object_id)
    return queryset.select_related("history_user", *audited.related).order_by("-history_date", "-history_id")


def current_object(*, viewer: Viewer, audited: AuditedType, object_id: int) -> Any | None:
    """The object as it is now, if it exists inside the viewer's audit jurisdiction (one query)."""
    queryset = audited.model.objects.filter(pk=object_id).select_related(*audited.related)
    return queryset.filter(audit_visible_q(viewer, unit_field=audited.unit_field)).first()


# ---------------------------------------------------------------------------
# Entries: a version with who, when, what changed
# ---------------------------------------------------------------------------
@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    record: Any
    object_label: str
    link: str
    action: str
    who: str
    when: dt.datetime
    changes: list[Change] = field(default_factory=list)


# A context of their own: "修改" is "Edit" on a button but "Changed" in a history line.
ACTIONS = {
    "+": pgettext_lazy("审计操作", "创建"),
    "~": pgettext_lazy("审计操作", "修改"),
    "-": pgettext_lazy("审计操作", "删除"),
}


def history_entries(*, audited: AuditedType, records: Sequence[Any]) -> list[Entry]:
    """The page's versions with their field changes against each object's previous version."""
    previous = _previous_versions(audited, records)
    deltas = {
        record.history_id: record.diff_against(previous[record.history_id], excluded_fields=audited.hidden)
        for record in records
        if record.history_id in previous
    }
    labels = _reference_labels(audited, (change for delta in deltas.values() for change in delta.changes))
    entries = []
    for record in records:
        delta = deltas.get(record.history_id)
        changes = []
        if delta is not None and record.history_type == "~":
            changes = [_change(audited, change, labels) for change in delta.changes]
        entries.append(
            Entry(
                record=record,
                object_label=audited.describe(record),
                link=audited.link(record),
                action=str(ACTIONS.get(record.history_type, record.history_type)),
                who=record.history_user.display_name if record.history_user else _("系统"),
                when=record.history_date,
                changes=changes,
            )
        )
    return entries


def _previous_versions(audited: AuditedType, records: Sequence[Any]) -> dict[int, Any]:
    """history_id -> the same object's version just before it: two queries for the whole page."""
    if not records:
        return {}
    history = audited.history_model
    newest = max(record.history_id for record in records)
    versions: dict[int, list[int]] = defaultdict(list)
    for object_id, history_id in (
        history.objects.filter(id__in={record.id for record in records}, history_id__lt=newest)
        .order_by("history_id")
        .values_list("id", "history_id")
    ):
        versions[object_id].append(history_id)
    wanted = {}
    for record in records:
        earlier = [h for h in versions.get(record.id, []) if h < record.history_id]
        if earlier:
            wanted[record.history_id] = earlier[-1]
    rows = history.objects.in_bulk(set(wanted.values()))
    return {history_id: rows[previous_id] for history_id, previous_id in wanted.items()}


# The name shown for a referenced object: (fields to load, how to name it); others show as "#id".
_NAMES: dict[str, tuple[tuple[str, ...], Any]] = {
    "grids.gridunit": (("name",), lambda obj: obj.name),
    "grids.user": (("full_name", "username"), lambda obj: obj.display_name),
    "issues.issuecategory": (("name", "name_en"), lambda obj: obj.display_name),
    "grids.department": (("name",), lambda obj: obj.name),
    "contracts.cobuildingunit": (("name",), lambda obj: obj.name),
    "contracts.contract": (("number",), lambda obj: obj.number),
}


def _reference_labels(audited: AuditedType, changes: Iterable[Any]) -> dict[tuple[str, Any], str]:
    """(model label, pk) -> name, one query per referenced model among the changes."""
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for change in changes:
        model_field = audited.history_model._meta.get_field(change.field)
        if model_field.is_relation and change.field not in audited.personal:
            wanted[model_field.related_model].update(v for v in (change.old, change.new) if v is not None)
    labels = {}
    for model, ids in wanted.items():
        key = model._meta.label_lower
        if key in _NAMES and _NAMES[key][0]:
            only, name = _NAMES[key]
            for pk, obj in model._default_manager.only(*only).in_bulk(ids).items():
                labels[(key, pk)] = name(obj)
        for pk in ids:
            labels.setdefault((key, pk), f"#{pk}")
    return labels


def _change(audited: AuditedType, change: Any, labels: dict[tuple[str, Any], str]) -> Change:
    model_field = audited.history_model._meta.get_field(change.field)
    label = str(model_field.verbose_name)
    if change.field in audited.personal:
        hidden = _("（个人信息，不显示）")
        return Change(label, hidden, hidden)
    return Change(label, _value(model_field, change.old, labels), _value(model_field, change.new, labels))


def _value(model_field: models.Field, value: Any, labels: dict[tuple[str, Any], str]) -> str:
    if value is None or value == "":
        return "—"
    if model_field.is_relation:
        return labels.get((model_field.related_model._meta.label_lower, value), f"#{value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"
