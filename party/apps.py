from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyConfig(AppConfig):
    name = "party"
    verbose_name = _("党组织与组织生活")

    def ready(self) -> None:
        from grids.viewer import register_facet

        from .handover import register_secretary_handover
        from .models import PartyOrganisation

        register_secretary_handover()

        # A secretary reads and keeps their organisation (and, for the level above, those under it).
        register_facet(
            "party_organisations",
            lambda user_id: PartyOrganisation.objects.filter(secretary_id=user_id, is_active=True),
            "pk",
        )
