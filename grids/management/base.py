"""Management commands act as the system, as Celery tasks do."""

from django.core.management.base import BaseCommand

from grids.viewer import Viewer, acting_as


class SystemCommand(BaseCommand):
    """A command whose services see and act on every unit (`Viewer.system()`)."""

    def execute(self, *args, **options):
        with acting_as(Viewer.system()):
            return super().execute(*args, **options)
