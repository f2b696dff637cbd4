"""Issue pages: log (phone-first), my issues, inbox, supervision, detail with its actions, photos, export.

Views collect input and show results: every read goes through issues.selectors
with `request.viewer`, every write through issues.services, which check who
may (PermissionDenied is a 403, a ValidationError goes back on the form). The
detail page's actions are the transitions of `issues.transitions` that
`issues.access.issue_allowed_actions` allows: the same the API accepts.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from grids import selectors as grid_selectors
from grids.models import GridUnit
from guilin_portal.errors import ConflictError
from guilin_portal.forms import add_service_error
from guilin_portal.params import parse_id, parse_ids
from guilin_portal.uploads import protected_file_response
from issues import access, selectors, services, transitions
from issues.forms import (
    BulkAssignForm,
    ExtensionDecideForm,
    IssueFilterForm,
    IssueLogForm,
    MineFilterForm,
    SupervisionFilterForm,
    TaskDoneForm,
)
from issues.models import Issue, IssueCategory
from issues.pagination import CappedPaginator
from issues.selectors import IssueFilters

PAGE_SIZE = 30


def _page(request: HttpRequest, queryset):
    return CappedPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _filters(request: HttpRequest, form_class=IssueFilterForm) -> tuple[IssueFilterForm, IssueFilters]:
    """The list's filters from the query string (README "List filters"): `q`, `status`, `category`, `overdue`;
    my issues also `open=1`, supervision also `near_due=1`."""
    form = form_class(request.GET or None)
    if not form.is_valid():
        return form, IssueFilters()
    data = form.cleaned_data
    statuses = (data["status"],) if data.get("status") else ()
    if not statuses and data.get("open"):
        statuses = tuple(Issue.OPEN_STATUSES)
    return form, IssueFilters(
        statuses=statuses,
        category_id=data["category"].pk if data.get("category") else None,
        overdue=True if data.get("overdue") else None,
        near_due=bool(data.get("near_due")),
        text=(data.get("q") or "").strip(),
    )


# ---------------------------------------------------------------------------
# 收集: logging
# ---------------------------------------------------------------------------
@login_required
def issue_create(request: HttpRequest) -> HttpResponse:
    """Log a resident's issue. A one-time key makes a double tap or a resend log it once.

    Photos survive a form error: those that pass the checks are staged (issues.services.photos) and
    come back as thumbnails with hidden tokens, so the worker does not choose them again.
    """
    staged = []
    # The phone's offline queue (static/js/offline/queue.js) sends with this header and reads JSON:
    # 201 logged, 200 the same client_key again (the issue logged before), 400 the form's errors.
    queued = request.method == "POST" and request.headers.get("X-Portal-Queue") == "1"
    if request.method == "POST":
        form = IssueLogForm(request.POST, request.FILES, viewer=request.viewer)
        staged = selectors.staged_photos(
            viewer=request.viewer, tokens=services.parse_tokens(request.POST.getlist("staged"))
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                issue, created = services.issue_log(
                    reporter=request.user,
                    unit=data["unit"],
                    category=data["category"],
                    description=data["description"],
                    location_text=data["location_text"],
                    resident_name=data["resident_name"],
                    resident_phone=data["resident_phone"],
                    priority=data["priority"],
                    client_key=data["client_key"],
                    photos=[*services.staged_files(staged), *data["camera"], *data["photos"]],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    location_accuracy=data["location_accuracy"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                services.staged_discard(staged)
                if queued:
                    return _queued_answer(issue, created)
                _after_logging(request, issue, created)
                return redirect("issues:issue_detail", pk=issue.pk)
        if queued:
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        staged += services.photos_stage(
            owner=request.user,
            uploads=[*request.FILES.getlist("camera"), *request.FILES.getlist("photos")],
            room=Issue.MAX_PHOTOS - len(staged),
        )
    else:
        unit = selectors.default_log_unit(viewer=request.viewer)
        form = IssueLogForm(viewer=request.viewer, initial={"unit": unit.pk if unit else None})
        if unit is not None and form.fields["unit"].to_field_name == "code":
            form.initial["unit"] = unit.code
    return render(request, "issues/issue_form.html", {"form": form, "staged": staged})


@login_required
def staged_photo(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    """A photo staged on the log form, for its owner only (404 for anyone else)."""
    photo = selectors.staged_photo_get(viewer=request.viewer, token=token)
    return protected_file_response(photo.image)


def _queued_answer(issue: Issue, created: bool) -> JsonResponse:
    """What the offline queue needs: which issue, and whether this send logged it (201) or found it (200)."""
    return JsonResponse(
        {"id": issue.pk, "url": reverse("issues:issue_detail", args=[issue.pk]), "created": created},
        status=201 if created else 200,
    )


def _after_logging(request: HttpRequest, issue: Issue, created: bool) -> None:
    issue = selectors.issue_get(viewer=request.viewer, pk=issue.pk)  # routing may already have run (eager)
    if not created:
        messages.info(request, _("问题 #%(pk)s 已经登记过，这次重复提交没有再登记。") % {"pk": issue.pk})
        return
    if issue.status == Issue.Status.COLLECTED:
        messages.success(
            request,
            _("问题 #%(pk)s 已登记，正在等待分派；系统繁忙或网络中断时会自动重试，不会丢失。") % {"pk": issue.pk},
        )
    else:
        messages.success(
            request, _("问题 #%(pk)s 已登记并分派给：%(handler)s。") % {"pk": issue.pk, "handler": issue.handler_label}
        )
    similar = selectors.issue_similar_open(
        viewer=request.viewer, unit=issue.unit, category=issue.category, exclude_pk=issue.pk
    )
    if similar:
        messages.warning(
            request,
            _("注意：同一小区 7 天内还有 %(n)s 个同类问题未办结：%(list)s。")
            % {"n": len(similar), "list": "、".join(f"#{s.pk}" for s in similar)},
        )


@login_required
@require_GET
def issue_similar(request: HttpRequest) -> JsonResponse:
    """Open issues of the same category in the same compound from the last 7 days (the form's live warning)."""
    try:
        unit = selectors.loggable_units(viewer=request.viewer).get(pk=parse_id(request.GET.get("unit")))
        category = selectors.categories_active().get(pk=parse_id(request.GET.get("category")))
    except (GridUnit.DoesNotExist, IssueCategory.DoesNotExist):
        return JsonResponse({"issues": []})
    issues = selectors.issue_similar_open(viewer=request.viewer, unit=unit, category=category)
    return JsonResponse(
        {
            "issues": [
                {
                    "id": issue.pk,
                    "url": reverse("issues:issue_detail", args=[issue.pk]),
                    "unit": issue.unit.name,
                    "created_at": timezone.localtime(issue.created_at).strftime("%m-%d %H:%M"),
                    "status": issue.get_status_display(),
                    "summary": issue.description[:40],
                }
                for issue in issues
            ]
        }
    )


# ---------------------------------------------------------------------------
# Lists
# ---------------------------------------------------------------------------
@login_required
def issue_mine(request: HttpRequest) -> HttpResponse:
    """The issues I logged, with status and overdue badges."""
    filter_form, filters = _filters(request, MineFilterForm)
    page = _page(request, selectors.issue_mine(viewer=request.viewer, filters=filters))
    return render(
        request,
        "issues/issue_mine.html",
        {"page": page, "filter_form": filter_form, "internals": access.sees_routing_internals(request.viewer)},
    )


@login_required
def issue_inbox(request: HttpRequest) -> HttpResponse:
    """What is routed to me, my office or my department; sub-tasks; extension requests to decide."""
    filter_form, filters = _filters(request)
    page = _page(request, selectors.issue_inbox(viewer=request.viewer, filters=filters))
    colleagues = selectors.colleagues_of(viewer=request.viewer)
    return render(
        request,
        "issues/issue_inbox.html",
        {
            "page": page,
            "filter_form": filter_form,
            "internals": access.sees_routing_internals(request.viewer),
            "tasks": list(selectors.tasks_inbox(viewer=request.viewer)[:50]),
            "extensions": list(selectors.extensions_pending_for(viewer=request.viewer)[:50]),
            "colleagues": list(colleagues[:200]),
        },
    )


@login_required
@require_POST
def issue_bulk_assign(request: HttpRequest) -> HttpResponse:
    """Assign the ticked inbox issues to one colleague: all of them or none."""
    ids = [pk for pk in parse_ids(request.POST.getlist("issues")) if pk > 0]
    form = BulkAssignForm(request.POST, issue_ids=ids, candidates=selectors.colleagues_of(viewer=request.viewer))
    if not form.is_valid():
        messages.error(request, _("请选择问题和经办人。"))
        return redirect("issues:issue_inbox")
    visible = set(
        selectors.issue_list(viewer=request.viewer)
        .filter(pk__in=form.cleaned_data["issues"])
        .values_list("pk", flat=True)
    )
    try:
        services.issues_bulk_assign(
            actor=request.user, issue_ids=sorted(visible), assignee=form.cleaned_data["assignee"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        messages.error(request, str(error))
    except ConflictError as error:
        messages.warning(request, str(error))
    else:
        messages.success(
            request,
            _("已把 %(n)s 个问题指派给 %(name)s。")
            % {"n": len(visible), "name": form.cleaned_data["assignee"].display_name},
        )
    return redirect("issues:issue_inbox")


@login_required
def issue_supervision(request: HttpRequest) -> HttpResponse:
    """督办: overdue (red) and near-due (yellow) issues in my jurisdiction, the latest first, with days
    overdue and the acts the viewer may take on each (urge, reassign, lift), right from the list.

    Query string (README "List filters"): `q`, `status`, `category`, `overdue=1`, `escalated=1`
    (only those supervised at my level), `sort=late|least_late|level|new`.
    """
    filter_form, filters = _filters(request, SupervisionFilterForm)
    data = filter_form.cleaned_data if filter_form.is_bound and filter_form.is_valid() else {}
    escalated_only = bool(data.get("escalated"))
    sort = data.get("sort") or "late"
    page = _page(
        request,
        selectors.issue_supervision(viewer=request.viewer, escalated_only=escalated_only, filters=filters, sort=sort),
    )
    now = timezone.now()
    for issue in page.object_list:
        issue.days_overdue = selectors.days_overdue(issue, now)
        # Only the supervision transitions (the others' readiness may cost a query per row).
        allowed = {name for name in SUPERVISION_ACTS if transitions.get(name).allows(request.viewer, issue)}
        # Urge and lift take only a note: their forms sit on the row. Reassign needs the issue's own
        # handler choices (queries per issue), so the row links to the detail page with its panel open.
        issue.supervision_acts = [
            _action_panel(transitions.get(name), issue) for name in INLINE_ACTS if name in allowed
        ]
        issue.may_reassign = "reassign" in allowed
    return render(
        request,
        "issues/issue_supervision.html",
        {
            "page": page,
            "filter_form": filter_form,
            "escalated_only": escalated_only,
            "sort": sort,
            "back": request.get_full_path(),
            "internals": access.sees_routing_internals(request.viewer),
            "extensions": list(selectors.extensions_pending_for(viewer=request.viewer)[:50]),
        },
    )


# The acts the supervision list offers on each row, in this order (the detail page offers them too).
SUPERVISION_ACTS = frozenset({"urge", "reassign", "lift"})
INLINE_ACTS = ("urge", "lift")


def _action_panel(transition: transitions.Transition, issue: Issue, form=None) -> dict:
    return {
        "name": transition.name,
        "slug": transition.page_slug,
        "label": transition.heading,
        "form": form or transition.form(initial={"version": issue.version}, **transition.inputs(issue)),
        "open": form is not None,
    }


def _back_to(request: HttpRequest) -> str | None:
    """Where an action posted from a list returns: only the supervision list (with its filters)."""
    back = request.POST.get("next", "")
    supervision = reverse("issues:issue_supervision")
    if back == supervision or back.startswith(supervision + "?"):
        return back
    return None


# ---------------------------------------------------------------------------
# Detail and actions
# ---------------------------------------------------------------------------
def _detail_context(request: HttpRequest, issue: Issue, bound: dict | None = None) -> dict:
    """The issue and, for each transition the viewer may take now, its panel (a bound form after a refusal)."""
    viewer = request.viewer
    bound = bound or {}
    allowed = access.issue_allowed_actions(viewer, issue)
    actions = []
    for transition in transitions.registered():
        if transition.name not in allowed:
            continue
        panel = _action_panel(transition, issue, bound.get(transition.name))
        panel["open"] = panel["open"] or transition.name == request.GET.get("act")  # a list's link opens it
        actions.append(panel)
    tasks = selectors.issue_tasks(issue=issue)
    extensions = selectors.issue_extensions(issue=issue)
    for task in tasks:
        task.actions = access.task_allowed_actions(viewer, task, issue)
    for extension in extensions:
        extension.actions = access.extension_allowed_actions(viewer, extension)
    events = list(selectors.issue_events(issue=issue))
    if not access.sees_routing_internals(viewer):
        for event in events:
            event.note = selectors.public_event_note(event)
    return {
        "issue": issue,
        "resident_phone": access.resident_phone_for(viewer, issue),
        # A tap to call, only for those who see the number in full (the reporter and the handlers).
        "resident_phone_tel": issue.resident_phone if access.can_see_resident_contact(viewer, issue) else "",
        "internals": access.sees_routing_internals(viewer),
        "resident_name": access.resident_name_for(viewer, issue),
        "allowed": allowed,
        "is_handler": access.can_handle_issue(viewer, issue),
        "events": events,
        "tasks": tasks,
        "extensions": extensions,
        "photos": list(issue.photos.all()),
        "breadcrumbs": grid_selectors.unit_breadcrumbs(viewer=viewer, unit=issue.unit),
        "similar": selectors.issue_similar_open(
            viewer=viewer, unit=issue.unit, category=issue.category, exclude_pk=issue.pk
        )
        if issue.is_open
        else [],
        "actions": actions,
        "task_form": TaskDoneForm(),
        "decide_form": ExtensionDecideForm(),
    }


@login_required
def issue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One issue: facts, photos, timeline, and the actions this viewer may take now."""
    issue = selectors.issue_get(viewer=request.viewer, pk=pk, photos=True)
    return render(request, "issues/issue_detail.html", _detail_context(request, issue))


@login_required
@require_POST
def issue_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Take one transition; a refused one shows the detail again with the reason (400, or 409 if it changed).

    Who may is the service's to say: a viewer who may not gets its PermissionDenied (403).
    """
    transition = transitions.by_slug(action)
    if transition is None:
        raise Http404
    issue = selectors.issue_get(viewer=request.viewer, pk=pk)
    form = transition.form(request.POST, request.FILES, **transition.inputs(issue))
    status = 400
    if form.is_valid():
        call = transitions.Call(actor=request.user, viewer=request.viewer, issue=issue, data=form.cleaned_data)
        try:
            transition.run(call)
        except ValidationError as error:
            add_service_error(form, error)
        except ConflictError as error:
            messages.warning(request, str(error))
            status = 409
        else:
            messages.success(request, transition.done)
            return redirect(_back_to(request) or reverse("issues:issue_detail", args=[issue.pk]))
    if status == 400:
        messages.error(request, " ".join(form.non_field_errors()) or _("操作没有完成，请检查下面标红的内容。"))
    fresh = selectors.issue_get(viewer=request.viewer, pk=pk, photos=True)
    bound = {} if status == 409 else {transition.name: form}
    return render(request, "issues/issue_detail.html", _detail_context(request, fresh, bound), status=status)


@login_required
@require_POST
def task_complete(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(viewer=request.viewer, pk=pk)
    form = TaskDoneForm(request.POST)
    form.is_valid()
    try:
        services.issue_task_complete(actor=request.user, task=task, result=form.cleaned_data.get("result", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except ConflictError as error:
        messages.warning(request, str(error))
    else:
        messages.success(request, _("子任务已完成。"))
    return redirect("issues:issue_detail", pk=task.issue_id)


@login_required
@require_POST
def extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    extension = selectors.extension_get(viewer=request.viewer, pk=pk)  # 404 outside the viewer's sight
    form = ExtensionDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择同意或不同意。"))
        return redirect("issues:issue_detail", pk=extension.issue_id)
    try:
        services.extension_decide(
            actor=request.user,
            extension=extension,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except ConflictError as error:
        messages.warning(request, str(error))
    else:
        messages.success(request, _("延期申请已审批。"))
    back = request.POST.get("next")
    if back in (reverse("issues:issue_inbox"), reverse("issues:issue_supervision")):
        return redirect(back)
    return redirect("issues:issue_detail", pk=extension.issue_id)


@login_required
def issue_photo(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    """A photo, only for someone who may read its issue (404 otherwise, like the issue itself)."""
    photo = selectors.issue_photo_get(viewer=request.viewer, issue_pk=pk, photo_pk=photo_pk)
    return protected_file_response(photo.image)
