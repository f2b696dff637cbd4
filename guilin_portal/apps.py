from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "guilin_portal"
    verbose_name = _("门户")

    def ready(self) -> None:
        from . import after_response, converters

        converters.register()  # <id:pk> in every app's URLconf
        after_response.connect()  # work deferred until the response is sent (the routing publish)
