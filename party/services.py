"""Writes of the party app, one function per business action; each checks the viewer through party.access."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import GridUnit, User
from grids.viewer import Viewer
from guilin_portal.uploads import clean_image
from issues.models import Notification
from issues.services.notifications import notify_handoff

from . import access, periods
from .models import (
    Brand,
    BrandPhoto,
    Meeting,
    MeetingPhoto,
    MeetingReminder,
    MeetingRule,
    PartyMember,
    PartyOrganisation,
    PioneerPost,
    PioneerTeam,
)

BATCH = 2000


# -- organisations -------------------------------------------------------------------------------


@transaction.atomic
def organisation_save(
    *,
    viewer: Viewer,
    organisation: PartyOrganisation,
    name: str,
    kind: str,
    sector: str,
    unit: GridUnit,
    parent: PartyOrganisation | None,
    secretary: User | None,
    records_from: dt.date | None,
    is_active: bool = True,
) -> PartyOrganisation:
    """Create or change an organisation: staff over both its old and its new unit."""
    if organisation.pk and not access.can_manage_organisation(viewer, organisation):
        raise PermissionDenied(_("您不能修改这个党组织。"))
    if not viewer.is_staff_over(unit.path):
        raise ValidationError({"unit": _("所选单元不在您的管辖范围内。")})
    if parent is not None and organisation.pk and parent.pk == organisation.pk:
        raise ValidationError({"parent": _("上级党组织不能是它自己。")})
    organisation.name = name.strip()
    organisation.kind = kind
    organisation.sector = sector
    organisation.unit = unit
    organisation.parent = parent
    organisation.secretary = secretary
    organisation.records_from = records_from
    organisation.is_active = is_active
    organisation.full_clean()
    organisation.save()
    if secretary is not None:
        PartyMember.objects.update_or_create(
            organisation=organisation,
            user=secretary,
            defaults={"name": secretary.display_name, "role": PartyMember.Role.SECRETARY},
        )
    return organisation


@transaction.atomic
def member_add(
    *,
    viewer: Viewer,
    organisation: PartyOrganisation,
    name: str,
    role: str,
    user: User | None = None,
    joined_on: dt.date | None = None,
) -> PartyMember:
    """Put a person on the roll (linked to their account when they have one)."""
    if not access.can_edit_roll(viewer, organisation):
        raise PermissionDenied(_("您不能修改这个党组织的党员名册。"))
    if user is not None and PartyMember.objects.filter(organisation=organisation, user=user).exists():
        raise ValidationError({"user": _("此人已在名册中。")})
    member = PartyMember(
        organisation=organisation,
        user=user,
        name=(name.strip() or (user.display_name if user else "")),
        role=role,
        joined_on=joined_on,
    )
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def member_remove(*, viewer: Viewer, member: PartyMember) -> None:
    if not access.can_edit_roll(viewer, member.organisation):
        raise PermissionDenied(_("您不能修改这个党组织的党员名册。"))
    member.delete()


# -- 三会一课 --------------------------------------------------------------------------------------


def rule_for(*, organisation_kind: str, meeting_kind: str) -> MeetingRule | None:
    return MeetingRule.objects.filter(
        organisation_kind=organisation_kind, meeting_kind=meeting_kind, is_active=True
    ).first()


def meeting_period(*, rule: MeetingRule | None, day: dt.date) -> tuple[dt.date, dt.date]:
    """(first day, due date) of the period holding `day` under the rule (a month without a rule)."""
    return periods.containing(day, rule.period_months if rule else 1)


@transaction.atomic
def meeting_record(
    *,
    viewer: Viewer,
    organisation: PartyOrganisation,
    kind: str,
    held_on: dt.date,
    topic: str,
    attendees: Sequence[PartyMember] = (),
    attended: int | None = None,
    minutes: str = "",
    answers_for: dt.date | None = None,
    photos: Iterable = (),
) -> Meeting:
    """Record a meeting held, for the period holding `answers_for` (default: the day held).

    Held after that period's due date, it counts as late (the rule of 三会一课: by the due date).
    """
    if not access.can_record_meeting(viewer, organisation):
        raise PermissionDenied(_("您不能为这个党组织记录组织生活。"))
    today = timezone.localdate()
    if held_on > today:
        raise ValidationError({"held_on": _("召开日期不能晚于今天。")})
    rule = rule_for(organisation_kind=organisation.kind, meeting_kind=kind)
    period_start, due = meeting_period(rule=rule, day=answers_for or held_on)
    if held_on < period_start:
        raise ValidationError({"answers_for": _("会议不能在所属周期开始之前召开。")})
    roll = organisation.members.count()
    present = [m for m in attendees if m.organisation_id == organisation.pk]
    if len(present) != len(attendees):
        raise ValidationError({"attendees": _("出席党员须在本组织名册中。")})
    count = len(present) if attended is None else attended
    if count > roll:
        raise ValidationError({"attended": _("实到人数不能超过应到人数（%(roll)d）。") % {"roll": roll}})
    cleaned = [clean_image(photo) for photo in photos]
    meeting = Meeting(
        organisation=organisation,
        kind=kind,
        held_on=held_on,
        topic=topic.strip(),
        period_start=period_start,
        due_on=due,
        roll=roll,
        attended=count,
        minutes=minutes,
        recorded_by=viewer.user,
    )
    meeting.full_clean()
    meeting.save()
    if present:
        meeting.attendees.set(present)
    if cleaned:
        MeetingPhoto.objects.bulk_create([MeetingPhoto(meeting=meeting, image=content) for content in cleaned])
    return meeting


@transaction.atomic
def rule_save(*, rule: MeetingRule) -> MeetingRule:
    """Save a schedule rule and move its meetings to its periods: the figures recompute from them.

    A meeting keeps answering for the period holding its old period's first day; its due date is
    that period's last day under the rule as it now stands. Set-based: one read, batched updates.
    """
    rule.full_clean()
    rule.save()
    meeting_periods_recompute(organisation_kind=rule.organisation_kind, meeting_kind=rule.meeting_kind)
    return rule


def meeting_periods_recompute(*, organisation_kind: str, meeting_kind: str) -> int:
    """Each meeting of this kind in organisations of this kind, re-attached to its rule's period."""
    rule = rule_for(organisation_kind=organisation_kind, meeting_kind=meeting_kind)
    months = rule.period_months if rule else 1
    rows = Meeting.objects.filter(kind=meeting_kind, organisation__kind=organisation_kind).values_list(
        "pk", "period_start", "due_on"
    )
    changed = []
    for pk, start, due in rows.iterator(chunk_size=BATCH):
        new_start, new_due = periods.containing(start, months)
        if (new_start, new_due) != (start, due):
            changed.append(Meeting(pk=pk, period_start=new_start, due_on=new_due))
    Meeting.objects.bulk_update(changed, ["period_start", "due_on"], batch_size=BATCH)
    return len(changed)


