"""The Celery application. Settings come from Django's, under the CELERY_ prefix."""

import os

from celery import Celery, signals
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guilin_portal.settings.development")

app = Celery("guilin_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Imported late: these modules need the app configured above.
from . import metrics  # noqa: E402
from .observability import bind_task_id, configure_celery_logging, request_id_var  # noqa: E402
from .schedules import CELERY_BEAT_SCHEDULE  # noqa: E402


def with_expiry_for_the_database_scheduler(schedule: dict[str, dict]) -> dict[str, dict]:
    """Each entry's `expires` also as `expire_seconds`, the only name django-celery-beat keeps.

    Its DatabaseScheduler copies this dict into PeriodicTask rows and silently drops an
    `expires` option; `expire_seconds` lands in PeriodicTask.expire_seconds, and beat then
    sends each run with `expires`, so a sweep queued while the workers were down is
    discarded by the worker once stale instead of piling up.
    """
    synced = {}
    for name, entry in schedule.items():
        options = dict(entry.get("options", {}))
        if isinstance(options.get("expires"), int | float):
            options["expire_seconds"] = int(options["expires"])
        synced[name] = {**entry, "options": options} if options else dict(entry)
    return synced


app.conf.beat_schedule = with_expiry_for_the_database_scheduler(CELERY_BEAT_SCHEDULE)

# Workers and beat log through Django's LOGGING: one JSON object a line with the task id, as the web does.
# (Connected, this signal also keeps Celery from installing its own plain-text handlers.)
signals.setup_logging.connect(configure_celery_logging, weak=False)


def release_stale_connections(task) -> None:
    """Before and after a task on a worker, what Django does around a request (see CELERY_DB_REUSE_MAX).

    Never for an eager task: it runs inside someone's request and transaction.
    """
    if task is not None and not getattr(task.request, "is_eager", False):
        close_old_connections()


# Every task acts as the system (grids.viewer.Viewer.system()), even when it runs eagerly
# inside someone's request: its work is the portal's, not the requester's.
_viewer_tokens: dict[str, object] = {}
_log_tokens: dict[str, object] = {}


@signals.task_prerun.connect
def _before_task(task_id=None, task=None, **kwargs):
    from grids.viewer import Viewer, bind_viewer

    _log_tokens[task_id] = bind_task_id(task_id)
    release_stale_connections(task)
    _viewer_tokens[task_id] = bind_viewer(Viewer.system())
    metrics.task_started(task_id)


@signals.task_postrun.connect
def _after_task(task_id=None, task=None, state=None, **kwargs):
    from grids.viewer import unbind_viewer

    metrics.task_finished(task_id, task, state)
    token = _viewer_tokens.pop(task_id, None)
    if token is not None:
        unbind_viewer(token)
    log_token = _log_tokens.pop(task_id, None)
    if log_token is not None:
        # An eager task inside a request: the request's later lines carry the request's id again.
        request_id_var.reset(log_token)
    release_stale_connections(task)
