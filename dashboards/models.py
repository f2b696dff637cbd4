"""API keys of statistics clients, and the log of every call they make."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StatsApiKeyQuerySet(models.QuerySet):
    def usable(self, at=None):
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=at)


class StatsApiKey(models.Model):
    """A read-only key for one unit's subtree. Only a hash of the secret is kept."""

    name = models.CharField(_("名称"), max_length=100, help_text=_("使用这个密钥的系统或单位"))
    unit = models.ForeignKey(
        "grids.GridUnit", verbose_name=_("可见范围"), on_delete=models.PROTECT, related_name="stats_api_keys"
    )
    prefix = models.CharField(_("前缀"), max_length=12, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    objects = StatsApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("统计接口密钥")
        verbose_name_plural = _("统计接口密钥")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class StatsApiCall(models.Model):
    """One request made with a key: who (the key), when, what, and the answer's status."""

    key = models.ForeignKey(StatsApiKey, verbose_name=_("密钥"), on_delete=models.CASCADE, related_name="calls")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    method = models.CharField(max_length=8)
    path = models.CharField(_("路径"), max_length=500)
    status = models.PositiveSmallIntegerField(_("状态码"))

    class Meta:
        verbose_name = _("统计接口调用")
        verbose_name_plural = _("统计接口调用")
        ordering = ["-at"]
        indexes = [models.Index(fields=["key", "at"], name="statsapicall_key_at")]

    def __str__(self) -> str:
        return f"{self.key_id} {self.method} {self.path} {self.status}"
