"""Admin for resident issues and their master data (categories, departments, routing rules).

Categories, departments and rules are data the administrator edits. Issues
change only through the life-cycle services, so their admin is read-only and
its actions call the same services as the pages, the API and the tasks. The
resident's phone and name are shown masked here too: an administrator does not
handle the issue.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from guilin_portal.privacy import mask_phone
from issues import services
from issues.models import Department, Issue, IssueCategory, IssueEvent, RoutingRule


@admin.register(IssueCategory)
class IssueCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "code", "kind", "time_limit_hours", "is_active", "sort_order"]
    list_filter = ["kind", "is_active"]
    list_editable = ["time_limit_hours", "is_active", "sort_order"]
    search_fields = ["name", "name_en", "code"]

    def has_delete_permission(self, request, obj=None):
        return False  # referenced by years of issues: deactivate instead


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "unit", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "name_en", "code"]
    list_select_related = ["unit"]
    raw_id_fields = ["unit"]
    autocomplete_fields = ["members"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = [
        "unit",
        "category",
        "handler_kind",
        "office_level",
        "department",
        "volunteer_category",
        "is_active",
        "note",
    ]
    list_filter = ["handler_kind", "is_active", "category", "unit__level"]
    search_fields = ["unit__name", "category__name", "department__name", "note"]
    list_select_related = ["unit", "category", "department", "volunteer_category"]
    raw_id_fields = ["unit", "department"]


class IssueEventInline(admin.TabularInline):
    model = IssueEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "actor", "from_status", "to_status", "note"]
    readonly_fields = fields
    ordering = ["at", "pk"]

    def has_add_permission(self, request, obj=None):
        return False  # the timeline is written by the services and never edited

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ["id", "category", "unit", "status", "handler", "due_at", "escalation_level", "created_at"]
    list_filter = ["status", "kind", "category", "routing_no_rule", "escalation_level"]
    search_fields = ["=id", "description"]
    list_select_related = ["category", "unit", "handler_user", "handler_unit", "handler_department", "handler_team"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [IssueEventInline]
    exclude = ["resident_name", "resident_phone"]
    actions = ["route_now", "sweep_deadlines"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Issue._meta.fields if field.name not in self.exclude] + ["resident_contact"]

    @admin.display(description=_("承办方"))
    def handler(self, issue: Issue) -> str:
        return issue.handler_label

    @admin.display(description=_("居民（已脱敏）"))
    def resident_contact(self, issue: Issue) -> str:
        name = issue.resident_name[:1] + "*" * max(0, len(issue.resident_name) - 1)
        return f"{name} {mask_phone(issue.resident_phone)}".strip()

    def has_add_permission(self, request):
        return False  # issues are logged from the pages or the API

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("立即分派所选的待分派问题"))
    def route_now(self, request, queryset):
        routed = 0
        for issue_id in queryset.filter(status=Issue.Status.COLLECTED).values_list("pk", flat=True):
            issue = services.issue_route(issue_id=issue_id)
            routed += issue is not None and issue.status == Issue.Status.ALLOCATED
        self.message_user(request, _("已分派 %(n)s 个问题。") % {"n": routed}, messages.SUCCESS)

    @admin.action(description=_("立即执行临期提醒和逾期督办扫描（全部问题）"))
    def sweep_deadlines(self, request, queryset):
        result = services.deadlines_sweep()
        self.message_user(
            request,
            _("提醒 %(r)s 个，督办 %(e)s 个。") % {"r": len(result.reminded), "e": len(result.escalated)},
            messages.SUCCESS,
        )
