"""Writes to the ledger: balanced entries, withdrawals, redemptions, transfers and reversals.

The rules, in one place:
- an entry's postings sum to zero in each currency (double entry);
- the accounts an entry touches are locked in primary-key order (no deadlock
  between two entries touching the same accounts), then each new balance is
  checked: a personal account never goes below zero. The database's
  `ledger_account_balance_allowed` check holds the same rule if code ever forgets;
- nothing is edited or deleted: a correction is a reversing entry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grids.models import User
from grids.viewer import viewer_of

from .. import access
from ..models import Currency, LedgerAccount, LedgerEntry, LedgerPosting, Volunteer
from ._common import deny

CENT = Decimal("0.01")

SYSTEM_ACCOUNT_NAMES = {
    (LedgerAccount.Kind.ISSUANCE, Currency.HOURS): "时间银行发行账户",
    (LedgerAccount.Kind.REDEMPTION, Currency.HOURS): "时间银行养老服务兑付账户",
    (LedgerAccount.Kind.ISSUANCE, Currency.POINTS): "党员积分发行账户",
    (LedgerAccount.Kind.REDEMPTION, Currency.POINTS): "党员积分兑换账户",
}


def quantize(amount: Decimal | int | str) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def system_account(*, kind: str, currency: str) -> LedgerAccount:
    """The system's issuing or redemption account for a currency, opened on first use."""
    account = LedgerAccount.objects.filter(kind=kind, currency=currency, volunteer=None).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            account, _created = LedgerAccount.objects.get_or_create(
                kind=kind,
                currency=currency,
                volunteer=None,
                defaults={
                    "name": SYSTEM_ACCOUNT_NAMES[(kind, currency)],
                    "allow_negative": kind == LedgerAccount.Kind.ISSUANCE,
                },
            )
    except IntegrityError:  # opened by a concurrent transaction a moment ago
        account = LedgerAccount.objects.get(kind=kind, currency=currency, volunteer=None)
    return account


def personal_account(*, volunteer: Volunteer, currency: str) -> LedgerAccount:
    """The volunteer's account in a currency, opened on first use."""
    account = LedgerAccount.objects.filter(
        kind=LedgerAccount.Kind.PERSONAL, currency=currency, volunteer=volunteer
    ).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            account, _created = LedgerAccount.objects.get_or_create(
                kind=LedgerAccount.Kind.PERSONAL,
                currency=currency,
                volunteer=volunteer,
                defaults={"name": volunteer.full_name},
            )
    except IntegrityError:
        account = LedgerAccount.objects.get(kind=LedgerAccount.Kind.PERSONAL, currency=currency, volunteer=volunteer)
    return account


def _shortfall_message(account: LedgerAccount, balance: Decimal, change: Decimal) -> str:
    return _("“%(account)s”余额不足：现有 %(balance)s，需要 %(needed)s。") % {
        "account": account.name,
        "balance": balance,
        "needed": -change,
    }


@transaction.atomic
def ledger_post(
    *,
    kind: str,
    lines: Sequence[tuple[LedgerAccount, Decimal]],
    actor: User | None,
    memo: str = "",
    reverses: LedgerEntry | None = None,
) -> LedgerEntry:
    """Write one balanced entry: lock its accounts in pk order, check every balance, post.

    Raises ValidationError (nothing written) when the lines do not balance per
    currency or a personal account would go below zero.
    """
    if len(lines) < 2:
        raise ValidationError({"lines": _("一笔分录至少要有两行。")})
    changes: dict[int, Decimal] = defaultdict(Decimal)
    order: list[tuple[int, Decimal]] = []
    for account, amount in lines:
        amount = quantize(amount)
        if amount == 0:
            raise ValidationError({"amount": _("金额不能为零。")})
        changes[account.pk] += amount
        order.append((account.pk, amount))

    # Lock every account the entry touches, always in primary-key order.
    locked = {
        account.pk: account
        for account in LedgerAccount.objects.select_for_update().filter(pk__in=changes).order_by("pk")
    }
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for account_id, amount in order:
        totals[locked[account_id].currency] += amount
    unbalanced = [currency for currency, total in totals.items() if total != 0]
    if unbalanced:
        raise ValidationError(
            {"lines": _("分录不平衡：%(currencies)s 的借贷合计不为零。") % {"currencies": "、".join(unbalanced)}}
        )
    for account_id, change in changes.items():
        account = locked[account_id]
        if not account.allow_negative and account.balance + change < 0:
            raise ValidationError({"amount": _shortfall_message(account, account.balance, change)})

    if kind not in LedgerEntry.Kind.values:
        raise ValidationError({"kind": _("未知的分录类型。")})
    # Every value below is the service's own; the table's constraints hold the rest (one reversal per entry).
    entry = LedgerEntry.objects.create(
        kind=kind, memo=memo[:300], created_by=actor, created_at=timezone.now(), reverses=reverses
    )
    postings = []
    running = {account_id: account.balance for account_id, account in locked.items()}
    for account_id, amount in order:
        running[account_id] += amount
        postings.append(
            LedgerPosting(
                entry=entry,
                account_id=account_id,
                currency=locked[account_id].currency,
                amount=amount,
                balance_after=running[account_id],
            )
        )
    LedgerPosting.objects.bulk_create(postings)
    touched = []
    for account_id in sorted(changes):
        account = locked[account_id]
        account.balance = running[account_id]
        touched.append(account)
    # One UPDATE under the locks we hold; the CHECK constraint is the last guard.
    LedgerAccount.objects.bulk_update(touched, ["balance"])
    return entry


