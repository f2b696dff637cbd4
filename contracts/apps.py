from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("契约化共建")

    def ready(self) -> None:
        from grids.viewer import register_facet

        from .handover import register_contact_handover
        from .models import CoBuildingUnitContact

        # A co-building unit's contacts read and report on their unit's contracts.
        register_facet(
            "cobuilding_units", lambda user_id: CoBuildingUnitContact.objects.filter(user_id=user_id), "unit_id"
        )
        # A contact who leaves hands the unit's reporting and self-evaluation to a successor (offboarding).
        register_contact_handover()
