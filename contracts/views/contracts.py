"""Contract pages: lists, the contract page, drafting, status steps, progress entry, evidence download."""

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

from grids.models import GridUnit, Post
from guilin_portal.uploads import protected_file_response

from .. import selectors, services
from ..forms import (
    CommitmentForm,
    ContractForm,
    ItemForm,
    ProgressForm,
    ScoreForm,
    SendBackForm,
    SignForm,
    add_service_error,
)
from ..models import Commitment, Contract, Evaluation, Progress
from ..periods import has_started
from ..roles import actionable_stages, can_manage, is_contact_of, role_paths

PAGE_SIZE = 50


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@login_required
def contract_list(request: HttpRequest) -> HttpResponse:
    """Contracts in the viewer's subtree (staff) or of their own unit (contacts), filterable, 50 a page."""
    filters = {
        "year": _int(request.GET.get("year")),
        "status": request.GET.get("status") if request.GET.get("status") in Contract.Status.values else None,
        "within": _int(request.GET.get("within")),
        "search": (request.GET.get("q") or "").strip()[:50],
    }
    contracts = selectors.contract_list(viewer=request.user, **filters)
    page = Paginator(contracts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "contracts/contract_list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": Contract.Status.choices,
            "can_create": bool(role_paths(request.user).get(Post.Role.COMMUNITY_STAFF)),
        },
    )


def _staff_communities(user):
    return GridUnit.objects.filter(
        level=GridUnit.Level.COMMUNITY, path__in=role_paths(user).get(Post.Role.COMMUNITY_STAFF, [])
    ).order_by("path")


@login_required
def contract_create(request: HttpRequest) -> HttpResponse:
    """A community's party organisation drafts a contract with a co-building unit."""
    communities = _staff_communities(request.user)
    if not communities.exists():
        raise PermissionDenied(_("只有社区党组织（社区工作人员）可以起草契约。"))
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
    contract = selectors.contract_get(viewer=request.user, pk=pk)
    detail = selectors.contract_detail(contract=contract)
    manager = can_manage(request.user, contract)
    contact = is_contact_of(request.user, contract)
    today = timezone.localdate()
    stages = actionable_stages(request.user, contract)
    evaluation = detail.evaluation
    acting_stage = evaluation.stage if evaluation and evaluation.stage in stages else None
    return render(
        request,
        "contracts/contract_detail.html",
        {
            "contract": contract,
            "detail": detail,
            "manager": manager,
            "editable": manager and contract.status in (Contract.Status.DRAFT, Contract.Status.SIGNED),
            "can_report": contact and contract.status == Contract.Status.ACTIVE,
            "started": [q for q in (1, 2, 3, 4) if has_started(contract.year, q, today)],
            "acting_stage": acting_stage,
            "can_send_back": acting_stage is not None and Evaluation.previous_stage(acting_stage) is not None,
            "score_form": ScoreForm(),
            "send_back_form": SendBackForm(),
            "item_form": ItemForm(),
            "sign_form": SignForm(initial={"signed_on": today}),
            "stage_order": [s for s in Evaluation.ORDER if s != Evaluation.Stage.DONE],
        },
    )


def _item_view(request: HttpRequest, pk: int, service, message: str) -> HttpResponse:
    contract = selectors.contract_get(viewer=request.user, pk=pk)
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
    contract = selectors.contract_get(viewer=request.user, pk=pk)
    if not can_manage(request.user, contract):
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
    contract = selectors.contract_get(viewer=request.user, pk=pk)
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
    contract = selectors.contract_get(viewer=request.user, pk=pk)
    commitment = selectors.commitment_get(viewer=request.user, contract=contract, pk=commitment_pk)
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
    if request.method == "POST":
        if not is_contact_of(request.user, contract):
            raise PermissionDenied(_("只有共建单位的联系人可以填报进度。"))
        if form.is_valid():
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
        },
    )


@login_required
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    """An evidence file, only to those who may read its contract (404 otherwise)."""
    progress = selectors.progress_get(viewer=request.user, pk=pk)
    if not progress.evidence_file:
        raise Http404
    return protected_file_response(progress.evidence_file, download_name=progress.evidence_name or None)


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    units = selectors.unit_list(viewer=request.user)
    page = Paginator(units, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "contracts/unit_list.html", {"page": page})
