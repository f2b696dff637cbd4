"""Contract pages: lists, the contract page, drafting, status steps, progress entry, evidence download.

The contract page's buttons are `access.contract_allowed_actions` (with its evaluation's); each
action posts to a view that calls the service, which checks the same predicates (PermissionDenied:
403) and the input (ValidationError: the message on the page).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grids.models import GridUnit
from guilin_portal.forms import add_service_error
from guilin_portal.params import parse_id
from guilin_portal.uploads import protected_file_response

from .. import access, selectors, services
from ..forms import CommitmentForm, ContractForm, ItemForm, ProgressForm, ScoreForm, SendBackForm, SignForm
from ..models import Commitment, Contract, Evaluation, Progress
from ..periods import has_started

PAGE_SIZE = 50


@login_required
def contract_list(request: HttpRequest) -> HttpResponse:
    """Contracts in the viewer's subtree (staff) or of their own unit (contacts), filterable, 50 a page."""
    filters = {
        "year": parse_id(request.GET.get("year")),
        "status": request.GET.get("status") if request.GET.get("status") in Contract.Status.values else None,
        "within": parse_id(request.GET.get("within")),
        "search": (request.GET.get("q") or "").strip()[:50],
        # ?due=1: this quarter's progress not yet reported (the co-building contact's workbench count).
        "due": request.GET.get("due") == "1",
    }
    contracts = selectors.contract_list(viewer=request.viewer, **filters)
    page = Paginator(contracts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "contracts/contract_list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": Contract.Status.choices,
            "can_create": bool(access.draft_community_paths(request.viewer)),
        },
    )


@login_required
def contract_create(request: HttpRequest) -> HttpResponse:
    """A community's party organisation drafts a contract with a co-building unit (its communities to choose)."""
    paths = access.draft_community_paths(request.viewer)
    if not paths:
        raise PermissionDenied(_("只有社区党组织（社区工作人员）可以起草契约。"))
    communities = GridUnit.objects.filter(level=GridUnit.Level.COMMUNITY, path__in=paths).order_by("path")
    form = ContractForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.contract_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("契约草稿已创建，请填写需求清单和资源清单。"))
            return redirect("contracts:contract_detail", pk=contract.pk)
    return render(request, "contracts/contract_form.html", {"form": form})


@login_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The contract: lists, commitments with their quarters, evaluation and its history, tallies, timeline."""
    contract = selectors.contract_get(viewer=request.viewer, pk=pk)
    detail = selectors.contract_detail(contract=contract)
    today = timezone.localdate()
    return render(
        request,
        "contracts/contract_detail.html",
        {
            "contract": contract,
            "detail": detail,
            "actions": access.contract_allowed_actions(request.viewer, contract, detail.evaluation, today=today),
            "started": [q for q in (1, 2, 3, 4) if has_started(contract.year, q, today)],
            "acting_stage": access.acting_stage(request.viewer, contract, detail.evaluation),
            "score_form": ScoreForm(),
            "send_back_form": SendBackForm(),
            "item_form": ItemForm(),
            "sign_form": SignForm(initial={"signed_on": today}),
            "stage_order": [s for s in Evaluation.ORDER if s != Evaluation.Stage.DONE],
        },
    )


def _item_view(request: HttpRequest, pk: int, service, message: str) -> HttpResponse:
    contract = selectors.contract_get(viewer=request.viewer, pk=pk)
    form = ItemForm(request.POST)
    if form.is_valid():
        try:
            service(actor=request.user, contract=contract, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, message)
    else:
        messages.error(request, _("请填写名称。"))
    return redirect("contracts:contract_detail", pk=contract.pk)


@login_required
@require_POST
def demand_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_view(request, pk, services.demand_add, _("已添加到需求清单。"))


@login_required
@require_POST
def resource_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_view(request, pk, services.resource_add, _("已添加到资源清单。"))


@login_required
def commitment_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Pair a resource with a demand as a committed service item with quarterly targets."""
    contract = selectors.contract_get(viewer=request.viewer, pk=pk)
    if not access.can_manage(request.viewer, contract):
        # The form is the community's; once the lists are fixed the service says so on the form.
        raise PermissionDenied(_("只有本社区党组织（社区工作人员）可以管理这份契约。"))
    form = CommitmentForm(request.POST or None, contract=contract)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.commitment_add(
                actor=request.user,
                contract=contract,
                demand=data["demand"],
                resource=data["resource"],
                title=data["title"],
                target_kind=data["target_kind"],
                weight=data["weight"],
                targets=form.targets(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("承诺服务事项已添加。"))
            return redirect("contracts:contract_detail", pk=contract.pk)
    return render(request, "contracts/commitment_form.html", {"form": form, "contract": contract})


@login_required
@require_POST
def contract_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign, activate or close: one button each, the service decides whether it may happen."""
    contract = selectors.contract_get(viewer=request.viewer, pk=pk)
    action = request.POST.get("action")
    try:
        if action == "sign":
            form = SignForm(request.POST)
            if not form.is_valid():
                raise ValidationError({"signed_on": _("请填写签订日期。")})
            services.contract_sign(actor=request.user, contract=contract, signed_on=form.cleaned_data["signed_on"])
        elif action == "activate":
            services.contract_activate(actor=request.user, contract=contract)
        elif action == "close":
            services.contract_close(actor=request.user, contract=contract)
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("契约状态已更新。"))
    return redirect("contracts:contract_detail", pk=contract.pk)


@login_required
def progress_entry(request: HttpRequest, pk: int, commitment_pk: int, year: int, quarter: int) -> HttpResponse:
    """The unit contact reports a commitment's progress for a quarter, with evidence (phone-friendly)."""
    contract = selectors.contract_get(viewer=request.viewer, pk=pk)
    commitment = selectors.commitment_get(viewer=request.viewer, contract=contract, pk=commitment_pk)
    existing = Progress.objects.filter(commitment=commitment, year=year, quarter=quarter).first()
    target = commitment.targets.filter(quarter=quarter).first()
    initial = {}
    if existing:
        initial = {
            "status": existing.status,
            "achieved_count": existing.achieved_count,
            "evidence_text": existing.evidence_text,
        }
    form = ProgressForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.progress_report(
                actor=request.user,
                commitment=commitment,
                year=year,
                quarter=quarter,
                status=data["status"],
                achieved_count=data.get("achieved_count"),
                evidence_text=data.get("evidence_text", ""),
                evidence_file=data.get("evidence_file"),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("进度已保存。"))
            return redirect("contracts:contract_detail", pk=contract.pk)
    return render(
        request,
        "contracts/progress_form.html",
        {
            "form": form,
            "contract": contract,
            "commitment": commitment,
            "year": year,
            "quarter": quarter,
            "target": target,
            "existing": existing,
            "is_count": commitment.target_kind == Commitment.TargetKind.COUNT,
            "can_report": access.REPORT_PROGRESS in access.contract_allowed_actions(request.viewer, contract),
        },
    )


@login_required
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    """An evidence file, only to those who may read its contract (404 otherwise)."""
    progress = selectors.progress_get(viewer=request.viewer, pk=pk)
    if not progress.evidence_file:
        raise Http404
    return protected_file_response(progress.evidence_file, download_name=progress.evidence_name or None)


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    units = selectors.unit_list(viewer=request.viewer)
    page = Paginator(units, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "contracts/unit_list.html", {"page": page})
