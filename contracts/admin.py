"""Admin for contract-based co-building.

Master data (co-building units and their contacts) is edited here through the
services. Contracts, progress, evaluations, tallies and board publications are
shown read-only: they change only through the pages/API (whose rules live in
the services), so nobody can bypass the four-stage order or rewrite a
published quarter from the admin. The quarterly tally can be run on demand
from the tally list ("立即统计") or for the quarters of selected rows.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import services
from .models import (
    AwardEntry,
    AwardList,
    BoardLine,
    BoardPublication,
    CoBuildingUnit,
    CoBuildingUnitContact,
    Commitment,
    CommitmentTarget,
    Contract,
    ContractEvent,
    DemandItem,
    Evaluation,
    EvaluationStep,
    Progress,
    QuarterlyTally,
    ResourceItem,
    TallyRun,
)
from .periods import previous_quarter
from .tasks import tally_quarter_task


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False


# ---------------------------------------------------------------------------
# Units and contacts (editable, through the services)
# ---------------------------------------------------------------------------
class ContactInline(admin.TabularInline):
    model = CoBuildingUnitContact
    extra = 0
    raw_id_fields = ["user"]
    fields = ["user", "title"]


@admin.register(CoBuildingUnit)
class CoBuildingUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "party_organisation", "district", "is_active"]
    list_filter = ["kind", "is_active", "district"]
    search_fields = ["name", "party_organisation"]
    list_select_related = ["district"]
    raw_id_fields = ["district"]
    inlines = [ContactInline]
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {
            "name": data["name"],
            "kind": data["kind"],
            "party_organisation": data["party_organisation"],
            "district": data["district"],
            "address": data.get("address", ""),
        }
        if change:
            services.cobuilding_unit_update(unit=obj, is_active=data.get("is_active", True), **fields)
        else:
            created = services.cobuilding_unit_create(**fields)
            obj.pk = created.pk

    def save_formset(self, request, form, formset, change):
        if formset.model is not CoBuildingUnitContact:
            return super().save_formset(request, form, formset, change)
        # What formset.save() would have recorded, for the admin's change message.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if not inline_form.has_changed() and not inline_form.cleaned_data.get("DELETE"):
                continue
            data = inline_form.cleaned_data
            if not data:
                continue
            instance = inline_form.instance
            if data.get("DELETE") and instance.pk:
                formset.deleted_objects.append(instance)
                services.unit_contact_remove(contact=instance)
            elif instance.pk:
                services.unit_contact_update(contact=instance, title=data.get("title", ""))
                formset.changed_objects.append((instance, inline_form.changed_data))
            else:
                contact = services.unit_contact_add(unit=form.instance, user=data["user"], title=data.get("title", ""))
                formset.new_objects.append(contact)
        return None

    def has_delete_permission(self, request, obj=None):
        return False  # units are referenced by years of contracts; retire them with "在册"


@admin.register(CoBuildingUnitContact)
class CoBuildingUnitContactAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "unit", "title", "created_at"]
    search_fields = ["user__username", "user__full_name", "unit__name"]
    list_select_related = ["user", "unit"]


# ---------------------------------------------------------------------------
# Contracts and what hangs from them (read-only)
# ---------------------------------------------------------------------------
class DemandInline(ReadOnlyInline):
    model = DemandItem
    fields = ["title", "detail"]


class ResourceInline(ReadOnlyInline):
    model = ResourceItem
    fields = ["title", "detail"]


class CommitmentInline(ReadOnlyInline):
    model = Commitment
    fields = ["title", "demand", "resource", "target_kind", "weight"]
    show_change_link = True


class EventInline(ReadOnlyInline):
    model = ContractEvent
    fields = ["at", "kind", "actor", "note"]
    ordering = ["-at"]


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "title", "community", "unit", "year", "status", "signed_on"]
    list_filter = ["year", "status"]
    search_fields = ["number", "title", "unit__name", "community__name"]
    list_select_related = ["community", "unit"]
    inlines = [DemandInline, ResourceInline, CommitmentInline, EventInline]
    show_full_result_count = False


class TargetInline(ReadOnlyInline):
    model = CommitmentTarget
    fields = ["quarter", "target_count", "milestone"]


class ProgressInline(ReadOnlyInline):
    model = Progress
    fields = ["year", "quarter", "status", "achieved_count", "evidence_text", "reported_by", "reported_at"]


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "contract", "target_kind", "weight"]
    list_filter = ["target_kind"]
    search_fields = ["title", "contract__number"]
    list_select_related = ["contract"]
    inlines = [TargetInline, ProgressInline]
    show_full_result_count = False


@admin.register(Progress)
class ProgressAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["commitment", "year", "quarter", "status", "achieved_count", "reported_by", "reported_at"]
    list_filter = ["year", "quarter", "status"]
    search_fields = ["commitment__title", "commitment__contract__number"]
    list_select_related = ["commitment", "reported_by"]
    show_full_result_count = False


class StepInline(ReadOnlyInline):
    model = EvaluationStep
    fields = ["at", "stage", "action", "score", "comments", "actor"]


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "contract",
        "stage",
        "self_score",
        "community_score",
        "street_score",
        "district_score",
        "final_score",
    ]
    list_filter = ["stage"]
    search_fields = ["contract__number"]
    list_select_related = ["contract"]
    inlines = [StepInline]
    show_full_result_count = False


# ---------------------------------------------------------------------------
# Tallies: read-only rows, run on demand
# ---------------------------------------------------------------------------
class TallyRunForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("季度"), coerce=int, choices=[(q, f"Q{q}") for q in (1, 2, 3, 4)])


def _enqueue_tally(request, year: int, quarter: int) -> None:
    """Send the tally to the "tallies" queue once this request's transaction has committed."""
    transaction.on_commit(lambda: tally_quarter_task.delay(year, quarter, TallyRun.Trigger.ADMIN, request.user.pk))


