"""Every periodic job in one place, with when and why. Celery beat reads this
(django-celery-beat stores it in the database, where the admin can pause a job).

Each app adds its entries here: {"name": {"task": "app.tasks.x", "schedule": ..., }}.
"""

from celery.schedules import crontab

CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Service network: rebuild the red stations' monthly service roll-ups for the twelve
    # closed months the dashboards show. Nightly at 00:15 (Asia/Shanghai), so a month
    # just closed is tallied within minutes of midnight on the 1st; idempotent.
    "service-centers-red-station-tallies": {
        "task": "service_centers.tasks.red_station_tally_refresh_task",
        "schedule": crontab(minute=15, hour=0),
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
}
