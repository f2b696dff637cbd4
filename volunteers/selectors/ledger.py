"""Accounts, balances and statements."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Round

from grids.viewer import Viewer

from .. import access
from ..models import Currency, LedgerAccount, LedgerPosting, Volunteer
from ..services.ledger import quantize
from ._common import get_visible_or_404


def account_list(*, viewer: Viewer, volunteer_id: int | None = None, mine: bool = False) -> QuerySet[LedgerAccount]:
    """Accounts the viewer may see (`access.account_visible_q`), in the order they were opened."""
    qs = LedgerAccount.objects.filter(access.account_visible_q(viewer))
    if mine:
        qs = qs.filter(volunteer_id=viewer.volunteer_id) if viewer.volunteer_id is not None else qs.none()
    if volunteer_id:
        qs = qs.filter(volunteer_id=volunteer_id)
    return qs.select_related("volunteer").order_by("pk")


def account_get(*, viewer: Viewer, pk: int) -> LedgerAccount:
    """An account the viewer may see (with its holder and where they live), or 404."""
    return get_visible_or_404(
        LedgerAccount.objects.select_related("volunteer__unit"), access.account_visible_q(viewer), pk=pk
    )


def account_statement(*, account: LedgerAccount) -> QuerySet[LedgerPosting]:
    """The movements of an account the caller has checked, newest first, each with its entry and the
    balance after it."""
    return LedgerPosting.objects.filter(account=account).select_related("entry", "entry__created_by").order_by("-pk")


def balances_of(*, volunteer: Volunteer) -> dict[str, Decimal]:
    """{currency: balance} for a person the caller has checked, zero where no account was opened yet."""
    balances = {currency: Decimal("0.00") for currency in Currency.values}
    for currency, balance in LedgerAccount.objects.filter(volunteer=volunteer).values_list("currency", "balance"):
        balances[currency] = balance
    return balances


@dataclass(frozen=True)
class LedgerTotals:
    currency: str
    postings_sum: Decimal  # zero when every entry balanced
    balances_sum: Decimal  # zero too
    drift: int  # accounts whose balance differs from the sum of their postings
    negative_personal: int  # accounts that may not go negative and did


def ledger_totals(*, viewer: Viewer) -> list[LedgerTotals]:
    """The ledger's own audit: per currency, the sums that must be zero and the counts that must be zero.

    Sums over every account in the city: for a viewer who sees everything (the nightly task, as the
    system; a superuser).
    """
    if not viewer.sees_everything:
        raise PermissionDenied
    postings = dict(LedgerPosting.objects.values("currency").annotate(s=Sum("amount")).values_list("currency", "s"))
    balances = dict(LedgerAccount.objects.values("currency").annotate(s=Sum("balance")).values_list("currency", "s"))
    negatives = dict(
        LedgerAccount.objects.filter(allow_negative=False, balance__lt=0)
        .values("currency")
        .annotate(n=Count("pk"))
        .values_list("currency", "n")
    )
    posted = (
        LedgerPosting.objects.filter(account=OuterRef("pk")).values("account").annotate(s=Sum("amount")).values("s")
    )
    drifting = dict(
        LedgerAccount.objects.annotate(
            # Rounded to the cent: SQLite sums decimals as floating point.
            posted=Round(
                Coalesce(
                    Subquery(posted), Value(Decimal("0")), output_field=DecimalField(max_digits=14, decimal_places=2)
                ),
                2,
            )
        )
        .exclude(balance=F("posted"))
        .values("currency")
        .annotate(n=Count("pk"))
        .values_list("currency", "n")
    )
    return [
        LedgerTotals(
            currency=currency,
            postings_sum=quantize(postings.get(currency) or 0),
            balances_sum=quantize(balances.get(currency) or 0),
            drift=drifting.get(currency) or 0,
            negative_personal=negatives.get(currency) or 0,
        )
        for currency in Currency.values
    ]