@admin.register(QuarterlyTally)
class QuarterlyTallyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "year",
        "quarter",
        "scope",
        "unit",
        "contract",
        "due",
        "met",
        "partially_met",
        "not_met",
        "pending",
        "completion_rate",
        "updated_at",
    ]
    list_filter = ["year", "quarter", "scope"]
    search_fields = ["unit__name", "contract__number"]
    list_select_related = ["unit", "contract"]
    actions = ["recompute_quarters"]
    show_full_result_count = False
    change_list_template = "admin/contracts/quarterlytally/change_list.html"

    def get_urls(self):
        return [
            path("run/", self.admin_site.admin_view(self.run_view), name="contracts_quarterlytally_run"),
            *super().get_urls(),
        ]

    def run_view(self, request):
        if not request.user.has_perm("contracts.view_quarterlytally"):
            raise PermissionDenied
        year, quarter = previous_quarter(timezone.localdate())
        form = TallyRunForm(request.POST or None, initial={"year": year, "quarter": quarter})
        if request.method == "POST" and form.is_valid():
            _enqueue_tally(request, form.cleaned_data["year"], form.cleaned_data["quarter"])
            self.message_user(
                request,
                _("已提交 %(year)s 年第 %(quarter)s 季度的统计任务。") % form.cleaned_data,
                messages.SUCCESS,
            )
            return redirect(reverse("admin:contracts_tallyrun_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": _("立即统计"),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/contracts/quarterlytally/run.html", context)

    @admin.action(description=_("重新统计所选行所在的季度"), permissions=["view"])
    def recompute_quarters(self, request, queryset):
        periods = sorted(set(queryset.values_list("year", "quarter")))
        for year, quarter in periods:
            _enqueue_tally(request, year, quarter)
        self.message_user(request, _("已提交 %(n)s 个季度的统计任务。") % {"n": len(periods)}, messages.SUCCESS)


@admin.register(TallyRun)
class TallyRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["year", "quarter", "within", "trigger", "requested_by", "started_at", "finished_at", "rows"]
    list_filter = ["trigger", "year", "quarter"]
    list_select_related = ["within", "requested_by"]


# ---------------------------------------------------------------------------
# Board and awards (read-only: frozen by design)
# ---------------------------------------------------------------------------
class BoardLineInline(ReadOnlyInline):
    model = BoardLine
    fields = ["contract_number", "unit_name", "due", "met", "partially_met", "not_met", "pending", "completion_rate"]


@admin.register(BoardPublication)
class BoardPublicationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["community", "year", "quarter", "version", "completion_rate", "published_at", "published_by"]
    list_filter = ["year", "quarter", "version"]
    search_fields = ["community__name"]
    list_select_related = ["community", "published_by"]
    inlines = [BoardLineInline]
    show_full_result_count = False


class AwardEntryInline(ReadOnlyInline):
    model = AwardEntry
    fields = ["kind", "unit", "person_name", "contract", "citation"]


@admin.register(AwardList)
class AwardListAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["district", "year", "status", "published_at"]
    list_filter = ["year", "status"]
    list_select_related = ["district"]
    inlines = [AwardEntryInline]
