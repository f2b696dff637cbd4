from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("审计记录")

    def ready(self) -> None:
        from celery import signals

        from . import history

        # A task's versions are the system's, even when it runs eagerly inside someone's request.
        signals.task_prerun.connect(history.task_started, weak=False, dispatch_uid="audit-task-started")
        signals.task_postrun.connect(history.task_finished, weak=False, dispatch_uid="audit-task-finished")
