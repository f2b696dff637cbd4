"""The Celery application. Settings come from Django's, under the CELERY_ prefix."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guilin_portal.settings")

app = Celery("guilin_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Imported late so the schedule module may use celery.schedules.crontab freely.
from .schedules import CELERY_BEAT_SCHEDULE  # noqa: E402

app.conf.beat_schedule = CELERY_BEAT_SCHEDULE
