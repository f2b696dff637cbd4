"""Who may see and do what with volunteer rows: pure predicates over a `Viewer`, Q builders for lists,
and, per entity, the actions it offers (`*_allowed_actions`).

The actions are the one answer to "which buttons?": the pages draw exactly these buttons, the API
accepts exactly these calls (anything else is a 403, or a 404 outside what the viewer sees), and the
services check the same predicates they are built from, raising `PermissionDenied` when a rule of who
may is broken (`ValidationError` stays for bad input and for a state that does not allow the action,
e.g. a record already verified).

Seeing a row, three ways, unioned:
- jurisdiction: a post at a unit sees every team, activity, record and person whose unit lies in that
  unit's subtree (`grids.jurisdiction`);
- leading a team (leader or deputy): that team, its roster, activities and records, and nothing else
  ("a team leader sees and manages only their team");
- being the volunteer: one's own records, sign-ups and accounts, one's teams, and the activities of
  one's teams and of the community one lives in or is registered with.

Managing (edit a roster, publish an activity, check people in, verify a record) takes leading the
team, or a staff post (community staff or above) whose subtree holds the row's unit. Grid workers see
but do not manage. A superuser, and the system (tasks, commands), manage everything.

Everything here reads the Viewer's standing (posts, teams led, own volunteer record) and the fields of
the object passed in; nothing is cached anywhere and, except `can_see_activity` (documented there),
nothing queries the database. What the Viewer does not hold (the teams one is a plain member of, the
community one lives in or is registered with) enters the Q builders as subqueries, so a list stays one
query. An `*_allowed_actions` function takes an object the viewer can see (read through a scoped
selector: outside, it is a 404 and has no actions).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q, Subquery
from django.utils import timezone

from grids.jurisdiction import jurisdiction_q
from grids.models import PATH_STEP, GridUnit
from grids.viewer import Viewer
from issues.models import HandlerKind, Issue

from .models import (
    Activity,
    ActivitySignup,
    LedgerAccount,
    MemberRegistration,
    ServiceRecord,
    Team,
    TeamMember,
    Volunteer,
)

# A volunteer may check in from half an hour before the start until the end.
CHECK_IN_EARLY = timedelta(minutes=30)

NO_ACTIONS: frozenset[str] = frozenset()


# --- who the viewer is, here -----------------------------------------------------------------------
# Staff checks come first where the order is free: a superuser's or the system's answer needs no query,
# while teams led and one's own record are the person's standing (read once, on first use).


def is_self(viewer: Viewer, volunteer_id: int | None) -> bool:
    """The viewer is this volunteer."""
    return volunteer_id is not None and volunteer_id in viewer.volunteer_ids


def leads(viewer: Viewer, team_id: int | None) -> bool:
    """The viewer leads this team (leader or deputy)."""
    return team_id is not None and team_id in viewer.teams_led


def is_staff_over(viewer: Viewer, unit: GridUnit) -> bool:
    """A staff post over this unit (or a superuser, or the system)."""
    return viewer.is_staff_over(unit.path)


def is_staff_anywhere(viewer: Viewer) -> bool:
    """Any staff post (or a superuser, or the system)."""
    return viewer.staff_paths is None or bool(viewer.staff_paths)


def manages_anything(viewer: Viewer) -> bool:
    """Leads a team or holds a staff post: has records to verify, activities to publish."""
    return is_staff_anywhere(viewer) or bool(viewer.teams_led)


# --- lists: Q builders -------------------------------------------------------------------------------


def _sees_all(viewer: Viewer) -> bool:
    # Checked first: an empty Q() (everything) vanishes when OR-ed with another Q.
    return viewer.jurisdiction is None


def _member_team_ids(viewer: Viewer):
    """Subquery: the teams the viewer belongs to now, in any role."""
    return TeamMember.objects.filter(volunteer_id=viewer.volunteer_id, left_on__isnull=True).values("team_id")


def _home_q(viewer: Viewer, unit_field: str) -> Q:
    """Rows under the unit the viewer lives in or the community they are registered with (one at most)."""
    lives = Volunteer.objects.filter(pk=viewer.volunteer_id).values("unit__path")[:1]
    registered = MemberRegistration.objects.filter(volunteer_id=viewer.volunteer_id, ended_on__isnull=True).values(
        "community__path"
    )[:1]
    lookup = f"{unit_field}__path__startswith"
    return Q(**{lookup: Subquery(lives)}) | Q(**{lookup: Subquery(registered)})


def team_visible_q(viewer: Viewer) -> Q:
    """Teams based in the jurisdiction, and the viewer's own teams."""
    if _sees_all(viewer):
        return Q()
    q = jurisdiction_q(viewer, unit_field="unit")
    if viewer.volunteer_id is not None:
        q |= Q(pk__in=_member_team_ids(viewer))
    return q


