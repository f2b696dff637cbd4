"""Admin for party organisations, their rolls, the 三会一课 rules, brands, pioneer posts and teams.

Organisations, rolls, brands, posts and teams are master data edited here. A schedule rule is saved
through `services.rule_save`, which moves the meetings to the rule's periods (the timeliness figures
recompute from them). Meetings are shown read-only: they are recorded through the pages, whose
service attaches each to the period of its rule.
"""

from __future__ import annotations

from django.contrib import admin

from . import services
from .models import (
    Brand,
    BrandPhoto,
    Meeting,
    MeetingPhoto,
    MeetingRule,
    PartyMember,
    PartyOrganisation,
    PioneerPost,
    PioneerTeam,
)


class PartyMemberInline(admin.TabularInline):
    model = PartyMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(PartyOrganisation)
class PartyOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "sector", "unit", "secretary", "records_from", "is_active"]
    list_filter = ["kind", "sector", "is_active"]
    search_fields = ["name", "unit__name", "unit__code"]
    raw_id_fields = ["unit", "parent", "secretary", "organ"]
    list_select_related = ["unit", "secretary"]
    inlines = [PartyMemberInline]
    show_full_result_count = False


@admin.register(MeetingRule)
class MeetingRuleAdmin(admin.ModelAdmin):
    list_display = ["organisation_kind", "meeting_kind", "count", "period_months", "is_active"]
    list_filter = ["organisation_kind", "is_active"]

    def save_model(self, request, obj, form, change):
        services.rule_save(rule=obj)


class MeetingPhotoInline(admin.TabularInline):
    model = MeetingPhoto
    extra = 0
    can_delete = False
    readonly_fields = ["image", "uploaded_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["organisation", "kind", "held_on", "due_on", "topic", "attended", "roll"]
    list_filter = ["kind"]
    search_fields = ["organisation__name", "topic"]
    date_hierarchy = "held_on"
    list_select_related = ["organisation"]
    inlines = [MeetingPhotoInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class BrandPhotoInline(admin.TabularInline):
    model = BrandPhoto
    extra = 0
    readonly_fields = ["uploaded_at"]


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "sector", "year", "is_public"]
    list_filter = ["sector", "is_public"]
    search_fields = ["name", "organisation__name"]
    raw_id_fields = ["organisation", "unit"]
    list_select_related = ["organisation"]
    inlines = [BrandPhotoInline]


@admin.register(PioneerPost)
class PioneerPostAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "sector", "place", "is_active"]
    list_filter = ["sector", "is_active"]
    search_fields = ["name", "organisation__name", "place"]
    raw_id_fields = ["organisation", "unit"]
    list_select_related = ["organisation"]


@admin.register(PioneerTeam)
class PioneerTeamAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "sector", "place", "members_count", "is_active"]
    list_filter = ["sector", "is_active"]
    search_fields = ["name", "organisation__name", "place"]
    raw_id_fields = ["organisation", "unit"]
    list_select_related = ["organisation"]
