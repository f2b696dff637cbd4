"""One double-entry ledger for two currencies: time-bank hours and party-member points.

Every movement is an entry of postings that sum to zero per currency. A
personal account never goes below zero: the services check it under row locks
taken in primary-key order, and `ledger_account_balance_allowed` holds it in
the database as the last guard. Only the system's issuing accounts may go
negative (they are where hours and points come from). Nothing is edited: a
correction is a reversing entry.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .activities import ActivityKind


class Currency(models.TextChoices):
    HOURS = "hours", _("时间银行（小时）")
    POINTS = "points", _("党员积分")


class LedgerAccount(models.Model):
    class Kind(models.TextChoices):
        PERSONAL = "personal", _("个人账户")
        ISSUANCE = "issuance", _("发行账户（系统）")
        REDEMPTION = "redemption", _("兑付账户（系统）")

    kind = models.CharField(_("账户类型"), max_length=16, choices=Kind.choices, default=Kind.PERSONAL)
    currency = models.CharField(_("币种"), max_length=8, choices=Currency.choices)
    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        verbose_name=_("持有人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    name = models.CharField(_("账户名称"), max_length=120)
    allow_negative = models.BooleanField(_("允许负余额"), default=False, editable=False)
    # Maintained by the ledger services under a row lock; equals the sum of the account's postings.
    balance = models.DecimalField(_("余额"), max_digits=14, decimal_places=2, default=Decimal("0"), editable=False)
    created_at = models.DateTimeField(_("开户时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("账户")
        verbose_name_plural = _("账户")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(allow_negative=True) | Q(balance__gte=0), name="ledger_account_balance_allowed"
            ),
            models.CheckConstraint(
                condition=Q(kind="personal", volunteer__isnull=False, allow_negative=False)
                | (~Q(kind="personal") & Q(volunteer__isnull=True)),
                name="ledger_account_owner_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(allow_negative=False) | Q(kind="issuance"), name="ledger_account_only_issuance_negative"
            ),
            models.UniqueConstraint(
                fields=["volunteer", "currency"], condition=Q(kind="personal"), name="ledger_account_one_per_person"
            ),
            models.UniqueConstraint(
                fields=["kind", "currency"], condition=~Q(kind="personal"), name="ledger_account_one_system"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.get_currency_display()}"


class LedgerEntry(models.Model):
    """A balanced set of postings, written once and never changed."""

    class Kind(models.TextChoices):
        SERVICE = "service", _("服务入账")
        WITHDRAWAL = "withdrawal", _("时间银行支取（养老服务）")
        REDEMPTION = "redemption", _("积分兑换")
        TRANSFER = "transfer", _("转赠")
        REVERSAL = "reversal", _("冲正")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    memo = models.CharField(_("摘要"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记账时间"))
    # A correction points at the entry it cancels; an entry is reversed at most once.
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲正的分录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )

    class Meta:
        verbose_name = _("分录")
        verbose_name_plural = _("分录")
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="reversal", reverses__isnull=False) | (~Q(kind="reversal") & Q(reverses__isnull=True)),
                name="ledger_entry_reversal_points_back",
            ),
        ]
        indexes = [models.Index(fields=["kind", "created_at"], name="ledger_entry_kind_time")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"


class LedgerPosting(models.Model):
    """One line of an entry: an amount into (positive) or out of (negative) one account."""

    entry = models.ForeignKey(LedgerEntry, verbose_name=_("分录"), on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(
        LedgerAccount,
        verbose_name=_("账户"),
        on_delete=models.PROTECT,
        related_name="postings",
        db_index=False,  # ledger_posting_account leads with it
    )
    # The account's currency, copied so a currency's sum is one indexed query.
    currency = models.CharField(_("币种"), max_length=8, choices=Currency.choices)
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2)
    # The account's balance right after this posting (written under the account's row lock).
    balance_after = models.DecimalField(_("变动后余额"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("记账明细")
        verbose_name_plural = _("记账明细")
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="ledger_posting_not_zero")]
        indexes = [
            models.Index(fields=["account", "id"], name="ledger_posting_account"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.amount:+}"


class PointRule(models.Model):
    """How much a verified hour earns, per category and activity kind (data, edited in the admin).

    The most specific active rule wins: category and kind, then category alone,
    then kind alone, then the default rule (neither).
    """

    category = models.ForeignKey(
        "volunteers.ServiceCategory",
        verbose_name=_("服务类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="point_rules",
        help_text=_("留空表示所有类别"),
    )
    activity_kind = models.CharField(
        _("服务类型"), max_length=16, choices=ActivityKind.choices, blank=True, help_text=_("留空表示所有类型")
    )
    hours_rate = models.DecimalField(
        _("时间银行存入倍数"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        help_text=_("每服务1小时存入的时间银行小时数"),
    )
    points_per_hour = models.DecimalField(_("每小时积分"), max_digits=7, decimal_places=2, default=Decimal("0"))
    points_per_service = models.DecimalField(_("每次服务积分"), max_digits=7, decimal_places=2, default=Decimal("0"))
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["category__sort_order", "activity_kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "activity_kind"],
                condition=Q(is_active=True, category__isnull=False),
                name="pointrule_one_active_per_category_kind",
            ),
            models.UniqueConstraint(
                fields=["activity_kind"],
                condition=Q(is_active=True, category__isnull=True),
                name="pointrule_one_active_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(hours_rate__gte=0) & Q(points_per_hour__gte=0) & Q(points_per_service__gte=0),
                name="pointrule_not_negative",
            ),
        ]

    def __str__(self) -> str:
        category = self.category.name if self.category_id else _("所有类别")
        kind = self.get_activity_kind_display() if self.activity_kind else _("所有类型")
        return f"{category} · {kind}"
