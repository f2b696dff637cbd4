"""Reads of resident issues, always on behalf of a viewer.

Who sees an issue: everyone whose jurisdiction covers its unit (the same
`jurisdiction_q` that `scope()` applies), plus whoever handles it or one of
its sub-tasks (a department's members hold no posts in the tree), plus its
reporter. Outside that, an issue does not exist: 404, never a hint.

Who sees the resident's phone and name in full: the reporter and the
handlers (`can_see_resident_contact`); everyone else gets them masked, in
pages, the API and exports alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet, Value
from django.http import Http404
from django.utils import timezone

from grids.jurisdiction import jurisdiction_paths, jurisdiction_q
from grids.models import GridUnit, Post, User, ancestor_paths
from guilin_portal.privacy import mask_phone
from issues.handlers import handled_by_q, handles_a_task_of, handles_any_part, task_handled_by_q
from issues.models import DeadlineExtension, Issue, IssueCategory, IssueEvent, IssuePhoto, IssueTask, Notification

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
    "loggable_units",
    "notifications_for",
    "task_get",
    "tasks_inbox",
    "unread_notification_count",
]

LIST_RELATED = (
    "unit",
    "category",
    "handler_unit",
    "handler_user",
    "handler_department",
    "handler_team",
    "assignee",
    "reporter",
)


def issue_visible_q(viewer: User) -> Q:
    """The issues a viewer may read: jurisdiction over the unit, or handling it or a sub-task, or reporting it."""
    if not viewer.is_authenticated:
        return Q(pk__in=[])
    if jurisdiction_paths(viewer) is None:
        return Q()
    return (
        jurisdiction_q(viewer, unit_field="unit")
        | Q(reporter_id=viewer.pk)
        | handled_by_q(viewer)
        | Q(pk__in=IssueTask.objects.filter(task_handled_by_q(viewer)).values("issue_id"))
    )


def _visible(viewer: User) -> QuerySet:
    """Visible issues with what a list shows, annotated with whether the viewer handles a sub-task."""
    queryset = Issue.objects.filter(issue_visible_q(viewer)).select_related(*LIST_RELATED)
    if viewer.is_authenticated:
        queryset = queryset.annotate(viewer_task_handler=handles_a_task_of(viewer), annotated_for=Value(viewer.pk))
    return queryset


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
    kind: str = ""


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
    if filters.overdue is True:
        queryset = queryset.overdue()
    elif filters.overdue is False:
        queryset = queryset.exclude(pk__in=Issue.objects.overdue().values("pk"))
    return queryset


def issue_list(*, viewer: User, filters: IssueFilters | None = None) -> QuerySet:
    """Every issue the viewer may read, newest first, filtered."""
    return _apply(_visible(viewer), filters).order_by("-created_at", "-pk")


def issue_get(*, viewer: User, pk: int) -> Issue:
    """One issue the viewer may read, or 404."""
    try:
        return _visible(viewer).get(pk=pk)
    except Issue.DoesNotExist as exc:
        raise Http404 from exc


def issue_mine(*, viewer: User, filters: IssueFilters | None = None) -> QuerySet:
    """What the viewer logged ("my issues")."""
    return _apply(_visible(viewer).filter(reporter_id=viewer.pk), filters).order_by("-created_at", "-pk")


def issue_inbox(*, viewer: User, include_finished: bool = False) -> QuerySet:
    """What is routed to the viewer, their office or their department, or assigned to them; open first by due time."""
    queryset = Issue.objects.filter(handled_by_q(viewer)).select_related(*LIST_RELATED)
    queryset = queryset.annotate(viewer_task_handler=handles_a_task_of(viewer), annotated_for=Value(viewer.pk))
    if not include_finished:
        queryset = queryset.open()
    return queryset.order_by("due_at", "pk")


def tasks_inbox(*, viewer: User) -> QuerySet:
    """Open sub-tasks the viewer handles."""
    return (
        IssueTask.objects.filter(task_handled_by_q(viewer), status=IssueTask.Status.OPEN)
        .select_related(
            "issue",
            "issue__unit",
            "issue__category",
            "handler_unit",
            "handler_user",
            "handler_department",
            "handler_team",
        )
        .order_by("issue__due_at", "pk")
    )


def issue_supervision(*, viewer: User, now: datetime | None = None, escalated_only: bool = False) -> QuerySet:
    """督办: open issues in the viewer's jurisdiction that are overdue (red) or near due (yellow), overdue first."""
    now = now or timezone.now()
    queryset = (
        Issue.objects.running()
        .filter(jurisdiction_q(viewer, unit_field="unit"))
        .filter(remind_at__lte=now)
        .select_related(*LIST_RELATED, "supervision_unit")
    )
    if escalated_only:
        queryset = queryset.filter(_supervised_by(viewer))
    return queryset.annotate(viewer_task_handler=handles_a_task_of(viewer), annotated_for=Value(viewer.pk)).order_by(
        "due_at", "pk"
    )


