"""Admin for volunteers. Master data (categories, point rules, organisations) is edited here; every
business write (teams, rosters, activities, verification, reversal, registration) goes through the services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import (
    Activity,
    ActivitySignup,
    LedgerAccount,
    LedgerEntry,
    LedgerPosting,
    MemberRegistration,
    OrganisationRegistration,
    OrganOrganisation,
    PointRule,
    ServiceCategory,
    ServiceRecord,
    Team,
    TeamMember,
    Volunteer,
)


def _each(modeladmin, request, queryset, call, done: str) -> None:
    """Run a service on each selected row; report refusals one by one instead of failing the lot."""
    ok = 0
    for obj in queryset:
        try:
            call(obj)
        except (ValidationError, PermissionDenied) as exc:
            text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            modeladmin.message_user(request, f"{obj}: {text}", messages.ERROR)
        else:
            ok += 1
    if ok:
        modeladmin.message_user(request, f"{done}: {ok}", messages.SUCCESS)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the services: viewable, never edited or deleted by hand."""

    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "code", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]

    def has_delete_permission(self, request, obj=None):
        return False  # teams and records refer to it; retire it with is_active


@admin.register(PointRule)
class PointRuleAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "hours_rate", "points_per_hour", "points_per_service", "is_active", "note"]
    list_filter = ["is_active", "category", "activity_kind"]


@admin.register(OrganOrganisation)
class OrganOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "unit"]
    search_fields = ["name", "department"]
    list_select_related = ["unit"]
    raw_id_fields = ["unit"]
    show_full_result_count = False


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    fields = ["volunteer", "role", "joined_on", "left_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False  # through TeamMemberAdmin (the roster services)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(left_on__isnull=True).select_related("volunteer")


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "category", "kind", "unit", "is_active"]
    list_filter = ["kind", "category", "is_active"]
    search_fields = ["name"]
    list_select_related = ["category", "unit"]
    raw_id_fields = ["unit"]
    inlines = [TeamMemberInline]
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.team_update(
                team=obj,
                actor=request.user,
                name=data["name"],
                category=data["category"],
                kind=data["kind"],
                description=data["description"],
                is_active=data["is_active"],
            )
            return
        team = services.team_create(
            actor=request.user,
            name=data["name"],
            category=data["category"],
            kind=data["kind"],
            unit=data["unit"],
            description=data["description"],
        )
        obj.pk = team.pk

    def has_delete_permission(self, request, obj=None):
        return False  # stand a team down with is_active


