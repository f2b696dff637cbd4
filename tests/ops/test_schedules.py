"""Periodic tasks that expire: the database scheduler keeps each schedule's `expires`, beat sends the
runs with it, and a worker that comes back after an outage drops the stale sweeps instead of running them."""

import time

import pytest
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler, ModelEntry

from guilin_portal.celery import app as celery_app
from guilin_portal.schedules import CELERY_BEAT_SCHEDULE

pytestmark = pytest.mark.django_db

EXPIRING = {
    name: entry["options"]["expires"]
    for name, entry in CELERY_BEAT_SCHEDULE.items()
    if "expires" in entry.get("options", {})
}


def synced_scheduler() -> DatabaseScheduler:
    """What `celery beat` does at start: copy the configured schedule into PeriodicTask rows."""
    scheduler = DatabaseScheduler(app=celery_app, lazy=True)
    scheduler.update_from_dict(celery_app.conf.beat_schedule)
    return scheduler


# The scheduler closes "old" connections as beat does: outside a test transaction, as in beat.
@pytest.mark.django_db(transaction=True)
def test_every_expiring_schedule_keeps_its_expiry_in_the_database():
    assert EXPIRING, "schedules.py promises expiring sweeps"
    synced_scheduler()
    stored = dict(PeriodicTask.objects.filter(name__in=EXPIRING).values_list("name", "expire_seconds"))
    assert stored == EXPIRING


# The scheduler closes "old" connections as beat does: outside a test transaction, as in beat.
@pytest.mark.django_db(transaction=True)
def test_beat_sends_each_run_with_its_expiry():
    synced_scheduler()
    for name, seconds in EXPIRING.items():
        entry = ModelEntry(PeriodicTask.objects.get(name=name), app=celery_app)
        assert entry.options["expires"] == seconds
    never = [n for n in CELERY_BEAT_SCHEDULE if n not in EXPIRING]
    for name in never:
        assert "expires" not in ModelEntry(PeriodicTask.objects.get(name=name), app=celery_app).options


@pytest.mark.worker
def test_sweeps_queued_while_workers_were_down_are_dropped_not_piled_up(seeded_transactional_db, tmp_path):
    from tests.test_fault_drills import REDIS_SERVER, OwnRedis, Worker, publishing_to

    assert REDIS_SERVER, "the worker pass needs redis-server on the PATH (.ci/run installs it)"
    synced_scheduler()
    name = "grids-resend-waiting-issues"
    PeriodicTask.objects.filter(name=name).update(expire_seconds=1)  # a short expiry, so the test need not wait 55 s
    entry = ModelEntry(PeriodicTask.objects.get(name=name), app=celery_app)
    redis = OwnRedis(tmp_path)
    redis.start()
    try:
        with publishing_to(redis.url):
            # Beat keeps sending every minute while no worker is up: three sweeps wait in the queue...
            stale = [celery_app.send_task(entry.task, entry.args, entry.kwargs, **entry.options) for _ in range(3)]
            assert redis.queued("routing") == 3
            time.sleep(2)  # ...and go stale.
            worker = Worker(redis.url, tmp_path / "worker.log", queues="routing")
            try:
                PeriodicTask.objects.filter(name=name).update(expire_seconds=60)
                fresh_entry = ModelEntry(PeriodicTask.objects.get(name=name), app=celery_app)
                fresh = celery_app.send_task(
                    fresh_entry.task, fresh_entry.args, fresh_entry.kwargs, **fresh_entry.options
                )
                worker.wait_for_log(f"{fresh.id}] succeeded", seconds=60)
                log = worker.log()
            finally:
                worker.stop()
    finally:
        redis.stop()
    for sent in stale:
        assert f"{sent.id}] succeeded" not in log
        assert sent.id in log  # seen and discarded as expired
    assert log.count("succeeded") == 1  # only the fresh sweep ran