def activity_visible_q(viewer: Viewer) -> Q:
    """Activities in the jurisdiction, of the viewer's teams, and of the community they live in or joined."""
    if _sees_all(viewer):
        return Q()
    q = jurisdiction_q(viewer, unit_field="unit")
    if viewer.volunteer_id is not None:
        q |= Q(team_id__in=_member_team_ids(viewer)) | _home_q(viewer, "unit")
    return q


def record_visible_q(viewer: Viewer) -> Q:
    """Records counted in the jurisdiction or of a team based there, of the teams led, and one's own."""
    if _sees_all(viewer):
        return Q()
    q = jurisdiction_q(viewer, unit_field="unit") | jurisdiction_q(viewer, unit_field="team__unit")
    if viewer.teams_led:
        q |= Q(team_id__in=sorted(viewer.teams_led))
    if viewer.volunteer_id is not None:
        q |= Q(volunteer_id=viewer.volunteer_id)
    return q


def volunteer_visible_q(viewer: Viewer) -> Q:
    """People: by where they live, plus the rosters of the teams the viewer leads, plus oneself."""
    if _sees_all(viewer):
        return Q()
    q = jurisdiction_q(viewer, unit_field="unit")
    if viewer.teams_led:
        roster = TeamMember.objects.filter(team_id__in=sorted(viewer.teams_led), left_on__isnull=True)
        q |= Q(pk__in=roster.values("volunteer_id"))
    if viewer.volunteer_id is not None:
        q |= Q(pk=viewer.volunteer_id)
    return q


def sees_system_accounts(viewer: Viewer) -> bool:
    """The system's issuing and redemption accounts are the city's: a post at city level sees them."""
    paths = viewer.jurisdiction
    return paths is None or any(len(path) == PATH_STEP for path in paths)


def account_visible_q(viewer: Viewer) -> Q:
    """One's own accounts; those of people who live in the jurisdiction; the system's at city level."""
    if _sees_all(viewer):
        return Q()
    q = jurisdiction_q(viewer, unit_field="volunteer__unit")
    if viewer.volunteer_id is not None:
        q |= Q(volunteer_id=viewer.volunteer_id)
    if sees_system_accounts(viewer):
        q |= Q(volunteer__isnull=True)
    return q


# --- teams and people ----------------------------------------------------------------------------------


def can_manage_team(viewer: Viewer, team: Team) -> bool:
    """Its leaders and deputies, and staff over the unit it is based in (`team.unit` loaded)."""
    return is_staff_over(viewer, team.unit) or leads(viewer, team.pk)


def can_found_team(viewer: Viewer, unit: GridUnit) -> bool:
    return is_staff_over(viewer, unit)


def can_appoint_leader(viewer: Viewer, team: Team) -> bool:
    """A team's leader is appointed (and stood down) by staff over its unit, not by the team."""
    return is_staff_over(viewer, team.unit)


def can_register_volunteer(viewer: Viewer, unit: GridUnit) -> bool:
    """Staff register people who live in their subtree; a team's leaders register newcomers for their team."""
    return is_staff_over(viewer, unit) or bool(viewer.teams_led)


