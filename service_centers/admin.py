"""Admin for the service network. Writes that carry rules go through the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from guilin_portal.forms import add_service_error

from . import services
from .models import (
    DeliberationMeeting,
    JobOffer,
    LocalProduct,
    MemberHonour,
    RedStationMonthlyTally,
    RedStationService,
    ResidentOrganisation,
    ServiceKind,
    ServicePoint,
    ServicePointStaff,
    SixFunction,
    StarRating,
    WorkstationActivity,
    WorkstationMember,
)
from .periods import closed_months
from .services.points import EDITABLE_FIELDS, clean_floor_area, validate_kind_level_unit
from .tasks import TALLY_MONTHS


class LinesField(forms.CharField):
    """A JSON list of names edited as one name per line."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class ServicePointAdminForm(forms.ModelForm):
    functions = forms.MultipleChoiceField(
        label=_("六大功能"), choices=SixFunction.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    resident_organisations = forms.MultipleChoiceField(
        label=_("进驻群团组织"),
        choices=ResidentOrganisation.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    zones = LinesField(label=_("功能区"), required=False, help_text=_("每行一个"))
    service_items = LinesField(label=_("一站式服务事项"), required=False, help_text=_("每行一个"))

    class Meta:
        model = ServicePoint
        fields = ["kind", "level", "unit", *EDITABLE_FIELDS, "menu"]

    def clean(self):
        cleaned = super().clean()
        # The services' rules, shown on the form rather than failing on save.
        try:
            if not self.instance.pk and cleaned.get("kind") and cleaned.get("unit") is not None:
                validate_kind_level_unit(kind=cleaned["kind"], level=cleaned.get("level") or "", unit=cleaned["unit"])
            if "floor_area" in cleaned:
                clean_floor_area(cleaned["floor_area"])
        except ValidationError as error:
            add_service_error(self, error)
        kind = cleaned.get("kind") or self.instance.kind
        if cleaned.get("menu") and kind != ServicePoint.Kind.RED_STATION:
            self.add_error("menu", _("只有旅游红色驿站有服务菜单。"))
        return cleaned


class StaffInline(admin.TabularInline):
    model = ServicePointStaff
    extra = 0
    raw_id_fields = ["user"]


@admin.register(ServicePoint)
class ServicePointAdmin(SimpleHistoryAdmin):
    form = ServicePointAdminForm
    list_display = ["name", "kind", "level", "unit", "floor_area", "is_active"]
    list_filter = ["kind", "level", "is_active"]
    search_fields = ["name", "address", "unit__name"]
    list_select_related = ["unit"]
    raw_id_fields = ["unit"]
    filter_horizontal = ["menu"]
    inlines = [StaffInline]
    show_full_result_count = False
    readonly_fields = ["created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # Kind, level and unit are fixed once created (point_update refuses to change them).
        fixed = ["kind", "level", "unit"] if obj is not None else []
        return [*self.readonly_fields, *fixed]

    def save_model(self, request, obj, form, change):
        # The menu is saved with the other many-to-many fields, in save_related.
        data = {k: v for k, v in form.cleaned_data.items() if k in EDITABLE_FIELDS and k != "name"}
        data["name"] = form.cleaned_data["name"]
        if change:
            saved = services.point_update(actor=request.user, point=obj, menu=None, **data)
        else:
            saved = services.point_create(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                level=form.cleaned_data.get("level", ""),
                unit=form.cleaned_data["unit"],
                menu=None,
                **data,
            )
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        # The staff inline as Django saves it; the menu through the service (only a red station has one).
        menu = form.cleaned_data.pop("menu", None)
        super().save_related(request, form, formsets, change)
        if menu is not None:
            services.point_menu_set(actor=request.user, point=form.instance, menu=list(menu))


@admin.register(ServiceKind)
class ServiceKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]


@admin.register(StarRating)
class StarRatingAdmin(admin.ModelAdmin):
    """Ratings are recorded on the staff pages or through the API; here they are read, history included."""

    list_display = ["year", "target_name", "stars", "total", "is_current", "rated_by", "rated_at"]
    list_filter = ["year", "stars", "is_current"]
    search_fields = ["point__name", "compound__name"]
    list_select_related = ["point", "compound", "rated_by"]
    show_full_result_count = False

    @admin.display(description=_("对象"))
    def target_name(self, rating: StarRating) -> str:
        return str(rating.target)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class HonourFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not kept:
            # The report: members are party vanguards honoured at county level or above.
            raise ValidationError(_("编入工作站的党员须获得过县（市、区）级以上荣誉称号，请至少填写一项。"))


class HonourInline(admin.TabularInline):
    model = MemberHonour
    formset = HonourFormSet
    extra = 1


@admin.register(WorkstationMember)
class WorkstationMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "point", "organisation", "joined_on"]
    search_fields = ["name", "point__name"]
    list_select_related = ["point"]
    raw_id_fields = ["point"]
    inlines = [HonourInline]


@admin.register(DeliberationMeeting)
class DeliberationMeetingAdmin(admin.ModelAdmin):
    list_display = ["held_on", "point", "topic", "attendee_count"]
    list_filter = ["held_on"]
    search_fields = ["topic", "point__name"]
    list_select_related = ["point"]
    raw_id_fields = ["point", "recorded_by", "follow_up_issues"]
    date_hierarchy = "held_on"


@admin.register(WorkstationActivity)
class WorkstationActivityAdmin(admin.ModelAdmin):
    list_display = ["held_on", "point", "title", "category", "participants"]
    list_filter = ["category"]
    search_fields = ["title", "point__name"]
    list_select_related = ["point"]
    raw_id_fields = ["point", "recorded_by", "volunteer_activity"]
    date_hierarchy = "held_on"


@admin.register(RedStationService)
class RedStationServiceAdmin(admin.ModelAdmin):
    """The log is written by the stations' staff; the admin reads it (150,000+ rows: no full count)."""

    list_display = ["served_at", "point", "service_kind", "logged_by", "note"]
    list_filter = ["service_kind"]
    search_fields = ["point__name"]
    list_select_related = ["point", "service_kind", "logged_by"]
    raw_id_fields = ["point", "logged_by"]
    show_full_result_count = False
    date_hierarchy = "served_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RedStationMonthlyTally)
class RedStationMonthlyTallyAdmin(admin.ModelAdmin):
    list_display = ["month", "point", "service_kind", "services", "refreshed_at"]
    list_filter = ["month", "service_kind"]
    list_select_related = ["point", "service_kind"]
    search_fields = ["point__name"]
    actions = ["refresh_tallies"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("重新统计近12个月"))
    def refresh_tallies(self, request, queryset):
        rows = services.red_station_tally_refresh(months=closed_months(today=timezone.localdate(), count=TALLY_MONTHS))
        self.message_user(request, _("已重新统计，共 %(n)s 行。") % {"n": rows})


@admin.register(JobOffer)
class JobOfferAdmin(admin.ModelAdmin):
    list_display = ["point", "role", "positions", "offered_on"]
    list_filter = ["role"]
    list_select_related = ["point"]
    raw_id_fields = ["point"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        obj.pk = services.job_offer_record(
            actor=request.user,
            point=data["point"],
            role=data["role"],
            positions=data["positions"],
            offered_on=data["offered_on"],
            note=data.get("note", ""),
        ).pk


@admin.register(LocalProduct)
class LocalProductAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "producer", "point", "first_secretary_pick"]
    list_filter = ["category", "first_secretary_pick"]
    search_fields = ["name", "producer"]
    list_select_related = ["point"]
    raw_id_fields = ["point", "origin"]
