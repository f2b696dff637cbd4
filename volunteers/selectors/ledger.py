"""Accounts, balances and statements."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Round

from grids.jurisdiction import jurisdiction_paths, jurisdiction_q
from grids.models import PATH_STEP, User

from .. import access
from ..models import Currency, LedgerAccount, LedgerPosting, Volunteer
from ..services.ledger import quantize


def _sees_system_accounts(viewer: User) -> bool:
    paths = jurisdiction_paths(viewer)
    return paths is None or any(len(path) == PATH_STEP for path in paths)


def account_q(viewer: User) -> Q:
    """Own accounts; accounts of people who live in the viewer's jurisdiction; the system's for city level."""
    volunteer = access.viewer_volunteer(viewer)
    q = jurisdiction_q(viewer, unit_field="volunteer__unit")
    if volunteer is not None:
        q |= Q(volunteer=volunteer)
    if _sees_system_accounts(viewer):
        q |= Q(volunteer__isnull=True)
    return q


def account_list(*, viewer: User, volunteer_id: int | None = None, mine: bool = False) -> QuerySet[LedgerAccount]:
    qs = LedgerAccount.objects.filter(account_q(viewer))
    if mine:
        volunteer = access.viewer_volunteer(viewer)
        qs = qs.filter(volunteer=volunteer) if volunteer is not None else qs.none()
    if volunteer_id:
        qs = qs.filter(volunteer_id=volunteer_id)
    return qs.select_related("volunteer").order_by("pk")


def account_get(*, viewer: User, pk: int) -> LedgerAccount:
    return access.get_visible_or_404(LedgerAccount.objects.select_related("volunteer"), account_q(viewer), pk=pk)


def account_statement(*, account: LedgerAccount) -> QuerySet[LedgerPosting]:
    """The account's movements, newest first, each with its entry and the balance after it."""
    return LedgerPosting.objects.filter(account=account).select_related("entry", "entry__created_by").order_by("-pk")


def balances_of(*, volunteer: Volunteer | None) -> dict[str, Decimal]:
    """{currency: balance} for the person, zero where no account was opened yet."""
    balances = {currency: Decimal("0.00") for currency in Currency.values}
    if volunteer is not None:
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


def ledger_totals() -> list[LedgerTotals]:
    """The ledger's own audit: per currency, the sums that must be zero and the counts that must be zero."""
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
