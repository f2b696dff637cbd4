from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceCentersConfig(AppConfig):
    name = "service_centers"
    verbose_name = _("党群服务阵地")
