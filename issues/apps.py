from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IssuesConfig(AppConfig):
    name = "issues"
    verbose_name = _("社情民意")

    def ready(self) -> None:
        from grids.viewer import register_facet

        from .handler_kinds import department_rows

        # A department's members handle what is routed to it.
        register_facet("departments", department_rows, "department_id")

        # Offboarding hands a leaving person's open issues and sub-tasks to a successor.
        from .handover import register_issue_handover

        register_issue_handover()

        # /healthz/ready: the routing relay sends what is logged (production).
        from guilin_portal.health import ReadinessCheck, register_check

        from .health import relay_check

        register_check(ReadinessCheck("routing relay", relay_check))
