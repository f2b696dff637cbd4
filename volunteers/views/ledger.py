"""My hours and balances, account statements, withdrawals for elderly care, transfers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access, selectors, services
from ..forms import TransferForm, WithdrawForm
from ..models import Currency
from ._helpers import paginate, refuse_invalid_form, run_action


@login_required
def my_hours(request: HttpRequest) -> HttpResponse:
    """Verified hours (pending ones shown apart: they count nowhere), balances, and a statement."""
    summary = selectors.my_summary(viewer=request.viewer)
    accounts = list(selectors.account_list(viewer=request.viewer, mine=True))
    chosen = None
    if accounts:
        wanted = request.GET.get("account")
        chosen = next((a for a in accounts if str(a.pk) == wanted), accounts[0])
    context = {
        "summary": summary,
        "accounts": accounts,
        "chosen": chosen,
        "statement": paginate(request, selectors.account_statement(account=chosen), per_page=30) if chosen else None,
        "records": selectors.record_list(viewer=request.viewer, mine=True)[:10],
    }
    if summary.volunteer is not None:
        context["transfer_form"] = TransferForm()
    return render(request, "volunteers/my_hours.html", context)


@login_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Anyone's account the viewer may see (their jurisdiction), with its statement; staff may draw on it."""
    account = selectors.account_get(viewer=request.viewer, pk=pk)
    actions = access.account_allowed_actions(request.viewer, account)
    return render(
        request,
        "volunteers/account_detail.html",
        {
            "account": account,
            "actions": actions,
            "statement": paginate(request, selectors.account_statement(account=account), per_page=30),
            "withdraw_form": WithdrawForm() if "withdraw" in actions else None,
        },
    )


@login_required
@require_POST
def account_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff record an elder's care drawn on the time bank, or a points redemption."""
    account = selectors.account_get(viewer=request.viewer, pk=pk)
    next_url = reverse("volunteers:account_detail", args=[account.pk])
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return refuse_invalid_form(request, form, next_url=next_url)
    data = form.cleaned_data
    success = _("已从时间银行支取。") if account.currency == Currency.HOURS else _("积分已兑换。")

    def action():
        return services.account_withdraw(account=account, amount=data["amount"], actor=request.user, memo=data["memo"])

    return run_action(request, action, success=success, next_url=next_url)


@login_required
@require_POST
def my_transfer(request: HttpRequest) -> HttpResponse:
    """Give one's own hours or points to someone (a parent who needs care, say)."""
    next_url = reverse("volunteers:my_hours")
    own = selectors.volunteer_own(viewer=request.viewer)
    form = TransferForm(request.POST)
    if own is None or not form.is_valid():
        return refuse_invalid_form(request, form, next_url=next_url)
    data = form.cleaned_data
    target = selectors.volunteer_find(viewer=request.viewer, full_name=data["target_name"], phone=data["target_phone"])
    if target is None:
        messages.error(request, str(services.TRANSFER_TARGET_UNKNOWN))
        return redirect(next_url)
    return run_action(
        request,
        lambda: services.ledger_transfer(
            source=own,
            target=target,
            currency=data["currency"],
            amount=data["amount"],
            actor=request.user,
            memo=data["memo"],
        ),
        success=_("已转赠。"),
        next_url=next_url,
    )
