"""Every periodic job in one place, with when and why. Celery beat reads this
(django-celery-beat stores it in the database, where the admin can pause a job).

Each app adds its entries here: {"name": {"task": "app.tasks.x", "schedule": ..., }}.
"""

from celery.schedules import crontab

CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # People: nightly at 02:40 (Asia/Shanghai), list any open issue, sub-task or team leadership
    # still held by an inactive account (offboarding hands them over; this catches what slipped
    # past it, e.g. an account deactivated in the admin). Read-only, so idempotent.
    "people-inactive-assignments-check": {
        "task": "people.tasks.inactive_assignments_check_task",
        "schedule": crontab(minute=40, hour=2),
    },
    # Resident issues: every minute, send routing again for issues still waiting
    # ISSUE_ROUTING_RETRY_SECONDS (2 minutes) after they were logged or last sent, so an
    # issue logged while Redis or every worker was down is routed once they are back.
    # Idempotent: the routing task does nothing for an issue no longer waiting.
    "grids-resend-waiting-issues": {
        "task": "issues.tasks.resend_waiting_issues",
        "schedule": 60.0,
        "options": {"expires": 55},  # a sweep queued while workers were down is dropped, not piled up
    },
    # Resident issues: every minute, remind handlers at 80% of the time limit and escalate
    # overdue issues one level up (督办). Idempotent: each reminder and each climb is
    # written once (reminded_at, next_escalation_at), whatever the number of runs.
    "grids-deadlines-sweep": {
        "task": "issues.tasks.deadlines_sweep",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Service network: rebuild the red stations' monthly service roll-ups for the twelve
    # closed months the dashboards show. Nightly at 00:15 (Asia/Shanghai), so a month
    # just closed is tallied within minutes of midnight on the 1st; idempotent.
    "service-centers-red-station-tallies": {
        "task": "service_centers.tasks.red_station_tally_refresh_task",
        "schedule": crontab(minute=15, hour=0),
    },
    # Volunteers: audit the time-bank and points ledger nightly at 02:10 (Asia/Shanghai):
    # every currency sums to zero, every balance equals its postings, no personal account
    # below zero. Read-only, so idempotent; a failure is logged as an error.
    "volunteers-ledger-audit": {
        "task": "volunteers.tasks.ledger_audit_task",
        "schedule": crontab(minute=10, hour=2),
    },
    # Contracts: the quarterly tally of co-building commitments, on the day after each
    # quarter ends (1 January, April, July, October at 01:30 Asia/Shanghai), so
    # communities can publish the quarter on their disclosure board from that morning.
    # Idempotent: a rerun (or a manual run from the admin or `manage.py contracts_tally`)
    # rewrites nothing that has not changed.
    "contracts-quarterly-tally": {
        "task": "contracts.tasks.tally_previous_quarter_task",
        "schedule": crontab(minute=30, hour=1, day_of_month=1, month_of_year="1,4,7,10"),
    },
    # Dashboards: recount the issue roll-up's months that changed since the last run (issues
    # updated since then, plus the current and previous month) every five minutes, so the
    # dashboards and the statistics API are at most five minutes behind ("as of" on the page).
    # Idempotent (delete + insert of those months in one transaction).
    "dashboards-issue-rollup-refresh": {
        "task": "dashboards.tasks.issue_rollup_refresh_task",
        "schedule": 300.0,
        "options": {"expires": 280},
    },
    # Dashboards: recount the whole issue roll-up nightly at 03:20 (Asia/Shanghai), after the
    # other nightly jobs, to catch what the five-minute refresh cannot see (a resolution undone
    # months later). Idempotent.
    "dashboards-issue-rollup-rebuild": {
        "task": "dashboards.tasks.issue_rollup_rebuild_task",
        "schedule": crontab(minute=20, hour=3),
    },
    # Party: 三会一课 reminders daily at 08:30 (Asia/Shanghai), the start of the working day: each
    # secretary whose organisation's meeting falls due within PARTY_MEETING_REMINDER_DAYS and is not
    # yet held gets one notification. Idempotent: one MeetingReminder row per organisation, kind and
    # period, so a rerun (or a second beat) sends nothing new.
    "party-meeting-reminders": {
        "task": "party.tasks.meeting_reminders_task",
        "schedule": crontab(minute=30, hour=8),
    },
}
