"""Reads of renovation projects, each scoped to the viewer's jurisdiction (outside it: 404)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import Substr

from grids.jurisdiction import get_scoped_or_404, scope
from grids.models import PATH_STEP, GridUnit
from grids.viewer import Viewer, viewer_of
from service_centers.models import ServicePoint

from .models import Photo, Project


def unit_get(*, viewer: Viewer, pk: int) -> GridUnit:
    """A unit in the viewer's jurisdiction, or 404."""
    return get_scoped_or_404(GridUnit.objects.all(), viewer, unit_field=None, pk=pk)


def home_unit(*, viewer: Viewer) -> GridUnit | None:
    """Where the renovation pages open: the viewer's highest post's unit (the city for a superuser)."""
    viewer = viewer_of(viewer)
    if viewer.posts:
        highest = min(viewer.posts, key=lambda post: (len(post.path), post.path))
        return GridUnit.objects.filter(pk=highest.unit_id).first()
    if viewer.sees_everything:
        return GridUnit.objects.filter(level=GridUnit.Level.CITY).order_by("path").first()
    return None


def project_get(*, viewer: Viewer, pk: int) -> Project:
    """One project in the viewer's jurisdiction, or 404."""
    return get_scoped_or_404(Project.objects.select_related("unit", "unit__parent"), viewer, pk=pk)


def project_list(*, viewer: Viewer, unit: GridUnit, kind: str = "", status: str = "") -> QuerySet[Project]:
    """The projects under a unit the viewer may read, filtered by kind and status, in tree order."""
    projects = scope(Project.objects.filter(unit__path__startswith=unit.path), viewer)
    if kind:
        projects = projects.filter(kind=kind)
    if status:
        projects = projects.filter(status=status)
    return projects.select_related("unit", "unit__parent").order_by("unit__path", "pk")


@dataclass
class ProgressRow:
    """One child unit of the listed unit (a district of the city, a street of a district...)."""

    unit: GridUnit
    villages: int = 0
    villages_finished: int = 0
    compounds: int = 0
    compounds_finished: int = 0
    in_progress: int = 0
    mean_progress: float | None = None

    @property
    def projects(self) -> int:
        return self.villages + self.compounds

    @property
    def finished(self) -> int:
        return self.villages_finished + self.compounds_finished


@dataclass
class Progress:
    rows: list[ProgressRow] = field(default_factory=list)
    total: ProgressRow | None = None


def _measures() -> dict:
    village, compound = Project.Kind.URBAN_VILLAGE, Project.Kind.NO_PROPERTY_COMPOUND
    finished = Q(status=Project.Status.FINISHED)
    return {
        "villages": Count("pk", filter=Q(kind=village)),
        "villages_finished": Count("pk", filter=Q(kind=village) & finished),
        "compounds": Count("pk", filter=Q(kind=compound)),
        "compounds_finished": Count("pk", filter=Q(kind=compound) & finished),
        "in_progress": Count("pk", filter=Q(status=Project.Status.IN_PROGRESS)),
        "mean_progress": Avg("progress"),
    }


def district_progress(*, viewer: Viewer, unit: GridUnit) -> Progress:
    """Projects and progress per child unit of `unit` (per district for the city), and in all: two queries."""
    projects = scope(Project.objects.filter(unit__path__startswith=unit.path), viewer)
    depth = (unit.level + 1) * PATH_STEP
    grouped = {
        row.pop("child"): row
        for row in projects.annotate(child=Substr("unit__path", 1, depth)).values("child").annotate(**_measures())
    }
    children = scope(GridUnit.objects.filter(parent_id=unit.pk), viewer, unit_field=None).order_by("path")
    rows = [
        ProgressRow(unit=child, **grouped[child.path])
        for child in children.only("pk", "name", "path", "level")
        if child.path in grouped
    ]
    total = ProgressRow(unit=unit)
    for row in rows:
        for name in ("villages", "villages_finished", "compounds", "compounds_finished", "in_progress"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    if total.projects:
        total.mean_progress = sum((r.mean_progress or 0) * r.projects for r in rows) / total.projects
    return Progress(rows=rows, total=total)


def project_photos(*, project: Project) -> list[Photo]:
    """The photos of a project already read through `project_get` (scoped), before ones first."""
    return list(project.photos.order_by("stage", "pk"))


def project_points(*, project: Project) -> list[ServicePoint]:
    """The micro-parks and venues a project (already scoped) produced."""
    return list(project.produced_points.select_related("unit").order_by("kind", "name"))


def photo_get(*, viewer: Viewer, pk: int) -> Photo:
    """A photo of a project in the viewer's jurisdiction, or 404."""
    return get_scoped_or_404(Photo.objects.select_related("project__unit"), viewer, unit_field="project__unit", pk=pk)


# What counts as a micro-park a renovation produced: a theme micro-park among a finished project's points.
MICRO_PARK_PRODUCED = Q(
    produced_points__kind=ServicePoint.Kind.THEME_PARK, produced_points__level=ServicePoint.Level.MICRO_PARK
)


@dataclass(frozen=True)
class RenovationFigures:
    urban_villages: int
    compounds: int
    in_progress: int
    micro_parks: int


def renovation_figures(*, unit: GridUnit) -> RenovationFigures:
    """The report's renovation figures of a unit's subtree (pass a unit already scoped): one query.

    Renovated = finished projects; micro-parks = the theme micro-parks finished projects produced.
    """
    projects = Project.objects.all()
    if unit.level != GridUnit.Level.CITY:
        projects = projects.filter(unit__path__startswith=unit.path)
    finished = Q(status=Project.Status.FINISHED)
    row = projects.aggregate(
        urban_villages=Count("pk", filter=finished & Q(kind=Project.Kind.URBAN_VILLAGE), distinct=True),
        compounds=Count("pk", filter=finished & Q(kind=Project.Kind.NO_PROPERTY_COMPOUND), distinct=True),
        in_progress=Count("pk", filter=Q(status=Project.Status.IN_PROGRESS), distinct=True),
        micro_parks=Count("produced_points", filter=finished & MICRO_PARK_PRODUCED, distinct=True),
    )
    return RenovationFigures(**row)


def micro_parks_produced() -> QuerySet[Project]:
    """Finished projects joined to the micro-parks they produced (count `produced_points` over it, distinct),
    for the dashboards' roll-up; the same rule as `renovation_figures`."""
    return Project.objects.filter(MICRO_PARK_PRODUCED, status=Project.Status.FINISHED)
