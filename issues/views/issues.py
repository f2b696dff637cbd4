"""Issue pages: log (phone-first), my issues, inbox, supervision, detail with its actions, photos, export.

Views collect input and show results; every rule is in grids.services and
every read goes through grids.selectors (jurisdiction, phone masking).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from grids import selectors as grid_selectors
from grids.forms import add_validation_error
from grids.models import GridUnit
from guilin_portal.errors import ConflictError
from guilin_portal.uploads import protected_file_response
from issues import selectors, services
from issues.forms import (
    AssignForm,
    BulkAssignForm,
    DecomposeForm,
    ExtensionDecideForm,
    ExtensionRequestForm,
    FeedbackForm,
    IssueFilterForm,
    IssueLogForm,
    NoteForm,
    PhotoForm,
    RejectForm,
    ResolveForm,
    SuspendForm,
    TaskDoneForm,
    VersionedForm,
)
from issues.handlers import can_record_feedback, is_issue_handler, is_task_handler
from issues.models import DeadlineExtension, Issue, IssueCategory
from issues.selectors import IssueFilters
from issues.services.supervision import can_supervise

PAGE_SIZE = 30


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _filters(request: HttpRequest) -> tuple[IssueFilterForm, IssueFilters]:
    form = IssueFilterForm(request.GET or None)
    if not form.is_valid():
        return form, IssueFilters()
    data = form.cleaned_data
    return form, IssueFilters(
        statuses=(data["status"],) if data.get("status") else (),
        category_id=data["category"].pk if data.get("category") else None,
        overdue=True if data.get("overdue") else None,
    )


# ---------------------------------------------------------------------------
# 收集: logging
# ---------------------------------------------------------------------------
@login_required
def issue_create(request: HttpRequest) -> HttpResponse:
    """Log a resident's issue. A one-time key makes a double tap or a resend log it once."""
    if request.method == "POST":
        form = IssueLogForm(request.POST, request.FILES, viewer=request.user)
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
                    photos=data["photos"],
                )
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                _after_logging(request, issue, created)
                return redirect("issues:issue_detail", pk=issue.pk)
    else:
        unit = selectors.default_log_unit(viewer=request.user)
        form = IssueLogForm(viewer=request.user, initial={"unit": unit.pk if unit else None})
        if unit is not None and form.fields["unit"].to_field_name == "code":
            form.initial["unit"] = unit.code
    return render(request, "issues/issue_form.html", {"form": form})


def _after_logging(request: HttpRequest, issue: Issue, created: bool) -> None:
    issue = selectors.issue_get(viewer=request.user, pk=issue.pk)  # routing may already have run (eager)
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
        viewer=request.user, unit=issue.unit, category=issue.category, exclude_pk=issue.pk
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
        unit = selectors.loggable_units(viewer=request.user).get(pk=int(request.GET.get("unit", "")))
        category = IssueCategory.objects.get(pk=int(request.GET.get("category", "")))
    except (ValueError, GridUnit.DoesNotExist, IssueCategory.DoesNotExist):
        return JsonResponse({"issues": []})
    issues = selectors.issue_similar_open(viewer=request.user, unit=unit, category=category)
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
    filter_form, filters = _filters(request)
    page = _page(request, selectors.issue_mine(viewer=request.user, filters=filters))
    return render(request, "issues/issue_mine.html", {"page": page, "filter_form": filter_form})


@login_required
def issue_inbox(request: HttpRequest) -> HttpResponse:
    """What is routed to me, my office or my department; sub-tasks; extension requests to decide."""
    page = _page(request, selectors.issue_inbox(viewer=request.user))
    colleagues = selectors.colleagues_of(viewer=request.user)
    return render(
        request,
        "issues/issue_inbox.html",
        {
            "page": page,
            "tasks": list(selectors.tasks_inbox(viewer=request.user)[:50]),
            "extensions": list(selectors.extensions_pending_for(viewer=request.user)[:50]),
            "colleagues": list(colleagues[:200]),
        },
    )


