"""Every periodic job in one place, with when and why. Celery beat reads this
(django-celery-beat stores it in the database, where the admin can pause a job).

Each app adds its entries here: {"name": {"task": "app.tasks.x", "schedule": ..., }}.
"""

CELERY_BEAT_SCHEDULE: dict[str, dict] = {}