def can_edit_volunteer(viewer: Viewer, volunteer: Volunteer, *, unit: GridUnit) -> bool:
    """Staff over where the person lives, and over where they move to (`unit`)."""
    return is_staff_over(viewer, volunteer.unit) and is_staff_over(viewer, unit)


def can_add_member(viewer: Viewer, team: Team, role: str = TeamMember.Role.MEMBER) -> bool:
    """The team's managers put people on the roster; only staff make someone its leader."""
    return can_manage_team(viewer, team) and (role != TeamMember.Role.LEADER or can_appoint_leader(viewer, team))


def can_set_member_role(viewer: Viewer, membership: TeamMember, team: Team, role: str) -> bool:
    """The team's managers; making someone leader, or changing the leader's role, only staff."""
    if not can_manage_team(viewer, team):
        return False
    touches_leader = TeamMember.Role.LEADER in (role, membership.role)
    return not touches_leader or can_appoint_leader(viewer, team)


def can_remove_member(viewer: Viewer, membership: TeamMember, team: Team) -> bool:
    """The team's managers; the leader only by staff (who appoint the next one)."""
    if not can_manage_team(viewer, team):
        return False
    return membership.role != TeamMember.Role.LEADER or can_appoint_leader(viewer, team)


TEAM_ACTIONS = ("publish_activity", "record_service", "add_member", "appoint_leader")


def team_allowed_actions(viewer: Viewer, team: Team) -> frozenset[str]:
    """What the viewer may do with a team they see.

    - publish_activity: publish an activity of the team (page: "发布活动"; API: POST activities/ with team);
    - record_service: register a member's service for the team (page: "为队员登记服务"; API: POST
      service-records/ with team);
    - add_member: put a person on the roster (page: the add form; API: POST teams/{id}/members/);
    - appoint_leader: make someone the leader (page: "队长" among the roles; API: the same POST with
      role=leader).
    """
    if not can_manage_team(viewer, team):
        return NO_ACTIONS
    actions = {"publish_activity", "record_service"}
    if team.is_active:
        actions.add("add_member")
        if can_appoint_leader(viewer, team):
            actions.add("appoint_leader")
    return frozenset(actions)


def membership_allowed_actions(viewer: Viewer, membership: TeamMember, team: Team) -> frozenset[str]:
    """set_role, remove: the roster's per-person buttons (a current member of a team the viewer sees)."""
    if membership.left_on is not None or not can_manage_team(viewer, team):
        return NO_ACTIONS
    if membership.role == TeamMember.Role.LEADER and not can_appoint_leader(viewer, team):
        return NO_ACTIONS
    return frozenset({"set_role", "remove"})


def assignable_roles(viewer: Viewer, team: Team) -> list[str]:
    """The roles the viewer may give a member of this team."""
    roles = [TeamMember.Role.DEPUTY, TeamMember.Role.MEMBER]
    return [TeamMember.Role.LEADER, *roles] if can_appoint_leader(viewer, team) else roles


# --- activities and sign-ups ---------------------------------------------------------------------------


def can_manage_activity(viewer: Viewer, activity: Activity) -> bool:
    """The leaders of its team, and staff over where it takes place (`activity.unit` loaded)."""
    return is_staff_over(viewer, activity.unit) or leads(viewer, activity.team_id)


def can_publish_activity(viewer: Viewer, *, unit: GridUnit, team: Team | None) -> bool:
    """A team's leaders for their team, staff for the units under them."""
    return is_staff_over(viewer, unit) or leads(viewer, team.pk if team is not None else None)


def can_publish_anywhere(viewer: Viewer) -> bool:
    """Has somewhere to publish an activity: leads a team or holds a staff post."""
    return manages_anything(viewer)


