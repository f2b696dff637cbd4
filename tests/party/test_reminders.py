"""Reminders before a meeting falls due: one notification per secretary, period and kind, never twice."""

import datetime as dt

import pytest

from grids.models import GridUnit, Post
from issues.models import Notification
from party import services
from party.models import Meeting, MeetingReminder, PartyOrganisation, Sector
from party.tasks import meeting_reminders_task
from tests.factories import grid_branch, person_at

pytestmark = pytest.mark.django_db


def test_secretaries_are_reminded_once_before_the_due_date():
    city = GridUnit.objects.get(level=GridUnit.Level.CITY)
    branch = grid_branch(city)
    secretary = person_at(branch.area, Post.Role.GRID_LEADER)
    org = PartyOrganisation.objects.create(
        name="提醒测试党支部",
        kind="branch",
        sector=Sector.COMMUNITY,
        unit=branch.area,
        secretary=secretary,
        records_from=dt.date(2026, 1, 1),
    )
    # The December committee meeting is already held: only the quarter's general meeting and lecture are due.
    Meeting.objects.create(
        organisation=org,
        kind="committee",
        held_on=dt.date(2026, 12, 2),
        topic="t",
        period_start=dt.date(2026, 12, 1),
        due_on=dt.date(2026, 12, 31),
    )
    # Too early: more than 7 days before the due date.
    services.meeting_reminders_send(today=dt.date(2026, 12, 20), days=7)
    assert not Notification.objects.filter(recipient=secretary).exists()
    services.meeting_reminders_send(today=dt.date(2026, 12, 26), days=7)
    subjects = sorted(Notification.objects.filter(recipient=secretary).values_list("subject", flat=True))
    assert len(subjects) == 2
    assert all("2026-12-31" in subject for subject in subjects)
    assert set(MeetingReminder.objects.filter(organisation=org).values_list("kind", flat=True)) == {
        "general",
        "lecture",
    }
    # Idempotent: a second run (or a second beat) sends nothing new.
    services.meeting_reminders_send(today=dt.date(2026, 12, 27), days=7)
    assert Notification.objects.filter(recipient=secretary).count() == 2


def test_the_beat_task_runs_the_service():
    assert isinstance(meeting_reminders_task.delay().get(), int)
