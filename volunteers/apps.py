from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("志愿服务")

    def ready(self) -> None:
        from grids.viewer import register_facet

        from .handler_kind import register_volunteer_team, team_managers
        from .models import Volunteer

        # Leaders and deputies manage their team (and handle what is routed to it).
        register_facet("teams_led", lambda user_id: team_managers().filter(volunteer__user_id=user_id), "team_id")
        register_facet("volunteer_ids", lambda user_id: Volunteer.objects.filter(user_id=user_id), "pk")

        # A volunteer team is a kind of handler of resident issues.
        register_volunteer_team()

        # Offboarding hands a leaving person's team leadership to a successor.
        from .handover import register_team_handover

        register_team_handover()
