from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    """The home of every person (工作台) and the navigation: it reads every domain app, nothing reads it."""

    name = "workbench"
    verbose_name = _("工作台")
