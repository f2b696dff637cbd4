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
from django.utils.translation import gettext_lazy as _

from guilin_portal.api_keys import ApiKey


class Open311Client(ApiKey):
    """A program allowed to POST service requests into one micro-grid and read that micro-grid's requests."""

    unit = models.ForeignKey(
        "grids.GridUnit",
        verbose_name=_("受理网格"),
        on_delete=models.PROTECT,
        related_name="open311_clients",
        help_text=_("客户端提交的诉求登记到这个微网格（片区、小区或责任区），也只能查询这个网格的诉求。"),
    )
    # The column keeps the name it had before the key model was shared.
    secret_hash = models.CharField(max_length=64, editable=False, db_column="api_key_hash")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人账号"),
        on_delete=models.PROTECT,
        related_name="open311_clients",
        help_text=_("记为诉求登记人的服务账号（不能登录）。"),
    )

    log_name = "open311_key"
    log_id = "client_id"

    class Meta(ApiKey.Meta):
        verbose_name = _("Open311 客户端")
        verbose_name_plural = _("Open311 客户端")
        indexes = [models.Index(fields=["reporter", "revoked_at"], name="open311client_reporter_revoked")]
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=models.F("created_at")),
                name="open311client_revoked_after_created",
            ),
        ]
