"""The volunteer team as a handler of resident issues, registered with the issues app.

A routing rule naming a volunteer service category sends the issue to the
least-loaded active team of that category based nearest to the issue
(`selectors.routing.least_loaded_team`); the team's current leaders and
deputies handle it (the Viewer's `teams_led`) and get its notifications.
Registered from `VolunteersConfig.ready()`: the issues app knows no team.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from grids.viewer import facet_rows
from issues.handler_kinds import Handler, HandlerKindEntry, register
from issues.models import HandlerKind

from .models import TeamMember
from .selectors.routing import least_loaded_team


def team_managers():
    """Current leaders and deputies of teams (who handle what is routed to a team)."""
    return TeamMember.objects.filter(role__in=TeamMember.MANAGER_ROLES, left_on__isnull=True)


def _led_by(user_id: int):
    """The teams the user leads now, as a subquery: the rows of the Viewer's `teams_led` facet."""
    return facet_rows("teams_led", user_id)


def _recipients(team_ids: set[int]) -> dict[int, set[int]]:
    result: dict[int, set[int]] = {}
    rows = team_managers().filter(team_id__in=team_ids, volunteer__user__isnull=False)
    for team_id, user_id in rows.values_list("team_id", "volunteer__user_id"):
        result.setdefault(team_id, set()).add(user_id)
    return result


def _route(rule, issue) -> Handler | None:
    team = least_loaded_team(unit=issue.unit, category_id=rule.volunteer_category_id)
    return Handler.team(team) if team is not None else None


def _members(team_ids) -> QuerySet:
    return team_managers().filter(team_id__in=team_ids).values("volunteer__user_id")


def register_volunteer_team() -> None:
    register(
        HandlerKindEntry(
            name=HandlerKind.VOLUNTEER_TEAM,
            field="handler_team",
            handled_ids=lambda viewer: viewer.teams_led,
            handled_rows=_led_by,
            recipients=_recipients,
            route=_route,
            # No team fits: the community office, flagged like an issue with no rule (a team is missing).
            fallback_note=_("附近没有该类别的在册志愿服务队，转社区办公室。"),
            fallback_counts_as_no_rule=True,
            members=_members,
        )
    )