@admin.register(TeamMember)
class TeamMemberAdmin(SimpleHistoryAdmin):
    list_display = ["team", "volunteer", "role", "joined_on", "left_on"]
    list_filter = ["role"]
    search_fields = ["team__name", "volunteer__full_name"]
    list_select_related = ["team", "volunteer"]
    raw_id_fields = ["team", "volunteer"]
    actions = ["remove_from_team"]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return ["team", "volunteer", "joined_on", "left_on"] if obj else ["joined_on", "left_on"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.team_member_set_role(membership=obj, role=data["role"], actor=request.user)
            return
        membership = services.team_member_add(
            team=data["team"], volunteer=data["volunteer"], role=data["role"], actor=request.user
        )
        obj.pk = membership.pk

    @admin.action(description=_("移出队伍"))
    def remove_from_team(self, request, queryset):
        _each(
            self, request, queryset, lambda m: services.team_member_remove(membership=m, actor=request.user), "已移出"
        )

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Volunteer)
class VolunteerAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "masked_phone", "is_party_member", "organisation", "unit"]
    list_filter = ["is_party_member"]
    search_fields = ["full_name", "phone"]
    list_select_related = ["organisation", "unit"]
    raw_id_fields = ["user", "organisation", "unit"]
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.volunteer_update(
                volunteer=obj,
                actor=request.user,
                full_name=data["full_name"],
                unit=data["unit"],
                phone=data["phone"],
                is_party_member=data["is_party_member"],
                organisation=data["organisation"],
                user=data["user"],
            )
            return
        volunteer = services.volunteer_create(
            actor=request.user,
            full_name=data["full_name"],
            unit=data["unit"],
            phone=data["phone"],
            is_party_member=data["is_party_member"],
            organisation=data["organisation"],
            user=data["user"],
        )
        obj.pk = volunteer.pk

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OrganisationRegistration)
class OrganisationRegistrationAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "community", "registered_on", "ended_on"]
    list_filter = ["ended_on"]
    search_fields = ["organisation__name", "community__name"]
    list_select_related = ["organisation", "community"]
    raw_id_fields = ["organisation", "community", "registered_by"]
    readonly_fields = ["registered_on", "ended_on", "registered_by"]
    actions = ["end_registration"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        registration = services.organisation_register(
            organisation=form.cleaned_data["organisation"], community=form.cleaned_data["community"], actor=request.user
        )
        obj.pk = registration.pk

    @admin.action(description=_("结束报到"))
    def end_registration(self, request, queryset):
        _each(
            self, request, queryset, lambda r: services.registration_end(registration=r, actor=request.user), "已结束"
        )


@admin.register(MemberRegistration)
class MemberRegistrationAdmin(OrganisationRegistrationAdmin):
    list_display = ["volunteer", "community", "registered_on", "ended_on"]
    search_fields = ["volunteer__full_name", "community__name"]
    list_select_related = ["volunteer", "community"]
    raw_id_fields = ["volunteer", "community", "registered_by"]

    def save_model(self, request, obj, form, change):
        registration = services.member_register(
            volunteer=form.cleaned_data["volunteer"], community=form.cleaned_data["community"], actor=request.user
        )
        obj.pk = registration.pk


@admin.register(Activity)
class ActivityAdmin(SimpleHistoryAdmin):
    list_display = ["title", "team", "category", "kind", "unit", "starts_at", "places_taken", "capacity", "status"]
    list_filter = ["status", "kind", "category"]
    search_fields = ["title", "team__name"]
    list_select_related = ["team", "category", "unit"]
    raw_id_fields = ["team", "unit", "created_by"]
    date_hierarchy = "starts_at"
    actions = ["cancel_activities"]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        # A demand's shifts (issue, issue_task) are made from the demand page (services.demand_decompose) only.
        return [f.name for f in Activity._meta.fields] if obj else ["status", "created_by", "issue", "issue_task"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        activity = services.activity_create(
            actor=request.user,
            title=data["title"],
            team=data.get("team"),
            category=data["category"],
            kind=data["kind"],
            unit=data["unit"],
            place=data["place"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            capacity=data["capacity"],
            description=data.get("description", ""),
        )
        obj.pk = activity.pk

    @admin.action(description=_("取消活动"))
    def cancel_activities(self, request, queryset):
        _each(self, request, queryset, lambda a: services.activity_cancel(activity=a, actor=request.user), "已取消")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ActivitySignup)
class ActivitySignupAdmin(ReadOnlyAdmin):
    list_display = ["activity", "volunteer", "status", "signed_up_at", "checked_in_at", "checked_out_at"]
    list_filter = ["status"]
    search_fields = ["volunteer__full_name", "activity__title"]
    list_select_related = ["activity", "volunteer"]


@admin.register(ServiceRecord)
class ServiceRecordAdmin(ReadOnlyAdmin):
    list_display = ["volunteer", "started_at", "hours", "points", "category", "unit", "team", "status"]
    list_filter = ["status", "source", "kind", "category", "solved_difficulty"]
    search_fields = ["volunteer__full_name", "description"]
    list_select_related = ["volunteer", "category", "unit", "team"]
    date_hierarchy = "started_at"
    actions = ["verify", "reject", "reverse"]

    @admin.action(description=_("审核通过并入账"))
    def verify(self, request, queryset):
        _each(self, request, queryset, lambda r: services.record_verify(record=r, actor=request.user), "已审核")

    @admin.action(description=_("驳回"))
    def reject(self, request, queryset):
        _each(
            self,
            request,
            queryset,
            lambda r: services.record_reject(record=r, actor=request.user, note="管理员驳回"),
            "已驳回",
        )

    @admin.action(description=_("冲正（退回时长和积分）"))
    def reverse(self, request, queryset):
        _each(
            self,
            request,
            queryset,
            lambda r: services.record_reverse(record=r, actor=request.user, note="管理员冲正"),
            "已冲正",
        )


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "currency", "balance", "allow_negative"]
    list_filter = ["kind", "currency"]
    search_fields = ["name", "volunteer__full_name"]


class PostingInline(admin.TabularInline):
    model = LedgerPosting
    fields = ["account", "currency", "amount", "balance_after"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "memo", "created_at", "created_by", "reverses"]
    list_filter = ["kind"]
    search_fields = ["memo"]
    list_select_related = ["created_by"]
    inlines = [PostingInline]
    actions = ["reverse_entries"]

    @admin.action(description=_("冲正（生成反向分录）"))
    def reverse_entries(self, request, queryset):
        # Corrections are reversing entries, never edits (superusers only: a record's reversal goes
        # through the record, which also marks it reversed).
        _each(self, request, queryset, lambda e: services.entry_reverse(entry=e, actor=request.user), "已冲正")


@admin.register(LedgerPosting)
class LedgerPostingAdmin(ReadOnlyAdmin):
    list_display = ["entry", "account", "currency", "amount", "balance_after"]
    list_filter = ["currency"]
    list_select_related = ["entry", "account"]
    raw_id_fields = ["entry", "account"]
