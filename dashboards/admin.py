from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import services
from .models import RollupState, StatsApiCall, StatsApiKey


class StatsApiKeyForm(forms.ModelForm):
    class Meta:
        model = StatsApiKey
        fields = ["name", "unit", "expires_at", "requests_per_hour"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["expires_at"].initial = timezone.now() + timedelta(days=365)


@admin.register(StatsApiKey)
class StatsApiKeyAdmin(admin.ModelAdmin):
    form = StatsApiKeyForm
    list_display = [
        "name",
        "prefix",
        "unit",
        "requests_per_hour",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "unit__name"]
    list_select_related = ["unit"]
    raw_id_fields = ["unit"]
    readonly_fields = ["prefix", "created_by", "created_at", "revoked_at", "revoked_by", "last_used_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        # A key's scope never changes after issue: issue a new key instead.
        return [*self.readonly_fields, "unit", "name"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        key, plaintext = services.api_key_issue(
            name=form.cleaned_data["name"],
            unit=form.cleaned_data["unit"],
            expires_at=form.cleaned_data["expires_at"],
            created_by=request.user,
            requests_per_hour=form.cleaned_data.get("requests_per_hour"),
        )
        obj.pk = key.pk
        messages.warning(
            request,
            _("密钥只显示这一次，请立即复制并妥善保存：%(key)s") % {"key": plaintext},
        )

    @admin.action(description=_("吊销所选密钥"))
    def revoke(self, request, queryset):
        for key in queryset.filter(revoked_at__isnull=True):
            services.api_key_revoke(key=key, revoked_by=request.user)
        self.message_user(request, _("已吊销。"))

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead, so the call log keeps its key


@admin.register(StatsApiCall)
class StatsApiCallAdmin(admin.ModelAdmin):
    list_display = ["at", "key", "method", "path", "status"]
    list_filter = ["status", "method"]
    search_fields = ["path", "key__prefix", "key__name"]
    list_select_related = ["key"]
    date_hierarchy = "at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RollupState)
class RollupStateAdmin(admin.ModelAdmin):
    """When the issue roll-up was last refreshed; the actions run the same services as the beat jobs."""

    list_display = ["name", "as_of", "rebuilt_at", "months", "rows", "seconds"]
    actions = ["refresh", "rebuild"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("立即刷新（近期有变化的月份）"))
    def refresh(self, request, queryset):
        result = services.issue_rollup_refresh()
        self.message_user(request, _("已刷新 %(m)s 个月，写入 %(n)s 行。") % {"m": result.months, "n": result.rows})

    @admin.action(description=_("全部重建"))
    def rebuild(self, request, queryset):
        result = services.issue_rollup_rebuild()
        self.message_user(request, _("已全部重建，写入 %(n)s 行。") % {"n": result.rows})
