"""The evaluation inbox and the stage actions (score, send back). The service enforces role and order."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guilin_portal.params import parse_id

from .. import selectors, services
from ..models import Evaluation


@login_required
def evaluation_inbox(request: HttpRequest) -> HttpResponse:
    """Evaluations waiting for a stage the viewer holds the role of, oldest year first."""
    page = Paginator(selectors.evaluation_inbox(viewer=request.viewer), 50).get_page(request.GET.get("page"))
    return render(request, "contracts/evaluation_inbox.html", {"page": page})


@login_required
@require_POST
def evaluation_act(request: HttpRequest, pk: int) -> HttpResponse:
    """Score the waiting stage or send it back. Wrong role or out of turn: 403 from the service."""
    contract = selectors.contract_get(viewer=request.viewer, pk=pk)
    evaluation = Evaluation.objects.filter(contract=contract).first()
    if evaluation is None:
        raise Http404
    stage = request.POST.get("stage", "")
    action = request.POST.get("action")
    try:
        if action == "submit":
            # Not a number: None, which the service refuses with the same message as 101.
            score = parse_id(request.POST.get("score"))
            services.evaluation_submit(
                actor=request.user,
                evaluation=evaluation,
                stage=stage,
                score=score,
                comments=request.POST.get("comments", ""),
            )
            messages.success(request, _("评分已提交。"))
        elif action == "send_back":
            services.evaluation_send_back(
                actor=request.user, evaluation=evaluation, stage=stage, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("已退回上一环节。"))
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(reverse("contracts:contract_detail", args=[contract.pk]) + "#evaluation")
