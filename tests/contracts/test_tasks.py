"""The tally as a Celery task, a beat entry, a management command and an admin action."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from contracts.models import QuarterlyTally, TallyRun
from contracts.periods import previous_quarter
from contracts.tasks import tally_previous_quarter_task, tally_quarter_task
from guilin_portal.celery import app
from guilin_portal.schedules import CELERY_BEAT_SCHEDULE

pytestmark = pytest.mark.django_db


def test_the_beat_runs_the_day_after_each_quarter_ends():
    entry = CELERY_BEAT_SCHEDULE["contracts-quarterly-tally"]
    assert entry["task"] == "contracts.tasks.tally_previous_quarter_task"
    schedule = entry["schedule"]
    assert schedule.month_of_year == {1, 4, 7, 10}
    assert schedule.day_of_month == {1}
    assert app.conf.beat_schedule["contracts-quarterly-tally"]["task"] == entry["task"]
    assert app.amqp.router.route({}, "contracts.tasks.tally_quarter_task")["queue"].name == "tallies"


def test_the_beat_task_tallies_the_quarter_that_just_ended():
    year, quarter = previous_quarter(timezone.localdate())
    tally_previous_quarter_task.delay()
    run = TallyRun.objects.latest("started_at")
    assert (run.year, run.quarter, run.trigger) == (year, quarter, TallyRun.Trigger.SCHEDULE)


def test_the_task_is_idempotent():
    year = timezone.localdate().year - 1
    tally_quarter_task.delay(year, 2)
    rows = list(QuarterlyTally.objects.filter(year=year, quarter=2).order_by("pk").values())
    assert tally_quarter_task.delay(year, 2).get() == 0
    assert list(QuarterlyTally.objects.filter(year=year, quarter=2).order_by("pk").values()) == rows


def test_previous_quarter_wraps_the_year():
    from datetime import date

    assert previous_quarter(date(2026, 1, 1)) == (2025, 4)
    assert previous_quarter(date(2026, 4, 1)) == (2026, 1)
    assert previous_quarter(date(2026, 12, 31)) == (2026, 3)


def test_the_command_runs_a_quarter():
    out = io.StringIO()
    year = timezone.localdate().year - 1
    call_command("contracts_tally", year=year, quarter=1, stdout=out)
    assert f"Tallied {year} Q1" in out.getvalue()
    assert TallyRun.objects.filter(year=year, quarter=1, trigger=TallyRun.Trigger.COMMAND).exists()


def test_the_admin_runs_the_tally_on_demand(client_as, django_capture_on_commit_callbacks):
    client = client_as("admin")
    year = timezone.localdate().year - 1
    assert client.get("/admin/contracts/quarterlytally/run/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/contracts/quarterlytally/run/", {"year": year, "quarter": 3})
    assert response.status_code == 302
    run = TallyRun.objects.latest("started_at")
    assert (run.year, run.quarter, run.trigger, run.requested_by.username) == (year, 3, "admin", "admin")
    row = QuarterlyTally.objects.filter(year=year, quarter=3).first()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/contracts/quarterlytally/", {"action": "recompute_quarters", "_selected_action": [row.pk]})
    assert TallyRun.objects.filter(trigger="admin").count() == 2


def test_admin_lists_open(client_as):
    client = client_as("admin")
    for name in (
        "cobuildingunit",
        "contract",
        "commitment",
        "progress",
        "evaluation",
        "quarterlytally",
        "tallyrun",
        "boardpublication",
        "awardlist",
    ):
        assert client.get(f"/admin/contracts/{name}/").status_code == 200