def _positive(amount: Decimal, field: str = "amount") -> Decimal:
    try:
        amount = quantize(amount)
    except (ArithmeticError, ValueError, TypeError) as exc:
        raise ValidationError({field: _("请输入有效的数额。")}) from exc
    if amount <= 0:
        raise ValidationError({field: _("数额必须大于零。")})
    return amount


def _check_staff_over(actor: User, volunteer: Volunteer) -> None:
    if not access.can_draw_on(viewer_of(actor), volunteer):
        raise deny(_("只有志愿者居住地的社区（及上级）工作人员可以办理。"))


@transaction.atomic
def timebank_withdraw(*, volunteer: Volunteer, hours: Decimal, actor: User, memo: str = "") -> LedgerEntry:
    """Draw saved hours for elderly care (registered by the staff where the person lives); never below zero."""
    _check_staff_over(actor, volunteer)
    hours = _positive(hours, "hours")
    if hours > 24:
        raise ValidationError({"hours": _("单次支取不能超过24小时。")})
    account = personal_account(volunteer=volunteer, currency=Currency.HOURS)
    sink = system_account(kind=LedgerAccount.Kind.REDEMPTION, currency=Currency.HOURS)
    return ledger_post(
        kind=LedgerEntry.Kind.WITHDRAWAL,
        lines=[(account, -hours), (sink, hours)],
        actor=actor,
        memo=memo or _("养老服务支取"),
    )


@transaction.atomic
def points_redeem(*, volunteer: Volunteer, points: Decimal, actor: User, memo: str = "") -> LedgerEntry:
    """Spend party-member points (积分兑换, registered by the staff where the person lives); never below zero."""
    _check_staff_over(actor, volunteer)
    points = _positive(points, "points")
    account = personal_account(volunteer=volunteer, currency=Currency.POINTS)
    sink = system_account(kind=LedgerAccount.Kind.REDEMPTION, currency=Currency.POINTS)
    return ledger_post(
        kind=LedgerEntry.Kind.REDEMPTION,
        lines=[(account, -points), (sink, points)],
        actor=actor,
        memo=memo or _("积分兑换"),
    )


@transaction.atomic
def account_withdraw(*, account: LedgerAccount, amount: Decimal, actor: User, memo: str = "") -> LedgerEntry:
    """Draw on a person's account: hours for elderly care from an hours account, a points redemption from
    a points account (staff where the person lives; never on the system's accounts)."""
    if "withdraw" not in access.account_allowed_actions(viewer_of(actor), account):
        raise deny(_("只有志愿者居住地的社区（及上级）工作人员可以办理。"))
    if account.currency == Currency.HOURS:
        return timebank_withdraw(volunteer=account.volunteer, hours=amount, actor=actor, memo=memo)
    return points_redeem(volunteer=account.volunteer, points=amount, actor=actor, memo=memo)


TRANSFER_TARGET_UNKNOWN = gettext_lazy("没有找到可以转赠的这个人。")


@transaction.atomic
def ledger_transfer(
    *, source: Volunteer, target: Volunteer, currency: str, amount: Decimal, actor: User, memo: str = ""
) -> LedgerEntry:
    """Move hours or points from one person to another in one atomic entry (e.g. hours for a parent).

    The giver themself may, or the staff where the giver lives.
    """
    if not access.can_transfer_from(viewer_of(actor), source):
        raise deny(_("只能转出本人的时长或积分。"))
    if not access.can_transfer_to(viewer_of(actor), target):
        # The same words as an unknown person: a refusal never tells that someone exists out of sight.
        raise ValidationError({"target": str(TRANSFER_TARGET_UNKNOWN)})
    amount = _positive(amount)
    if source.pk == target.pk:
        raise ValidationError({"target": _("不能转给自己。")})
    if currency not in Currency.values:
        raise ValidationError({"currency": _("未知币种。")})
    found = {
        account.volunteer_id: account
        for account in LedgerAccount.objects.filter(
            kind=LedgerAccount.Kind.PERSONAL, currency=currency, volunteer__in=[source, target]
        )
    }
    source_account = found.get(source.pk) or personal_account(volunteer=source, currency=currency)
    target_account = found.get(target.pk) or personal_account(volunteer=target, currency=currency)
    return ledger_post(
        kind=LedgerEntry.Kind.TRANSFER,
        lines=[(source_account, -amount), (target_account, amount)],
        actor=actor,
        memo=memo or _("转赠给%(name)s") % {"name": target.full_name},
    )


@transaction.atomic
def entry_reverse(*, entry: LedgerEntry, actor: User, memo: str = "", via_record: bool = False) -> LedgerEntry:
    """Cancel an entry with its mirror image; the original stays as it was."""
    entry = LedgerEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.kind == LedgerEntry.Kind.REVERSAL:
        raise ValidationError({"entry": _("冲正分录不能再冲正；如需更正请重新记账。")})
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise ValidationError({"entry": _("这笔分录已经冲正过了。")})
    if not via_record and entry.credited_records.exists():
        raise ValidationError({"entry": _("这是服务记录的入账分录，请在服务记录上冲正。")})
    lines = [(posting.account, -posting.amount) for posting in entry.postings.select_related("account")]
    return ledger_post(
        kind=LedgerEntry.Kind.REVERSAL,
        lines=lines,
        actor=actor,
        memo=memo or _("冲正分录 #%(pk)s") % {"pk": entry.pk},
        reverses=entry,
    )
