"""Who may see and manage volunteer rows: the one place that turns a viewer into a filter.

Three ways to see a row, unioned:
- jurisdiction: a post at a unit sees every team, activity, record and person
  whose unit lies in that unit's subtree (`grids.jurisdiction`);
- leading a team (leader or deputy): that team, its roster, activities and records,
  and nothing else ("a team leader sees and manages only their team");
- being the volunteer: one's own records, sign-ups and accounts, one's teams,
  and the activities of one's teams and of the community one lives in or is
  registered with.

To manage (edit a roster, publish an activity, check people in, verify a
record) a viewer leads the team, or holds a staff post (community staff or
above) whose subtree holds the row's unit. Grid workers see but do not manage.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from grids.jurisdiction import jurisdiction_paths, jurisdiction_q
from grids.models import GridUnit, Post

from .models import MemberRegistration, Team, TeamMember, Volunteer

_CACHE = "_volunteer_access_cache"


def _user_id(viewer: Any) -> int | None:
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return None
    return viewer.pk


def viewer_volunteer(viewer: Any) -> Volunteer | None:
    """The viewer's own volunteer record, if they have one (cached per request)."""
    cache = _cache(viewer)
    if "volunteer" not in cache:
        user_id = _user_id(viewer)
        cache["volunteer"] = Volunteer.objects.filter(user_id=user_id).first() if user_id else None
    return cache["volunteer"]


def _cache(viewer: Any) -> dict:
    if viewer is None:
        return {}
    cache = getattr(viewer, _CACHE, None)
    if cache is None:
        cache = {}
        try:
            setattr(viewer, _CACHE, cache)
        except AttributeError:  # AnonymousUser and friends
            return {}
    return cache


def forget_access(viewer: Any) -> None:
    """Call after changing the viewer's memberships in the same request."""
    if hasattr(viewer, _CACHE):
        delattr(viewer, _CACHE)


def led_team_ids(viewer: Any) -> list[int]:
    """Teams the viewer leads (leader or deputy)."""
    cache = _cache(viewer)
    if "led" not in cache:
        user_id = _user_id(viewer)
        cache["led"] = (
            list(
                TeamMember.objects.filter(
                    volunteer__user_id=user_id, role__in=TeamMember.MANAGER_ROLES, left_on__isnull=True
                ).values_list("team_id", flat=True)
            )
            if user_id
            else []
        )
    return cache["led"]


def member_team_ids(viewer: Any) -> list[int]:
    """Teams the viewer belongs to in any role."""
    cache = _cache(viewer)
    if "member" not in cache:
        user_id = _user_id(viewer)
        cache["member"] = (
            list(
                TeamMember.objects.filter(volunteer__user_id=user_id, left_on__isnull=True).values_list(
                    "team_id", flat=True
                )
            )
            if user_id
            else []
        )
    return cache["member"]


def home_paths(viewer: Any) -> list[str]:
    """Paths of the units the viewer lives in or is registered with as a volunteer."""
    cache = _cache(viewer)
    if "home" not in cache:
        volunteer = viewer_volunteer(viewer)
        paths: list[str] = []
        if volunteer is not None:
            paths.append(GridUnit.objects.only("path").get(pk=volunteer.unit_id).path)
            paths.extend(
                MemberRegistration.objects.filter(volunteer=volunteer, ended_on__isnull=True).values_list(
                    "community__path", flat=True
                )
            )
        cache["home"] = paths
    return cache["home"]


def _or_paths(lookup: str, paths: list[str]) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{lookup}__path__startswith": path})
    return q


def _sees_all(viewer: Any) -> bool:
    # Checked first: an empty Q() (jurisdiction_q of a superuser) vanishes when OR-ed with another Q.
    return jurisdiction_paths(viewer) is None


def team_q(viewer: Any) -> Q:
    if _sees_all(viewer):
        return Q()
    return jurisdiction_q(viewer, unit_field="unit") | Q(pk__in=member_team_ids(viewer))


def activity_q(viewer: Any) -> Q:
    if _sees_all(viewer):
        return Q()
    return (
        jurisdiction_q(viewer, unit_field="unit")
        | Q(team_id__in=member_team_ids(viewer))
        | _or_paths("unit", home_paths(viewer))
    )


def record_q(viewer: Any) -> Q:
    """Records counted in the viewer's jurisdiction or of a team based there, the teams they lead, their own."""
    if _sees_all(viewer):
        return Q()
    volunteer = viewer_volunteer(viewer)
    own = Q(volunteer_id=volunteer.pk) if volunteer is not None else Q(pk__in=[])
    return (
        jurisdiction_q(viewer, unit_field="unit")
        | jurisdiction_q(viewer, unit_field="team__unit")
        | Q(team_id__in=led_team_ids(viewer))
        | own
    )


def volunteer_q(viewer: Any) -> Q:
    """People: by where they live, plus the rosters of the teams the viewer leads, plus oneself."""
    if _sees_all(viewer):
        return Q()
    volunteer = viewer_volunteer(viewer)
    own = Q(pk=volunteer.pk) if volunteer is not None else Q(pk__in=[])
    led = led_team_ids(viewer)
    roster = (
        Q(pk__in=TeamMember.objects.filter(team_id__in=led, left_on__isnull=True).values("volunteer_id"))
        if led
        else Q(pk__in=[])
    )
    return jurisdiction_q(viewer, unit_field="unit") | roster | own


def visible(queryset: QuerySet, q: Q) -> QuerySet:
    return queryset.filter(q)


def get_visible_or_404(queryset: QuerySet, q: Q, **lookup):
    """One row the viewer may see, or 404: never a hint that it exists elsewhere."""
    try:
        return queryset.filter(q).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


def staff_paths(viewer: Any) -> list[str]:
    """Paths of the units where the viewer holds a staff post (community staff or above)."""
    cache = _cache(viewer)
    if "staff_paths" not in cache:
        user_id = _user_id(viewer)
        cache["staff_paths"] = (
            list(Post.objects.filter(user_id=user_id, role__in=Post.STAFF_ROLES).values_list("unit__path", flat=True))
            if user_id
            else []
        )
    return cache["staff_paths"]


def staff_covers(viewer: Any, unit: GridUnit) -> bool:
    """True when the viewer holds a staff post over this unit (a superuser covers everything)."""
    if getattr(viewer, "is_superuser", False):
        return True
    return any(unit.path.startswith(path) for path in staff_paths(viewer))


def staff_covers_any(viewer: Any) -> bool:
    """True when the viewer holds any staff post (or is a superuser)."""
    return getattr(viewer, "is_superuser", False) or bool(staff_paths(viewer))


def can_manage_team(viewer: Any, team: Team) -> bool:
    return team.pk in led_team_ids(viewer) or staff_covers(viewer, team.unit)


def can_manage_unit_rows(viewer: Any, *, unit: GridUnit, team_id: int | None) -> bool:
    """For a row that belongs to a unit and maybe a team (an activity, a record)."""
    return (team_id is not None and team_id in led_team_ids(viewer)) or staff_covers(viewer, unit)


def can_verify_record(viewer: Any, record) -> bool:
    """Leaders of the record's team, staff over the unit it counts for or over the team's unit; never one's own."""
    own = viewer_volunteer(viewer)
    if own is not None and own.pk == record.volunteer_id:
        return False
    if can_manage_unit_rows(viewer, unit=record.unit, team_id=record.team_id):
        return True
    return record.team_id is not None and staff_covers(viewer, record.team.unit)