@login_required
@require_POST
def issue_bulk_assign(request: HttpRequest) -> HttpResponse:
    """Assign the ticked inbox issues to one colleague: all of them or none."""
    ids = [int(v) for v in request.POST.getlist("issues") if v.isdigit()]
    form = BulkAssignForm(request.POST, issue_ids=ids, candidates=selectors.colleagues_of(viewer=request.user))
    if not form.is_valid():
        messages.error(request, _("请选择问题和经办人。"))
        return redirect("issues:issue_inbox")
    visible = set(
        selectors.issue_list(viewer=request.user)
        .filter(pk__in=form.cleaned_data["issues"])
        .values_list("pk", flat=True)
    )
    try:
        services.issues_bulk_assign(
            actor=request.user, issue_ids=sorted(visible), assignee=form.cleaned_data["assignee"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
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
    """督办: overdue (red) and near-due (yellow) issues in my jurisdiction; those escalated to my level."""
    escalated_only = request.GET.get("escalated") == "1"
    page = _page(request, selectors.issue_supervision(viewer=request.user, escalated_only=escalated_only))
    return render(
        request,
        "issues/issue_supervision.html",
        {
            "page": page,
            "escalated_only": escalated_only,
            "extensions": list(selectors.extensions_pending_for(viewer=request.user)[:50]),
        },
    )


# ---------------------------------------------------------------------------
# Detail and actions
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Action:
    form: type
    run: Callable  # (request, issue, cleaned_data, form) -> object
    done: str  # the message on success


def _duplicate(request: HttpRequest, pk: int | None) -> Issue | None:
    if not pk:
        return None
    try:
        return selectors.issue_get(viewer=request.user, pk=pk)
    except Http404 as exc:
        raise ValidationError({"duplicate_of": _("找不到问题 #%(pk)s。") % {"pk": pk}}) from exc


def _decompose(request, issue, data, form):
    specs = form.task_specs()
    if form.errors:
        raise ValidationError({"tasks": _("请为每个子任务选择承办方。")})
    return services.issue_decompose(actor=request.user, issue=issue, tasks=specs, expected_version=data["version"])


ACTIONS: dict[str, Action] = {
    "accept": Action(
        VersionedForm,
        lambda r, i, d, f: services.issue_accept(actor=r.user, issue=i, expected_version=d["version"]),
        gettext_lazy("已受理。"),
    ),
    "progress": Action(
        NoteForm,
        lambda r, i, d, f: services.issue_progress(actor=r.user, issue=i, note=d["note"]),
        gettext_lazy("已记录进展。"),
    ),
    "resolve": Action(
        ResolveForm,
        lambda r, i, d, f: services.issue_resolve(
            actor=r.user, issue=i, resolution=d["resolution"], expected_version=d["version"]
        ),
        gettext_lazy("已办结，等待群众反馈。"),
    ),
    "feedback": Action(
        FeedbackForm,
        lambda r, i, d, f: services.issue_feedback(
            actor=r.user, issue=i, satisfaction=d["satisfaction"], note=d["note"], expected_version=d["version"]
        ),
        gettext_lazy("已记录群众反馈。"),
    ),
    "suspend": Action(
        SuspendForm,
        lambda r, i, d, f: services.issue_suspend(
            actor=r.user, issue=i, reason=d["reason"], expected_version=d["version"]
        ),
        gettext_lazy("已挂起。"),
    ),
    "resume": Action(
        NoteForm,
        lambda r, i, d, f: services.issue_resume(actor=r.user, issue=i, note=d["note"], expected_version=d["version"]),
        gettext_lazy("已恢复办理。"),
    ),
    "reject": Action(
        RejectForm,
        lambda r, i, d, f: services.issue_reject(
            actor=r.user,
            issue=i,
            reason=d["reason"],
            note=d["note"],
            duplicate_of=_duplicate(r, d["duplicate_of"]),
            expected_version=d["version"],
        ),
        gettext_lazy("已退回。"),
    ),
    "escalate": Action(
        NoteForm,
        lambda r, i, d, f: services.issue_escalate(
            actor=r.user, issue=i, note=d["note"], expected_version=d["version"]
        ),
        gettext_lazy("已上报上一级。"),
    ),
    "extension": Action(
        ExtensionRequestForm,
        lambda r, i, d, f: services.extension_request(
            actor=r.user, issue=i, hours=d["hours"], reason=d["reason"], expected_version=d["version"]
        ),
        gettext_lazy("延期申请已提交，等待上一级审批。"),
    ),
    "assign": Action(
        AssignForm,
        lambda r, i, d, f: services.issue_assign(
            actor=r.user, issue=i, assignee=d["assignee"], expected_version=d["version"]
        ),
        gettext_lazy("已指派。"),
    ),
    "decompose": Action(DecomposeForm, _decompose, gettext_lazy("已分解为子任务。")),
    "photo": Action(
        PhotoForm,
        lambda r, i, d, f: services.issue_photo_add(actor=r.user, issue=i, image=d["image"]),
        gettext_lazy("照片已上传。"),
    ),
}


# The order and titles of the action panels on the detail page.
ACTION_TITLES = {
    "accept": gettext_lazy("受理"),
    "feedback": gettext_lazy("记录群众反馈"),
    "resume": gettext_lazy("恢复办理"),
    "resolve": gettext_lazy("办结"),
    "progress": gettext_lazy("记录进展"),
    "assign": gettext_lazy("指派经办人"),
    "decompose": gettext_lazy("分解为子任务"),
    "extension": gettext_lazy("申请延期"),
    "suspend": gettext_lazy("挂起"),
    "escalate": gettext_lazy("上报上一级"),
    "reject": gettext_lazy("退回"),
    "photo": gettext_lazy("上传照片"),
}


def _form_kwargs(action: str, issue: Issue) -> dict:
    if action == "assign":
        return {"candidates": selectors.assignee_candidates(issue=issue)}
    if action == "decompose":
        return {"handler_choices": services.task_handler_choices(issue)}
    return {}


def _detail_context(request: HttpRequest, issue: Issue, bound: dict | None = None) -> dict:
    viewer = request.user
    handler = viewer.is_superuser or is_issue_handler(viewer, issue)
    allowed = services.allowed_actions(issue)
    names = {
        "accept": "accept",
        "progress": "progress",
        "resolve": "resolve",
        "suspend": "suspend",
        "resume": "resume",
        "reject": "reject",
        "escalate": "escalate",
        "request_extension": "extension",
        "assign": "assign",
        "decompose": "decompose",
    }
    forms = {}
    if handler:
        for service_action, action in names.items():
            if service_action in allowed:
                forms[action] = ACTIONS[action].form(initial={"version": issue.version}, **_form_kwargs(action, issue))
    if "feedback" in allowed and can_record_feedback(viewer, issue):
        forms["feedback"] = FeedbackForm(initial={"version": issue.version})
    if (
        "add_photo" in allowed
        and (handler or issue.reporter_id == viewer.pk)
        and issue.photos.count() < Issue.MAX_PHOTOS
    ):
        forms["photo"] = PhotoForm()
    forms.update(bound or {})
    actions = [
        {"name": name, "label": ACTION_TITLES[name], "form": forms[name], "open": name in (bound or {})}
        for name in ACTION_TITLES
        if name in forms
    ]
    tasks = selectors.issue_tasks(issue=issue)
    extensions = selectors.issue_extensions(issue=issue)
    for task in tasks:
        task.can_complete = task.status == "open" and (handler or is_task_handler(viewer, task))
    for extension in extensions:
        extension.can_decide = extension.status == DeadlineExtension.Status.PENDING and can_supervise(
            viewer, extension.approver_unit
        )
    return {
        "issue": issue,
        "resident_phone": selectors.issue_resident_phone_for(viewer, issue),
        "resident_name": selectors.issue_resident_name_for(viewer, issue),
        "is_handler": handler,
        "events": list(selectors.issue_events(viewer=viewer, issue=issue)),
        "tasks": tasks,
        "extensions": extensions,
        "photos": list(issue.photos.order_by("pk")),
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
    issue = selectors.issue_get(viewer=request.user, pk=pk)
    return render(request, "issues/issue_detail.html", _detail_context(request, issue))


@login_required
@require_POST
def issue_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Run one life-cycle action; a refused one shows the detail again with the reason (400, or 409 if it changed)."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    issue = selectors.issue_get(viewer=request.user, pk=pk)
    form = spec.form(request.POST, request.FILES, **_form_kwargs(action, issue))
    status = 400
    if form.is_valid():
        try:
            spec.run(request, issue, form.cleaned_data, form)
        except ValidationError as error:
            add_validation_error(form, error)
        except ConflictError as error:
            messages.warning(request, str(error))
            status = 409
        else:
            messages.success(request, spec.done)
            return redirect("issues:issue_detail", pk=issue.pk)
    if status == 400:
        messages.error(request, " ".join(form.non_field_errors()) or _("操作没有完成，请检查下面标红的内容。"))
    fresh = selectors.issue_get(viewer=request.user, pk=pk)
    bound = {} if status == 409 else {action: form}
    return render(request, "issues/issue_detail.html", _detail_context(request, fresh, bound), status=status)


@login_required
@require_POST
def task_complete(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(viewer=request.user, pk=pk)
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
    extension = DeadlineExtension.objects.filter(pk=pk).first()
    if extension is None:
        raise Http404
    selectors.issue_get(viewer=request.user, pk=extension.issue_id)  # 404 outside jurisdiction
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
    photo = selectors.issue_photo_get(viewer=request.user, issue_pk=pk, photo_pk=photo_pk)
    return protected_file_response(photo.image)
