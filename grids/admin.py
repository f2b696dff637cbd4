"""Admin for the grid tree, people and posts.

Lists show each unit's place in the tree as a breadcrumb; the ancestors of a
whole page are read in one query (see `BreadcrumbChangeList`), so the query
count does not grow with the rows shown.
"""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from grids import services
from grids.forms import GridUnitForm, PostForm
from grids.models import GridUnit, Post, User, ancestor_paths


def attach_breadcrumbs(units: list[GridUnit]) -> None:
    """Set `unit.breadcrumb` ("桂林市 › 秀峰区 › …") on each unit, one query for all."""
    wanted = {path for unit in units for path in ancestor_paths(unit.path)}
    names = dict(GridUnit.objects.filter(path__in=wanted).values_list("path", "name")) if wanted else {}
    for unit in units:
        unit.breadcrumb = " › ".join([names.get(p, "?") for p in ancestor_paths(unit.path)] + [unit.name])


class BreadcrumbChangeList(ChangeList):
    unit_attr: str | None = None

    def get_results(self, request):
        super().get_results(request)
        rows = list(self.result_list)
        attach_breadcrumbs([getattr(row, self.unit_attr) if self.unit_attr else row for row in rows])


class PostBreadcrumbChangeList(BreadcrumbChangeList):
    unit_attr = "unit"


@admin.register(GridUnit)
class GridUnitAdmin(admin.ModelAdmin):
    form = GridUnitForm
    list_display = ["name", "code", "level", "tree_path", "is_property_managed"]
    list_filter = ["level", "is_property_managed"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    raw_id_fields = ["parent"]
    readonly_fields = ["path", "created_at"]
    list_per_page = 50
    show_full_result_count = False  # a 70,000-row table: skip the second COUNT(*)

    def get_changelist(self, request, **kwargs):
        return BreadcrumbChangeList

    @admin.display(description=_("所在位置"))
    def tree_path(self, unit: GridUnit) -> str:
        return getattr(unit, "breadcrumb", unit.name)

    def save_model(self, request, obj, form, change):
        # Every write goes through the services, which keep the paths right.
        data = form.cleaned_data
        if not change:
            created = services.unit_create(
                code=data["code"],
                name=data["name"],
                level=data["level"],
                parent=data.get("parent"),
                is_property_managed=data.get("is_property_managed", False),
            )
            obj.pk, obj.path = created.pk, created.path
            return
        services.unit_update(
            unit=obj, code=data["code"], name=data["name"], is_property_managed=data["is_property_managed"]
        )
        if "parent" in form.changed_data and data.get("parent") is not None:
            services.unit_move(unit=obj, new_parent=data["parent"])

    def has_delete_permission(self, request, obj=None):
        # Units are referenced by years of records; retire them by moving, not deleting.
        return False


class PostInline(admin.TabularInline):
    model = Post
    form = PostForm
    extra = 0
    raw_id_fields = ["unit"]
    fk_name = "user"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("门户"), {"fields": ("full_name", "phone")}),
    )
    list_display = ["username", "full_name", "is_active", "is_staff", "is_superuser", "last_login"]
    search_fields = ["username", "full_name", "phone"]
    inlines = [PostInline]
    show_full_result_count = False


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    form = PostForm
    list_display = ["user", "role", "unit_path", "is_full_time", "started_on"]
    list_filter = ["role", "is_full_time", "unit__level"]
    search_fields = ["user__username", "user__full_name", "unit__name", "unit__code"]
    list_select_related = ["user", "unit"]
    raw_id_fields = ["user", "unit"]
    show_full_result_count = False

    def get_changelist(self, request, **kwargs):
        return PostBreadcrumbChangeList

    @admin.display(description=_("单元"))
    def unit_path(self, post: Post) -> str:
        return getattr(post.unit, "breadcrumb", post.unit.name)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        post = services.post_assign(
            user=data["user"],
            unit=data["unit"],
            role=data["role"],
            is_full_time=data["is_full_time"],
            started_on=data.get("started_on"),
        )
        obj.pk = post.pk


# Resident issues and their master data live in their own module.