def _supervised_by(viewer: User) -> Q:
    """Issues escalated to a unit where the viewer holds a staff post."""
    if viewer.is_superuser:
        return Q(supervision_unit__isnull=False)
    return Q(
        supervision_unit_id__in=Post.objects.filter(user_id=viewer.pk, role__in=Post.STAFF_ROLES).values("unit_id")
    )


def issue_events(*, viewer: User, issue: Issue) -> QuerySet:
    """The timeline of an issue the viewer may read (pass an issue from issue_get)."""
    return IssueEvent.objects.filter(issue_id=issue.pk).select_related("actor").order_by("at", "pk")


def issue_tasks(*, issue: Issue) -> list[IssueTask]:
    return list(
        issue.tasks.select_related(
            "handler_unit", "handler_user", "handler_department", "handler_team", "done_by"
        ).order_by("pk")
    )


def task_get(*, viewer: User, pk: int) -> IssueTask:
    """A sub-task of an issue the viewer may read, or 404."""
    task = IssueTask.objects.filter(pk=pk).select_related("issue").first()
    if task is None:
        raise Http404
    issue_get(viewer=viewer, pk=task.issue_id)
    return task


def issue_photo_get(*, viewer: User, issue_pk: int, photo_pk: int) -> IssuePhoto:
    """A photo of an issue the viewer may read, or 404 (the same 404 as for an issue elsewhere)."""
    issue = issue_get(viewer=viewer, pk=issue_pk)
    photo = IssuePhoto.objects.filter(issue_id=issue.pk, pk=photo_pk).first()
    if photo is None:
        raise Http404
    return photo


def can_see_resident_contact(viewer: User, issue: Issue) -> bool:
    """The one rule: the reporter and the handlers (of the issue or a sub-task) see the resident's contact."""
    if not viewer.is_authenticated:
        return False
    return issue.reporter_id == viewer.pk or handles_any_part(viewer, issue)


def issue_resident_phone_for(viewer: User, issue: Issue) -> str:
    """The resident's phone as this viewer may see it: in full, or masked (138****5678)."""
    if can_see_resident_contact(viewer, issue):
        return issue.resident_phone
    return mask_phone(issue.resident_phone)


def issue_resident_name_for(viewer: User, issue: Issue) -> str:
    """The resident's name in full for handlers and the reporter, else the surname only (张**)."""
    name = issue.resident_name
    if not name or can_see_resident_contact(viewer, issue):
        return name
    return name[0] + "*" * max(1, len(name) - 1)


def issue_similar_open(
    *, viewer: User, unit: GridUnit, category: IssueCategory, now: datetime | None = None, exclude_pk: int | None = None
) -> list[Issue]:
    """Open issues of the same category in the same compound from the last 7 days (a duplicate warning)."""
    now = now or timezone.now()
    compound_path = unit.path[: GridUnit.Level.COMPOUND * 4] if unit.level >= GridUnit.Level.COMPOUND else unit.path
    queryset = (
        Issue.objects.open()
        .filter(issue_visible_q(viewer))
        .filter(category=category, unit__path__startswith=compound_path, created_at__gte=now - timedelta(days=7))
        .select_related("unit")
        .order_by("-created_at")
    )
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return list(queryset[:10])


def loggable_units(*, viewer: User) -> QuerySet:
    """Micro-grid units (片区, 小区, 责任区) in the viewer's jurisdiction, where issues may be logged."""
    return GridUnit.objects.micro_grids().filter(jurisdiction_q(viewer, unit_field=None)).order_by("path")


def categories_active() -> QuerySet:
    return IssueCategory.objects.filter(is_active=True).order_by("sort_order", "code")


