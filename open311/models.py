"""Open311 clients: programs that file and follow resident issues through GeoReport v2.

A client holds one API key (only its hash is kept) that names the micro-grid
its requests are logged into and the subtree it may read, and a service
account recorded as the reporter of what it files, so every issue it creates
carries who filed it on the timeline like any other.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.models import User


class Open311ClientQuerySet(models.QuerySet):
    def usable(self) -> Open311ClientQuerySet:
        return self.filter(revoked_at__isnull=True)


class Open311Client(models.Model):
    """A program allowed to POST service requests into one micro-grid and read that micro-grid's requests."""

    name = models.CharField(_("名称"), max_length=100, help_text=_("使用这个密钥的系统或单位"))
    prefix = models.CharField(_("前缀"), max_length=12, unique=True, editable=False)
    api_key_hash = models.CharField(max_length=64, editable=False)
    unit = models.ForeignKey(
        "grids.GridUnit",
        verbose_name=_("受理网格"),
        on_delete=models.PROTECT,
        related_name="open311_clients",
        help_text=_("客户端提交的诉求登记到这个微网格（片区、小区或责任区），也只能查询这个网格的诉求。"),
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人账号"),
        on_delete=models.PROTECT,
        related_name="open311_clients",
        help_text=_("记为诉求登记人的服务账号（不能登录）。"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("吊销人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    objects = Open311ClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("Open311 客户端")
        verbose_name_plural = _("Open311 客户端")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["reporter", "revoked_at"], name="open311client_reporter_revoked")]
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=models.F("created_at")),
                name="open311client_revoked_after_created",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    # As a viewer (grids.jurisdiction): a client reads only its unit's subtree.
    is_superuser = False

    def jurisdiction_paths(self) -> list[str]:
        return [self.unit.path]


class Open311ServiceAccount(User):
    """The reporter account of Open311 clients, as grids sees it when logging.

    Its jurisdiction is the units of its usable keys: `issues.services.issue_log`
    lets a reporter log only inside their jurisdiction, and this is where a
    client's requests belong. It holds no posts, so it never counts as a grid
    worker and sees nothing in the portal's pages.
    """

    class Meta:
        proxy = True
        verbose_name = _("Open311 服务账号")
        verbose_name_plural = _("Open311 服务账号")

    def jurisdiction_paths(self) -> list[str]:
        return list(Open311Client.objects.usable().filter(reporter_id=self.pk).values_list("unit__path", flat=True))
