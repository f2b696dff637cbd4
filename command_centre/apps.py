from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommandCentreConfig(AppConfig):
    name = "command_centre"
    verbose_name = _("指挥中心大屏")
