"""Reads of resident issues, always on behalf of a viewer.

Who sees an issue, who handles it and who sees the resident's contact in full
are the rules of `issues.access`; these selectors apply them. Every selector of
issue rows takes the Viewer (keyword-only; a User is accepted too and turned
into the request's Viewer); a reader of an issue's child rows (timeline,
sub-tasks, extensions) takes the issue the caller has already read through
`issue_get`. Outside the viewer's sight an issue does not exist: 404, never a hint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.http import Http404
from django.utils import timezone

from grids.jurisdiction import jurisdiction_q
from grids.models import PATH_STEP, GridUnit, User, ancestor_paths
from grids.viewer import Viewer, viewer_of
from issues import access, handler_kinds

# The masking rules are access's; selectors re-export them for the pages and apps that read them here.
from issues.access import can_see_resident_contact, issue_visible_q
from issues.access import resident_name_for as issue_resident_name_for
from issues.access import resident_phone_for as issue_resident_phone_for
from issues.models import (
    DeadlineExtension,
    Issue,
    IssueCategory,
    IssueEvent,
    IssuePhoto,
    IssueTask,
    Notification,
    StagedPhoto,
)
from issues.pagination import units_first

__all__ = [
    "IssueFilters",
    "assignee_candidates",
    "colleagues_of",
    "default_log_unit",
    "issue_extensions",
    "unit_ancestry_names",
    "can_see_resident_contact",
    "categories_active",
    "extensions_pending_for",
    "extension_get",
    "issue_after_action",
    "issue_events",
    "issue_get",
    "issue_inbox",
    "issue_list",
    "issue_mine",
    "issue_photo_get",
    "issue_resident_name_for",
    "issue_resident_phone_for",
    "issue_similar_open",
    "issue_supervision",
    "issue_tasks",
    "issue_visible_q",
    "days_overdue",
    "with_last_urge",
    "loggable_units",
    "notifications_for",
    "notification_groups",
    "public_event_note",
    "staged_photo_get",
    "staged_photos",
    "task_get",
    "tasks_inbox",
    "unread_notification_count",
]

PUBLIC_SELECTORS_WITHOUT_VIEWER = {
    "categories_active": "reference data: the same active categories for every viewer, no unit-bound rows",
    "with_last_urge": "annotates a queryset the caller has already scoped to its viewer; reads no rows of its own",
}

# What a list shows: the unit, the category, the handler's reference (every kind's), assignee, reporter.
LIST_RELATED = ("unit", "category", *Issue.HANDLER_FIELDS, "assignee", "reporter")

Who = Viewer | Any  # a Viewer, or (transitional) a User


def _annotated(queryset: QuerySet, viewer: Viewer) -> QuerySet:
    """With whether the viewer handles a sub-task of each issue (read by `access.handles_any_part`)."""
    if not viewer.is_person:
        return queryset
    return queryset.annotate(viewer_task_handler=access.handles_a_task_of(viewer), annotated_for=Value(viewer.user_id))


def _visible(viewer: Viewer) -> QuerySet:
    """Visible issues with what a list shows, annotated with whether the viewer handles a sub-task."""
    return _annotated(Issue.objects.filter(issue_visible_q(viewer)).select_related(*LIST_RELATED), viewer)


def with_last_urge(queryset: QuerySet) -> QuerySet:
    """With `last_urged_at`, the time of the latest urge 催办 (the urge transition's `ready` reads it)."""
    latest = IssueEvent.objects.filter(issue_id=OuterRef("pk"), kind=IssueEvent.Kind.URGED).order_by("-at")
    return queryset.annotate(last_urged_at=Subquery(latest.values("at")[:1]))


@dataclass(frozen=True)
class IssueFilters:
    statuses: tuple[str, ...] = ()
    category_id: int | None = None
    unit: GridUnit | None = None  # the unit's whole subtree
    created_from: datetime | None = None
    created_to: datetime | None = None
    updated_from: datetime | None = None
    updated_to: datetime | None = None
    overdue: bool | None = None
    # Clock running, reminder passed, deadline not yet passed (督办's yellow).
    near_due: bool = False
    kind: str = ""
    # Free text: "#123" or "123" finds that issue; words search the description and the location.
    text: str = ""


def _apply(queryset: QuerySet, filters: IssueFilters | None) -> QuerySet:
    if filters is None:
        return queryset
    if filters.statuses:
        queryset = queryset.filter(status__in=filters.statuses)
    if filters.category_id:
        queryset = queryset.filter(category_id=filters.category_id)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.unit is not None:
        queryset = queryset.filter(unit__path__startswith=filters.unit.path)
    if filters.created_from:
        queryset = queryset.filter(created_at__gte=filters.created_from)
    if filters.created_to:
        queryset = queryset.filter(created_at__lt=filters.created_to)
    if filters.updated_from:
        queryset = queryset.filter(updated_at__gte=filters.updated_from)
    if filters.updated_to:
        queryset = queryset.filter(updated_at__lt=filters.updated_to)
    if filters.text:
        queryset = queryset.filter(_text_q(filters.text))
    if filters.overdue is True:
        queryset = queryset.overdue()
    elif filters.overdue is False:
        queryset = queryset.exclude(pk__in=Issue.objects.overdue().values("pk"))
    if filters.near_due:
        queryset = queryset.near_due()
    return queryset


def _text_q(text: str) -> Q:
    """An issue number ("#123", "123") or words in the description or the location (all of them)."""
    text = text.strip()
    number = text.removeprefix("#")
    if number.isdigit() and len(number) < 12:
        return Q(pk=int(number))
    q = Q()
    for word in text.split()[:5]:
        q &= Q(description__icontains=word) | Q(location_text__icontains=word)
    return q


def issue_list(*, viewer: Who, filters: IssueFilters | None = None) -> QuerySet:
    """Every issue the viewer may read, newest first, filtered."""
    viewer = viewer_of(viewer)
    if filters is not None and filters.unit is not None and viewer.sees_path(filters.unit.path):
        # A subtree inside the viewer's jurisdiction: every issue in it is visible, so the subtree alone
        # says which rows. Behind the visibility OR (reported, handled, a sub-task) PostgreSQL priced
        # every index scan with the OR's subplans and read a district's year whole (1.3 s at 1,000,000).
        queryset = _annotated(Issue.objects.select_related(*LIST_RELATED), viewer)
    else:
        queryset = _visible(viewer)
    queryset = _apply(queryset, filters).order_by("-created_at", "-pk")
    if filters is not None and filters.unit is not None and len(filters.unit.path) >= GridUnit.Level.STREET * PATH_STEP:
        queryset = units_first(queryset)
    return queryset


def issue_get(*, viewer: Who, pk: int, photos: bool = False) -> Issue:
    """One issue the viewer may read, or 404. With `photos`, its photos come along (one query, in id order)."""
    queryset = with_last_urge(_visible(viewer_of(viewer)))
    if photos:
        queryset = queryset.prefetch_related(Prefetch("photos", queryset=IssuePhoto.objects.order_by("pk")))
    try:
        return queryset.get(pk=pk)
    except Issue.DoesNotExist as exc:
        raise Http404 from exc


def issue_after_action(*, viewer: Who, issue: Issue) -> Issue:
    """The issue the viewer has just acted on (the services checked they may), re-read with its photos.

    As the viewer may read it now; if their own action took it out of their sight (an escalation
    hands it to the office above), as it stands, with the resident's contact masked.
    """
    fresh = _visible(viewer_of(viewer)).prefetch_related("photos").filter(pk=issue.pk).first()
    if fresh is None:
        fresh = Issue.objects.select_related(*LIST_RELATED).prefetch_related("photos").get(pk=issue.pk)
    return fresh


def issue_mine(*, viewer: Who, filters: IssueFilters | None = None) -> QuerySet:
    """What the viewer logged ("my issues")."""
    viewer = viewer_of(viewer)
    return _apply(_visible(viewer).filter(reporter_id=viewer.user_id), filters).order_by("-created_at", "-pk")


def issue_inbox(*, viewer: Who, include_finished: bool = False, filters: IssueFilters | None = None) -> QuerySet:
    """What is routed to the viewer, their office, department or team, or assigned to them; open first by due time."""
    viewer = viewer_of(viewer)
    queryset = _annotated(Issue.objects.filter(access.issue_handled_q(viewer)).select_related(*LIST_RELATED), viewer)
    if not include_finished:
        queryset = queryset.open()
    return _apply(queryset, filters).order_by("due_at", "pk")


def tasks_inbox(*, viewer: Who) -> QuerySet:
    """Open sub-tasks the viewer handles."""
    return (
        access.tasks_handled(viewer_of(viewer))
        .filter(status=IssueTask.Status.OPEN)
        .select_related("issue", "issue__unit", "issue__category", *Issue.HANDLER_FIELDS)
        .order_by("issue__due_at", "pk")
    )


# How the supervision list sorts (`?sort=`): the latest first by default (the earliest deadline is the
# most days overdue), the least late, the highest supervision level, the newest logged.
SUPERVISION_SORTS = {
    "late": ("due_at", "pk"),
    "least_late": ("-due_at", "-pk"),
    "level": ("-escalation_level", "due_at", "pk"),
    "new": ("-created_at", "-pk"),
}


def issue_supervision(
    *,
    viewer: Who,
    now: datetime | None = None,
    escalated_only: bool = False,
    filters: IssueFilters | None = None,
    sort: str = "late",
) -> QuerySet:
    """督办: open issues in the viewer's jurisdiction that are overdue (red) or near due (yellow), the
    latest first, each with when it was last urged (`last_urged_at`)."""
    viewer = viewer_of(viewer)
    now = now or timezone.now()
    queryset = (
        Issue.objects.running()
        .filter(jurisdiction_q(viewer, unit_field="unit"))
        .filter(remind_at__lte=now)
        .select_related(*LIST_RELATED, "supervision_unit")
    )
    if escalated_only:
        queryset = queryset.filter(access.supervised_q(viewer))
    queryset = with_last_urge(_annotated(_apply(queryset, filters), viewer))
    return queryset.order_by(*SUPERVISION_SORTS.get(sort, SUPERVISION_SORTS["late"]))


def days_overdue(issue: Issue, now: datetime | None = None) -> int:
    """Whole days past the deadline (0 before it, 1 on its first day late). No query."""
    late = (now or timezone.now()) - issue.due_at
    if late.total_seconds() <= 0:
        return 0
    return late.days + 1


def issue_events(*, issue: Issue) -> QuerySet:
    """The timeline of an issue the caller has read through `issue_get`."""
    return IssueEvent.objects.filter(issue_id=issue.pk).select_related("actor").order_by("at", "pk")


def public_event_note(event: IssueEvent) -> str:
    """A timeline note as everyone may read it: an allocation says only whom it went to (its first
    sentence, "分派给：…。"), not why routing fell back (`access.sees_routing_internals`)."""
    if event.kind != IssueEvent.Kind.ALLOCATED or "。" not in event.note:
        return event.note
    return event.note[: event.note.index("。") + 1]


def issue_tasks(*, issue: Issue) -> list[IssueTask]:
    """The sub-tasks of an issue the caller has read through `issue_get`."""
    return list(issue.tasks.select_related(*Issue.HANDLER_FIELDS, "done_by").order_by("pk"))


def task_get(*, viewer: Who, pk: int) -> IssueTask:
    """A sub-task of an issue the viewer may read, or 404 (its issue comes along, as the viewer reads it)."""
    task = IssueTask.objects.filter(pk=pk).first()
    if task is None:
        raise Http404
    task.issue = issue_get(viewer=viewer, pk=task.issue_id)
    return task


def extension_get(*, viewer: Who, pk: int) -> DeadlineExtension:
    """An extension request of an issue the viewer may read, or 404 (its issue comes along)."""
    extension = DeadlineExtension.objects.filter(pk=pk).select_related("approver_unit").first()
    if extension is None:
        raise Http404
    extension.issue = issue_get(viewer=viewer, pk=extension.issue_id)
    return extension


def issue_photo_get(*, viewer: Who, issue_pk: int, photo_pk: int) -> IssuePhoto:
    """A photo of an issue the viewer may read, or 404 (the same 404 as for an issue elsewhere)."""
    issue = issue_get(viewer=viewer, pk=issue_pk)
    photo = IssuePhoto.objects.filter(issue_id=issue.pk, pk=photo_pk).first()
    if photo is None:
        raise Http404
    return photo


def issue_similar_open(
    *, viewer: Who, unit: GridUnit, category: IssueCategory, now: datetime | None = None, exclude_pk: int | None = None
) -> list[Issue]:
    """Open issues of the same category in the same compound from the last 7 days (a duplicate warning)."""
    now = now or timezone.now()
    compound = GridUnit.Level.COMPOUND * PATH_STEP
    compound_path = unit.path[:compound] if unit.level >= GridUnit.Level.COMPOUND else unit.path
    queryset = (
        Issue.objects.open()
        .filter(issue_visible_q(viewer_of(viewer)))
        .filter(category=category, unit__path__startswith=compound_path, created_at__gte=now - timedelta(days=7))
        .select_related("unit")
        .order_by("-created_at")
    )
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return list(queryset[:10])


def loggable_units(*, viewer: Who) -> QuerySet:
    """Micro-grid units (片区, 小区, 责任区) in the viewer's jurisdiction, where issues may be logged."""
    return GridUnit.objects.micro_grids().filter(jurisdiction_q(viewer_of(viewer), unit_field=None)).order_by("path")


def categories_active() -> QuerySet:
    return IssueCategory.objects.filter(is_active=True).order_by("sort_order", "code")


def extensions_pending_for(*, viewer: Who) -> QuerySet:
    """Pending extension requests the viewer may decide: addressed to a unit at or below a staff post of theirs."""
    return (
        DeadlineExtension.objects.filter(status=DeadlineExtension.Status.PENDING)
        .filter(access.extensions_decidable_q(viewer_of(viewer)))
        .select_related("issue", "issue__category", "approver_unit", "requested_by")
        .order_by("requested_at")
    )


def notifications_for(*, viewer: Who, kind: str = "", unread_only: bool = False) -> QuerySet:
    """The viewer's notifications, newest first; of one kind, or only the unread, when asked."""
    queryset = Notification.objects.filter(recipient_id=viewer_of(viewer).user_id)
    if kind:
        queryset = queryset.filter(kind=kind)
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    return queryset.select_related("issue").order_by("-created_at", "-pk")


@dataclass(frozen=True)
class NotificationGroup:
    kind: str
    label: str
    total: int
    unread: int


def notification_groups(*, viewer: Who) -> list[NotificationGroup]:
    """The viewer's notifications grouped by kind, with the unread count of each: those with unread
    first, then by kind's order. One query."""
    rows = (
        Notification.objects.filter(recipient_id=viewer_of(viewer).user_id)
        .values("kind")
        .annotate(total=Count("pk"), unread=Count("pk", filter=Q(read_at__isnull=True)))
        .order_by()
    )
    order = {kind: n for n, kind in enumerate(Notification.Kind.values)}
    labels = dict(Notification.Kind.choices)
    groups = [
        NotificationGroup(row["kind"], str(labels.get(row["kind"], row["kind"])), row["total"], row["unread"])
        for row in rows
    ]
    return sorted(groups, key=lambda g: (g.unread == 0, order.get(g.kind, 99)))


def unread_notification_count(*, viewer: Who) -> int:
    """One COUNT query; 0 without one for anonymous visitors."""
    viewer = viewer_of(viewer)
    if not viewer.is_person:
        return 0
    return Notification.objects.filter(recipient_id=viewer.user_id, read_at__isnull=True).count()


def unit_ancestry_names(unit: GridUnit) -> str:
    names = dict(GridUnit.objects.filter(path__in=ancestor_paths(unit.path)).values_list("path", "name"))
    return " › ".join([names[p] for p in ancestor_paths(unit.path) if p in names][1:] + [unit.name])


def assignee_candidates(*, issue: Issue) -> QuerySet:
    """Who the handler of an issue (read through `issue_get`) may hand it to: the office's staff, the
    department's members, the grid's people, the team's leaders... (its kind decides)."""
    q = handler_kinds.assignees_q(issue)
    if q is None:
        return User.objects.none()
    return User.objects.filter(q, is_active=True).order_by("username")


def colleagues_of(*, viewer: Who) -> QuerySet:
    """People who share an office, a department or a team with the viewer (bulk assignment from the inbox)."""
    q = handler_kinds.members_q(viewer_of(viewer))
    if q is None:
        return User.objects.none()
    return User.objects.filter(q, is_active=True).order_by("username")


def default_log_unit(*, viewer: Who) -> GridUnit | None:
    """Where a worker usually logs: the micro-grid of their first grid post (by tree path)."""
    viewer = viewer_of(viewer)
    paths = sorted(
        p.path for p in viewer.posts if p.role in access.GRID_ROLES and len(p.path) >= GridUnit.Level.AREA * PATH_STEP
    )
    return GridUnit.objects.filter(path=paths[0]).first() if paths else None


def issue_extensions(*, issue: Issue) -> list[DeadlineExtension]:
    """The extension requests of an issue the caller has read through `issue_get`."""
    return list(
        issue.extensions.select_related("requested_by", "decided_by", "approver_unit").order_by("-requested_at")
    )


def staged_photos(*, viewer: Who, tokens) -> list[StagedPhoto]:
    """The viewer's own staged photos among these tokens, in the order given (anyone else's are not found)."""
    viewer = viewer_of(viewer)
    if not tokens or not viewer.is_person:
        return []
    found = {p.token: p for p in StagedPhoto.objects.filter(owner_id=viewer.user_id, token__in=list(tokens))}
    return [found[t] for t in tokens if t in found]


def staged_photo_get(*, viewer: Who, token) -> StagedPhoto:
    """One of the viewer's own staged photos, or 404."""
    found = staged_photos(viewer=viewer, tokens=[token])
    if not found:
        raise Http404
    return found[0]