def can_see_activity(viewer: Viewer, activity: Activity) -> bool:
    """The activity is one the viewer sees (`activity_visible_q`).

    Decided from the Viewer and the row when they can (jurisdiction, teams led); otherwise it takes one
    EXISTS query, since the teams one is a plain member of and the community one lives in are not in
    the Viewer. The only predicate here that may query: a service is handed activities by anyone and
    must check; pages and the API read activities through the scoped selector and need not ask.
    """
    if viewer.sees_path(activity.unit.path) or leads(viewer, activity.team_id):
        return True
    if viewer.volunteer_id is None:
        return False
    return Activity.objects.filter(activity_visible_q(viewer), pk=activity.pk).exists()


def can_sign_up(viewer: Viewer, activity: Activity, volunteer: Volunteer) -> bool:
    """Its managers sign anyone up; a volunteer signs themself up for an activity they see."""
    if can_manage_activity(viewer, activity):
        return True
    return is_self(viewer, volunteer.pk) and can_see_activity(viewer, activity)


def can_act_on_signup(viewer: Viewer, signup: ActivitySignup, activity: Activity) -> bool:
    """Cancel, check in, check out: the volunteer themself or the activity's managers."""
    return is_self(viewer, signup.volunteer_id) or can_manage_activity(viewer, activity)


ACTIVITY_ACTIONS = ("sign_up", "cancel", "verify_all")


def activity_allowed_actions(
    viewer: Viewer, activity: Activity, *, signed_up: bool = False, now: datetime | None = None
) -> frozenset[str]:
    """What the viewer may do with an activity they see (`signed_up`: they hold a live sign-up to it).

    - sign_up: sign oneself up (a volunteer record, not signed up yet; open, not started, a place left);
    - cancel: call it off (its managers, while it is open);
    - verify_all: verify its pending records at once (its managers; the page shows it when some wait).
    """
    now = now or timezone.now()
    actions = set()
    is_open = activity.status == Activity.Status.OPEN
    may_join = viewer.volunteer_id is not None and not signed_up
    if may_join and is_open and now < activity.starts_at and activity.places_left > 0:
        actions.add("sign_up")
    if can_manage_activity(viewer, activity):
        actions.add("verify_all")
        if is_open:
            actions.add("cancel")
    return frozenset(actions)


SIGNUP_ACTIONS = ("cancel", "check-in", "check-out")


def signup_allowed_actions(
    viewer: Viewer, signup: ActivitySignup, activity: Activity, *, now: datetime | None = None
) -> frozenset[str]:
    """What the viewer may do with one sign-up (the volunteer, or the activity's managers).

    - cancel: give the place back, before the start;
    - check-in: from half an hour before the start until the end of an open activity;
    - check-out: once checked in, after the start.
    """
    if not can_act_on_signup(viewer, signup, activity):
        return NO_ACTIONS
    now = now or timezone.now()
    actions = set()
    if signup.status == ActivitySignup.Status.SIGNED_UP:
        if now < activity.starts_at:
            actions.add("cancel")
        if activity.status == Activity.Status.OPEN and activity.starts_at - CHECK_IN_EARLY <= now < activity.ends_at:
            actions.add("check-in")
    elif signup.status == ActivitySignup.Status.CHECKED_IN and now > activity.starts_at:
        actions.add("check-out")
    return frozenset(actions)


# --- service records ---------------------------------------------------------------------------------


def can_record_service(
    viewer: Viewer, *, volunteer: Volunteer, team: Team | None, unit: GridUnit, home_unit_ids: set[int]
) -> bool:
    """Register served time: staff over the unit it counts for; a team's leaders for its members, at
    their home or inside the team's subtree; the person themself at home (`home_unit_ids`: where they
    live and the community they are registered with)."""
    if is_staff_over(viewer, unit):
        return True
    at_home = unit.pk in home_unit_ids
    if team is not None and leads(viewer, team.pk):
        return at_home or unit.path.startswith(team.unit.path)
    return is_self(viewer, volunteer.pk) and at_home


def can_verify_record(viewer: Viewer, record: ServiceRecord) -> bool:
    """Leaders of the record's team, staff over the unit it counts for or over the team's unit
    (`record.unit` and `record.team.unit` loaded); never one's own record."""
    if is_self(viewer, record.volunteer_id):
        return False
    if is_staff_over(viewer, record.unit) or leads(viewer, record.team_id):
        return True
    return record.team_id is not None and is_staff_over(viewer, record.team.unit)


