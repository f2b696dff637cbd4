"""Which volunteer team a resident issue goes to when a routing rule names a service category.

Called by the volunteer-team handler kind (`volunteers.handler_kind`) when
issues routes. Routing acts for nobody, so unlike every other selector this
one takes no viewer: it reads the whole tree, as routing rules do (its unit
is typed, an object the routing already holds).
"""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Length

from grids.models import GridUnit, ancestor_paths
from issues.models import Issue

from ..models import Team, TeamMember

PUBLIC_SELECTORS_WITHOUT_VIEWER = {
    "open_issue_count": "an annotation expression for a team queryset: reads no rows of its own",
}


def open_issue_count():
    """Per team (as an annotation): the resident issues routed to it and still open."""
    return Coalesce(
        Subquery(
            Issue.objects.open()
            .filter(handler_team_id=OuterRef("pk"))
            .order_by()
            .values("handler_team_id")
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def least_loaded_team(*, unit: GridUnit, category_id: int) -> Team | None:
    """The active team of the category based in the nearest unit enclosing `unit` (itself first),
    with the fewest open issues; ties go to the oldest team (lowest id). One query.

    A team needs a current leader or deputy: an issue sent to a team nobody leads would sit unseen.
    """
    paths = [*ancestor_paths(unit.path), unit.path]
    has_manager = TeamMember.objects.filter(
        team_id=OuterRef("pk"), role__in=TeamMember.MANAGER_ROLES, left_on__isnull=True
    )
    return (
        Team.objects.filter(is_active=True, category_id=category_id, unit__path__in=paths)
        .filter(Exists(has_manager))
        .annotate(depth=Length("unit__path"), open_issues=open_issue_count())
        .order_by("-depth", "open_issues", "pk")
        .first()
    )
