"""Open311 clients in the admin: issued here (the key is shown once), revoked here, never deleted."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from grids.models import GridUnit

from . import services
from .models import Open311Client


class Open311ClientForm(forms.ModelForm):
    class Meta:
        model = Open311Client
        fields = ["name", "unit", "reporter"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "reporter" in self.fields:
            self.fields["reporter"].required = False
            self.fields["reporter"].help_text = _("留空则新建一个不能登录的服务账号，记为诉求登记人。")

    def clean_unit(self) -> GridUnit:
        unit = self.cleaned_data["unit"]
        if unit is not None and not unit.is_micro_grid:
            raise forms.ValidationError(_("请选择微网格（片区、小区或责任区）。"))
        return unit


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    form = Open311ClientForm
    list_display = ["name", "prefix", "unit", "reporter", "created_at", "revoked_at", "last_used_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "unit__name"]
    list_select_related = ["unit", "reporter"]
    raw_id_fields = ["unit", "reporter"]
    readonly_fields = ["prefix", "created_by", "created_at", "revoked_at", "revoked_by", "last_used_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        # A key's unit and reporter never change after issue: issue a new key instead.
        return [*self.readonly_fields, "unit", "reporter"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        client, plaintext = services.open311_client_issue(
            name=form.cleaned_data["name"],
            unit=form.cleaned_data["unit"],
            reporter=form.cleaned_data.get("reporter"),
            created_by=request.user,
        )
        obj.pk, obj.prefix, obj.reporter_id, obj.created_at = (
            client.pk,
            client.prefix,
            client.reporter_id,
            client.created_at,
        )
        messages.warning(request, _("密钥只显示这一次，请立即复制并妥善保存：%(key)s") % {"key": plaintext})

    @admin.action(description=_("吊销所选密钥"))
    def revoke(self, request, queryset):
        for client in queryset.filter(revoked_at__isnull=True):
            services.open311_client_revoke(client=client, revoked_by=request.user)
        self.message_user(request, _("已吊销。"))

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the issues it filed keep their reporter
