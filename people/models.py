"""One-time activation links: how a person sets their own password (new account, or a reset).

Only the SHA-256 of the token is stored: a copy of the database opens no account.
A link is good once, until it expires; issuing a new one voids the person's older ones.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ActivationLinkQuerySet(models.QuerySet):
    def usable(self, now) -> "ActivationLinkQuerySet":
        return self.filter(used_at__isnull=True, voided_at__isnull=True, expires_at__gt=now)


class ActivationLink(models.Model):
    class Purpose(models.TextChoices):
        ONBOARDING = "onboarding", _("新账号激活")
        RESET = "reset", _("重设密码")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="activation_links"
    )
    token_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    purpose = models.CharField(_("用途"), max_length=16, choices=Purpose.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发送人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("生成时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    objects = ActivationLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("激活链接")
        verbose_name_plural = _("激活链接")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "used_at"], name="activation_user_used")]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="activation_expires_later")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_purpose_display()}"