def meeting_reminders_send(*, today: dt.date, days: int) -> int:
    """Remind secretaries of meetings falling due within `days` and not yet held (once per period).

    Set-based: the tracked organisations with a secretary and the meetings of their current periods
    in two reads, the reminders and notifications in two inserts.
    """
    from .selectors import current_period_shortfalls

    shortfalls = [s for s in current_period_shortfalls(today=today) if (s.due_on - today).days <= days]
    if not shortfalls:
        return 0
    keys = {(s.organisation_id, s.kind, s.period_start) for s in shortfalls}
    sent = set(
        MeetingReminder.objects.filter(
            organisation_id__in={k[0] for k in keys}, period_start__in={k[2] for k in keys}
        ).values_list("organisation_id", "kind", "period_start")
    )
    fresh = [s for s in shortfalls if (s.organisation_id, s.kind, s.period_start) not in sent]
    with transaction.atomic():
        MeetingReminder.objects.bulk_create(
            [
                MeetingReminder(organisation_id=s.organisation_id, kind=s.kind, period_start=s.period_start)
                for s in fresh
            ],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
        for s in fresh:
            notify_handoff(
                recipient_ids=[s.secretary_id],
                kind=Notification.Kind.REMINDER,
                subject=_("%(organisation)s：%(kind)s应于%(due)s前召开")
                % {
                    "organisation": s.organisation_name,
                    "kind": s.kind_label,
                    "due": s.due_on.isoformat(),
                },
                link=reverse("party:organisation_detail", args=[s.organisation_id]),
            )
    return len(fresh)


# -- brands, pioneer posts and teams -------------------------------------------------------------


def _owned_check(viewer: Viewer, row) -> None:
    if not access.can_manage_owned(viewer, row):
        raise PermissionDenied(_("您不能修改这条记录。"))
    # Where it serves: inside the keeper's staff jurisdiction, or inside its organisation's unit.
    if not viewer.is_staff_over(row.unit.path) and not row.unit.path.startswith(row.organisation.unit.path):
        raise ValidationError({"unit": _("所选单元不在您的管辖范围内。")})


@transaction.atomic
def owned_save(*, viewer: Viewer, row: Brand | PioneerPost | PioneerTeam, photos: Iterable = ()):
    """Create or change a brand, post or team (its fields already set); photos for a brand."""
    if row.pk:
        old = type(row).objects.select_related("unit", "organisation__unit").get(pk=row.pk)
        _owned_check(viewer, old)
    _owned_check(viewer, row)
    cleaned = [clean_image(photo) for photo in photos]
    row.full_clean()
    row.save()
    if cleaned and isinstance(row, Brand):
        BrandPhoto.objects.bulk_create([BrandPhoto(brand=row, image=content) for content in cleaned])
    return row
