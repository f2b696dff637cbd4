from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceCentersConfig(AppConfig):
    name = "service_centers"
    verbose_name = _("党群服务阵地")

    def ready(self) -> None:
        from grids.viewer import register_facet

        from .handover import register_point_staff_handover
        from .models import ServicePointStaff

        # A point's own staff (a red station's duty staff) work on that point, whatever their posts.
        register_facet("service_points", lambda user_id: ServicePointStaff.objects.filter(user_id=user_id), "point_id")
        # A point's staff who leave hand their standing there to a successor (offboarding).
        register_point_staff_handover()
