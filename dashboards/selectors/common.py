"""What every dashboard figure starts from: the unit (scoped to the viewer), its children, its subtree."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Substr
from django.utils.translation import gettext as _

from grids.jurisdiction import can_see_unit, get_scoped_or_404, jurisdiction_paths
from grids.models import PATH_STEP, GridUnit, Post, ancestor_paths
from grids.viewer import Viewer

from ..models import FigureMonthlyRollup
from ..sql import union_all

PUBLIC_SELECTORS_WITHOUT_VIEWER = {
    "grid_overview_result": "figures from rows the caller read for a unit it had checked; no query",
}

# The key of rows counted at the unit itself rather than in one of its children
# (an issue logged at a micro-grid that has compounds below it, say).
OWN = "__own__"


def stats_unit(*, viewer: Viewer, unit_id: int | None) -> GridUnit:
    """The unit a dashboard or statistics request is about: the one asked for (404 outside the
    viewer's jurisdiction), else the viewer's own top unit (GridUnit.DoesNotExist when they have none)."""
    if unit_id is not None:
        return get_scoped_or_404(GridUnit.objects.all(), viewer, unit_field=None, pk=unit_id)
    paths = jurisdiction_paths(viewer)
    if paths is None:
        return GridUnit.objects.get(level=GridUnit.Level.CITY)
    if not paths:
        raise GridUnit.DoesNotExist
    return GridUnit.objects.filter(path__in=paths).order_by("level", "path").first()


def from_rollup(state, *, unit: GridUnit, period, by_child: bool = False) -> bool:
    """Whether a figure of the other domains is read from their roll-up (FigureMonthlyRollup, kept per street
    and month): when it was built and is read as such (`state`, from `figures_current()`), the unit is a
    street or above (a street's children lie below the roll-up) and the period is whole months."""
    if state is None:
        return False
    if unit.level > GridUnit.Level.STREET or (by_child and unit.level >= GridUnit.Level.STREET):
        return False
    return period is None or (period.start.day == 1 and period.end.day == 1)


def in_subtree(queryset: QuerySet, unit: GridUnit, unit_field: str = "unit") -> QuerySet:
    """Rows whose unit lies in `unit`'s subtree: an index range on the path (no filter at all for the city)."""
    if unit.level == GridUnit.Level.CITY:
        return queryset
    lookup = "path__startswith" if unit_field is None else f"{unit_field}__path__startswith"
    return queryset.filter(**{lookup: unit.path})


def child_key(unit: GridUnit, path_field: str = "unit__path") -> Substr:
    """The expression that names a row's child unit of `unit` (its path cut to the child's depth)."""
    return Substr(path_field, 1, (unit.level + 1) * PATH_STEP)


def children_of(unit: GridUnit) -> list[GridUnit]:
    """The unit's children in tree order: one query."""
    return list(GridUnit.objects.filter(parent_id=unit.pk).order_by("path").only("id", "name", "path", "level"))


@dataclass(frozen=True)
class Crumb:
    unit: GridUnit
    visible: bool


def breadcrumbs(*, viewer: Viewer, unit: GridUnit) -> list[Crumb]:
    """The unit's ancestors from the city down, each linked only where the viewer may open it: one query."""
    ancestors = GridUnit.objects.filter(path__in=ancestor_paths(unit.path)).order_by("path")
    return [Crumb(unit=ancestor, visible=can_see_unit(viewer, ancestor)) for ancestor in ancestors]


def own_label(unit: GridUnit) -> str:
    return _("%(name)s（本级）") % {"name": unit.name}


def grid_overview_queries(*, unit: GridUnit, state=None) -> list[QuerySet]:
    """`grid_overview`'s two counts as values() queries (for `union_all`): from the roll-up's snapshot
    rows (units per street, people per node) where it answers (`from_rollup`), else from the tree."""
    one = {"k": Value(0)}
    if from_rollup(state, unit=unit, period=None):
        return _rolled_up_grid_queries(unit)
    units = (
        GridUnit.objects.filter(path__startswith=unit.path)
        .annotate(**one)
        .values("k")
        .annotate(
            micro_grids=Count("pk", filter=Q(level=GridUnit.Level.AREA)),
            compounds=Count("pk", filter=Q(level=GridUnit.Level.COMPOUND)),
            property_managed_compounds=Count("pk", filter=Q(level=GridUnit.Level.COMPOUND, is_property_managed=True)),
            responsibility_zones=Count("pk", filter=Q(level=GridUnit.Level.ZONE)),
            communities=Count("pk", filter=Q(level=GridUnit.Level.COMMUNITY)),
        )
        .values_list(*GRID_FIGURES)
    )
    people = (
        Post.objects.filter(unit__path__startswith=unit.path)
        .annotate(**one)
        .values("k")
        .annotate(
            grid_leaders_and_workers=Count(
                "user", filter=Q(role__in=[Post.Role.GRID_LEADER, Post.Role.GRID_WORKER]), distinct=True
            ),
            party_instructors=Count("user", filter=Q(role=Post.Role.PARTY_INSTRUCTOR), distinct=True),
        )
        .values_list(*PEOPLE_FIGURES)
    )
    return [units, people]


def rollup_sums(unit: GridUnit, figure: str, *columns: str, **lookups) -> QuerySet:
    """One row: the sums of a roll-up figure's `columns` (default n) over the rows of the unit's subtree, as a
    values() query for `union_all`."""
    columns = columns or ("n",)
    rows = FigureMonthlyRollup.objects.in_subtree(unit).filter(figure=figure, **lookups)
    return rows.annotate(k=Value(0)).values("k").annotate(**{c: Sum(c) for c in columns}).values_list(*columns)


def snapshot_sums(unit: GridUnit, figure: str, **sums) -> QuerySet:
    """One row: the named aggregates (`sums`) over a snapshot figure's rows of the unit's subtree, in the order
    given, as a values() query for `union_all`."""
    rows = FigureMonthlyRollup.objects.filter(month__isnull=True, figure=figure).in_subtree(unit)
    return rows.annotate(k=Value(0)).values("k").annotate(**sums).values_list(*sums)


def _rolled_up_grid_queries(unit: GridUnit) -> list[QuerySet]:
    Figure = FigureMonthlyRollup.Figure
    snapshot = FigureMonthlyRollup.objects.filter(month__isnull=True)
    L = GridUnit.Level

    def units_at(level: int, column: str = "n") -> Coalesce:
        return Coalesce(Sum(column, filter=Q(code=str(level))), 0)

    units = snapshot_sums(
        unit,
        Figure.UNITS,
        micro_grids=units_at(L.AREA),
        compounds=units_at(L.COMPOUND),
        property_managed_compounds=units_at(L.COMPOUND, "n2"),
        responsibility_zones=units_at(L.ZONE),
        communities=units_at(L.COMMUNITY),
    )
    # One row per node (people are not added up across streets: one may hold posts in two).
    people = snapshot.filter(figure=Figure.GRID_PEOPLE, street_path=unit.path).values_list("n", "n2")
    return [units, people]


GRID_FIGURES = ("micro_grids", "compounds", "property_managed_compounds", "responsibility_zones", "communities")
PEOPLE_FIGURES = ("grid_leaders_and_workers", "party_instructors")


def grid_overview_result(found: list[list[tuple]]) -> dict[str, int]:
    units, people = found
    figures = dict.fromkeys((*GRID_FIGURES, *PEOPLE_FIGURES), 0)
    if units:
        figures |= dict(zip(GRID_FIGURES, units[0], strict=True))
    if people:
        figures |= dict(zip(PEOPLE_FIGURES, people[0], strict=True))
    return figures


def grid_overview(*, unit: GridUnit) -> dict[str, int]:
    """Micro-grids, zones, compounds and the people who serve them, in one statement."""
    return grid_overview_result(union_all(grid_overview_queries(unit=unit)))
