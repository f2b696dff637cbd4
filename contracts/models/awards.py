"""Yearly lists of advanced co-building units and people."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grids.models import GridUnit

from .contracts import CoBuildingUnit, Contract


class AwardList(models.Model):
    """A district's yearly list of advanced co-building units and people, chosen by its organisation department."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("评选中")
        PUBLISHED = "published", _("已公布")

    district = models.ForeignKey(
        GridUnit, verbose_name=_("城区"), on_delete=models.PROTECT, related_name="contract_award_lists"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("创建时间"))
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("年度评先名单")
        verbose_name_plural = _("年度评先名单")
        ordering = ["-year", "district__path"]
        constraints = [
            models.UniqueConstraint(fields=["district", "year"], name="awardlist_one_per_district_year"),
            models.CheckConstraint(
                condition=Q(status="draft", published_at__isnull=True)
                | Q(status="published", published_at__isnull=False),
                name="awardlist_published_at_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.year}"


class AwardEntry(models.Model):
    """An advanced unit 先进共建单位 or an advanced person 先进个人 on a district's yearly list."""

    class Kind(models.TextChoices):
        UNIT = "unit", _("先进共建单位")
        PERSON = "person", _("先进个人")

    award_list = models.ForeignKey(
        AwardList, verbose_name=_("评先名单"), on_delete=models.CASCADE, related_name="entries"
    )
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    unit = models.ForeignKey(CoBuildingUnit, verbose_name=_("共建单位"), on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey(Contract, verbose_name=_("依据契约"), on_delete=models.PROTECT, related_name="+")
    person_name = models.CharField(_("先进个人姓名"), max_length=60, blank=True)
    citation = models.TextField(_("主要事迹"), blank=True)
    selected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评选人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    selected_at = models.DateTimeField(_("评选时间"))

    class Meta:
        verbose_name = _("评先名单条目")
        verbose_name_plural = _("评先名单条目")
        ordering = ["award_list", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["award_list", "unit"], condition=Q(kind="unit"), name="awardentry_unit_once_per_list"
            ),
            models.UniqueConstraint(
                fields=["award_list", "person_name", "unit"],
                condition=Q(kind="person"),
                name="awardentry_person_once_per_list",
            ),
            models.CheckConstraint(
                condition=(Q(kind="unit") & Q(person_name="")) | (Q(kind="person") & ~Q(person_name="")),
                name="awardentry_person_name_iff_person",
            ),
        ]

    def __str__(self) -> str:
        return self.person_name or str(self.unit)
