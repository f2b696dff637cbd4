from django.urls import path, register_converter

from . import views


class FormatConverter:
    regex = "xlsx|csv"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "sheetfmt")

app_name = "imports"

urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/status.json", views.job_status, name="job_status"),
    path("jobs/<int:pk>/apply/", views.job_apply, name="job_apply"),
    path("jobs/<int:pk>/resend/", views.job_resend, name="job_resend"),
    path("jobs/<int:pk>/report.csv", views.job_report, name="job_report"),
    path("templates/<slug:kind>.<sheetfmt:fmt>", views.template_download, name="template_download"),
    path("export/<slug:kind>.<sheetfmt:fmt>", views.export_download, name="export_download"),
    path("export/boundaries.geojson", views.boundary_export, name="boundary_export"),
]