RECORD_ACTIONS = ("verify", "reject", "reverse")


def record_allowed_actions(viewer: Viewer, record: ServiceRecord) -> frozenset[str]:
    """verify and reject a pending record, reverse a verified one: its verifiers."""
    if not can_verify_record(viewer, record):
        return NO_ACTIONS
    if record.status == ServiceRecord.Status.PENDING:
        return frozenset({"verify", "reject"})
    if record.status == ServiceRecord.Status.VERIFIED:
        return frozenset({"reverse"})
    return NO_ACTIONS


# --- ledger and registration ---------------------------------------------------------------------------


def can_draw_on(viewer: Viewer, volunteer: Volunteer) -> bool:
    """Withdrawals for elderly care and points redemptions: staff where the person lives."""
    return is_staff_over(viewer, volunteer.unit)


def can_transfer_from(viewer: Viewer, volunteer: Volunteer) -> bool:
    """One gives one's own hours or points; staff where the giver lives may register it for them."""
    return is_self(viewer, volunteer.pk) or is_staff_over(viewer, volunteer.unit)


def can_transfer_to(viewer: Viewer, volunteer: Volunteer) -> bool:
    """Hours or points go only to someone the sender may see (`volunteer_visible_q`)."""
    return Volunteer.objects.filter(volunteer_visible_q(viewer), pk=volunteer.pk).exists()


ACCOUNT_ACTIONS = ("withdraw",)


def account_allowed_actions(viewer: Viewer, account: LedgerAccount) -> frozenset[str]:
    """withdraw: draw on a person's account (`account.volunteer.unit` loaded); never on the system's."""
    if account.volunteer_id is None or not can_draw_on(viewer, account.volunteer):
        return NO_ACTIONS
    return frozenset({"withdraw"})


def can_manage_registrations(viewer: Viewer, community: GridUnit) -> bool:
    """Organisations' registrations with a community, and ending any: staff over the community."""
    return is_staff_over(viewer, community)


def can_register_member(viewer: Viewer, volunteer: Volunteer, community: GridUnit) -> bool:
    """A party member registers themself; staff over the community register them too."""
    return is_self(viewer, volunteer.pk) or is_staff_over(viewer, community)


# --- resident demands routed to a team -------------------------------------------------------------------


def can_manage_demand(viewer: Viewer, issue: Issue) -> bool:
    """The team handles the demand: its leaders and deputies, the issue's assignee, a superuser."""
    if viewer.sees_everything:
        return True
    if viewer.user_id is not None and issue.assignee_id == viewer.user_id:
        return True
    return issue.handler_kind == HandlerKind.VOLUNTEER_TEAM and leads(viewer, issue.handler_team_id)


def can_record_for_shift(viewer: Viewer, activity: Activity) -> bool:
    """A member's service in a demand's shift is recorded by the team's leaders (or a superuser)."""
    return viewer.sees_everything or leads(viewer, activity.team_id)


DEMAND_ACTIONS = ("accept", "decompose", "record", "complete_shift")


def demand_allowed_actions(viewer: Viewer, issue: Issue, *, lifecycle: set[str] | frozenset[str]) -> frozenset[str]:
    """What the viewer may do with a demand routed to a team (`lifecycle`: what the issues app allows the
    viewer to do with the issue, `issues.access.issue_allowed_actions`).

    - accept, decompose: take the demand on, split it into shifts (as the issue's life cycle allows);
    - record: record a member's service in one of its open shifts (the team's leaders);
    - complete_shift: mark a shift done once its service is verified.
    """
    if not can_manage_demand(viewer, issue):
        return NO_ACTIONS
    actions = {"complete_shift"} | ({"accept", "decompose"} & set(lifecycle))
    if viewer.sees_everything or leads(viewer, issue.handler_team_id):
        actions.add("record")
    return frozenset(actions)