def extensions_pending_for(*, viewer: User) -> QuerySet:
    """Pending extension requests the viewer may decide: addressed to a unit at or below a staff post of theirs."""
    queryset = DeadlineExtension.objects.filter(status=DeadlineExtension.Status.PENDING).select_related(
        "issue", "issue__category", "approver_unit", "requested_by"
    )
    if viewer.is_superuser:
        return queryset.order_by("requested_at")
    paths = list(Post.objects.filter(user_id=viewer.pk, role__in=Post.STAFF_ROLES).values_list("unit__path", flat=True))
    if not paths:
        return queryset.none()
    q = Q()
    for path in paths:
        q |= Q(approver_unit__path__startswith=path)
    return queryset.filter(q).order_by("requested_at")


def notifications_for(*, viewer: User) -> QuerySet:
    return Notification.objects.filter(recipient_id=viewer.pk).select_related("issue").order_by("-created_at", "-pk")


def unread_notification_count(*, viewer: User) -> int:
    """One COUNT query; 0 without one for anonymous visitors."""
    if not viewer.is_authenticated:
        return 0
    return Notification.objects.filter(recipient_id=viewer.pk, read_at__isnull=True).count()


def unit_ancestry_names(unit: GridUnit) -> str:
    names = dict(GridUnit.objects.filter(path__in=ancestor_paths(unit.path)).values_list("path", "name"))
    return " › ".join([names[p] for p in ancestor_paths(unit.path) if p in names][1:] + [unit.name])


def assignee_candidates(*, issue: Issue) -> QuerySet:
    """Who an issue's handler may hand it to: the office's staff, the department's members, the grid's people."""
    from issues.models import Department, HandlerKind

    if issue.handler_kind == HandlerKind.OFFICE:
        q = Q(posts__unit_id=issue.handler_unit_id, posts__role__in=Post.STAFF_ROLES)
    elif issue.handler_kind == HandlerKind.DEPARTMENT:
        q = Q(
            pk__in=Department.members.through.objects.filter(department_id=issue.handler_department_id).values(
                "user_id"
            )
        )
    elif issue.handler_kind == HandlerKind.GRID_LEADER:
        q = Q(pk=issue.handler_user_id) | Q(
            posts__role__in=[Post.Role.GRID_WORKER, Post.Role.GRID_LEADER],
            posts__unit__path__in=[*ancestor_paths(issue.unit.path), issue.unit.path],
        )
    elif issue.handler_kind == HandlerKind.VOLUNTEER_TEAM:
        from volunteers.models import TeamMember

        q = Q(
            pk__in=TeamMember.objects.filter(
                team_id=issue.handler_team_id, role__in=TeamMember.MANAGER_ROLES, left_on__isnull=True
            ).values("volunteer__user_id")
        )
    else:
        return User.objects.none()
    return User.objects.filter(q, is_active=True).distinct().order_by("username")


def colleagues_of(*, viewer: User) -> QuerySet:
    """People who share an office or a department with the viewer (bulk assignment from the inbox)."""
    from issues.models import Department

    staff_units = Post.objects.filter(user_id=viewer.pk, role__in=Post.STAFF_ROLES).values("unit_id")
    departments = Department.members.through.objects.filter(user_id=viewer.pk).values("department_id")
    return (
        User.objects.filter(
            Q(posts__unit_id__in=staff_units, posts__role__in=Post.STAFF_ROLES)
            | Q(pk__in=Department.members.through.objects.filter(department_id__in=departments).values("user_id")),
            is_active=True,
        )
        .distinct()
        .order_by("username")
    )


def default_log_unit(*, viewer: User) -> GridUnit | None:
    """Where a worker usually logs: the micro-grid of their first grid post."""
    post = (
        Post.objects.filter(
            user_id=viewer.pk,
            role__in=[Post.Role.GRID_WORKER, Post.Role.GRID_LEADER],
            unit__level__gte=GridUnit.Level.AREA,
        )
        .select_related("unit")
        .order_by("unit__path")
        .first()
    )
    return post.unit if post else None


def issue_extensions(*, issue: Issue) -> list[DeadlineExtension]:
    return list(
        issue.extensions.select_related("requested_by", "decided_by", "approver_unit").order_by("-requested_at")
    )
