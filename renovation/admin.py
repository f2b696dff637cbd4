"""Admin for renovation projects (master data: projects, what they produced, photos)."""

from django.contrib import admin

from .models import Photo, Project


class PhotoInline(admin.TabularInline):
    model = Photo
    extra = 0
    fields = ("stage", "image", "caption", "uploaded_by", "uploaded_at")
    readonly_fields = ("image", "uploaded_by", "uploaded_at")


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "unit", "status", "progress", "started_on", "finished_on")
    list_filter = ("kind", "status")
    search_fields = ("name", "unit__name")
    raw_id_fields = ("unit", "updated_by")
    autocomplete_fields = ()
    filter_horizontal = ("produced_points",)
    list_select_related = ("unit",)
    inlines = [PhotoInline]


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    list_display = ("project", "stage", "caption", "uploaded_at")
    list_filter = ("stage",)
    raw_id_fields = ("project", "uploaded_by")
    list_select_related = ("project",)
