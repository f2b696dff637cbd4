"""Reads of quarterly tallies (staff, scoped) and of the public disclosure board (no viewer: public)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404

from grids.jurisdiction import get_scoped_or_404, jurisdiction_paths, jurisdiction_q
from grids.models import GridUnit, ancestor_paths
from grids.viewer import Viewer, viewer_of

from ..models import (
    BoardPublication,
    QuarterlyTally,
    TallyRun,
)

PUBLIC_SELECTORS_WITHOUT_VIEWER = {
    "tally_periods": "the quarters a full tally has run for (the run log): the same for every viewer, no unit rows",
    "board_index": "public disclosure board, no personal data",
    "board_community": "public disclosure board, no personal data",
    "board_quarter": "public disclosure board, no personal data",
    "board_publications": "public disclosure board, no personal data",
}


# ---------------------------------------------------------------------------
# Tallies
# ---------------------------------------------------------------------------
def tally_periods() -> list[tuple[int, int]]:
    """Quarters a full tally has been run for, newest first (from the small run log, not the big table)."""
    return list(
        TallyRun.objects.filter(within__isnull=True)
        .values_list("year", "quarter")
        .distinct()
        .order_by("-year", "-quarter")
    )


def tally_home_unit(*, viewer: Viewer) -> GridUnit | None:
    """Where the tally page opens: the highest unit of the viewer's jurisdiction."""
    paths = jurisdiction_paths(viewer)
    if paths is None:
        return GridUnit.objects.filter(level=GridUnit.Level.CITY).first()
    if not paths:
        return None
    return GridUnit.objects.filter(path__in=paths).order_by("level", "path").first()


@dataclass
class TallyOverview:
    unit: GridUnit
    year: int
    quarter: int
    own: QuarterlyTally | None
    children: list[tuple[GridUnit, QuarterlyTally | None]] = field(default_factory=list)
    contracts: list[QuarterlyTally] = field(default_factory=list)
    breadcrumbs: list[GridUnit] = field(default_factory=list)
    publications: list[BoardPublication] = field(default_factory=list)


def tally_overview(*, viewer: Viewer, unit_pk: int, year: int, quarter: int) -> TallyOverview:
    """A unit's tally for a quarter and its children's (child units, or contracts under a community).

    Four queries whatever the number of children or contracts.
    """
    unit = get_scoped_or_404(GridUnit.objects.all(), viewer, unit_field=None, pk=unit_pk)
    if unit.level > GridUnit.Level.COMMUNITY:
        raise Http404
    rows = {
        row.unit_id: row
        for row in QuarterlyTally.objects.filter(
            year=year,
            quarter=quarter,
            contract__isnull=True,
            unit__path__startswith=unit.path,
            unit__level__lte=unit.level + 1,
        )
    }
    overview = TallyOverview(unit=unit, year=year, quarter=quarter, own=rows.get(unit.pk))
    # Only the ancestors the viewer may open: a link above their jurisdiction would be a 404.
    overview.breadcrumbs = list(
        GridUnit.objects.filter(path__in=ancestor_paths(unit.path))
        .filter(jurisdiction_q(viewer, unit_field=None))
        .order_by("path")
    )
    if unit.level < GridUnit.Level.COMMUNITY:
        overview.children = [
            (child, rows.get(child.pk)) for child in GridUnit.objects.filter(parent=unit).order_by("path")
        ]
    else:
        overview.contracts = list(
            QuarterlyTally.objects.filter(year=year, quarter=quarter, unit=unit, scope=QuarterlyTally.Scope.CONTRACT)
            .select_related("contract__unit")
            .order_by("contract__number")
        )
        overview.publications = list(
            BoardPublication.objects.filter(community=unit, year=year, quarter=quarter).order_by("-version")
        )
    return overview


def tally_list(*, viewer: Viewer) -> QuerySet[QuarterlyTally]:
    """Tally rows of units and contracts in the viewer's jurisdiction (contacts: their contracts' rows)."""
    viewer = viewer_of(viewer)
    q = jurisdiction_q(viewer, unit_field="unit")
    if viewer.cobuilding_units and viewer.jurisdiction is not None:
        q |= Q(contract__unit_id__in=sorted(viewer.cobuilding_units))
    return (
        QuarterlyTally.objects.filter(q)
        .select_related("unit", "contract")
        .order_by("-year", "-quarter", "unit__path", "contract_id")
    )


# ---------------------------------------------------------------------------
# Public disclosure board (no log-in; organisations and figures only)
# ---------------------------------------------------------------------------
@dataclass
class BoardCommunity:
    community: GridUnit
    street: str
    district: str
    latest: tuple[int, int]


def board_index(*, district: int | None = None) -> list[BoardCommunity]:
    """Communities that have published, with their street and district names: three queries."""
    periods: dict[int, tuple[int, int]] = {}
    for community_id, year, quarter in BoardPublication.objects.values_list(
        "community_id", "year", "quarter"
    ).distinct():
        if (year, quarter) > periods.get(community_id, (0, 0)):
            periods[community_id] = (year, quarter)
    communities = GridUnit.objects.filter(pk__in=list(periods)).order_by("path")
    if district:
        root = GridUnit.objects.filter(pk=district).values_list("path", flat=True).first() or "-"
        communities = communities.filter(path__startswith=root)
    communities = list(communities)
    names = dict(
        GridUnit.objects.filter(path__in={p for c in communities for p in ancestor_paths(c.path)}).values_list(
            "path", "name"
        )
    )
    return [
        BoardCommunity(
            community=c,
            street=names.get(c.path[:12], ""),
            district=names.get(c.path[:8], ""),
            latest=periods[c.pk],
        )
        for c in communities
    ]


def board_community(*, community_pk: int) -> tuple[GridUnit, list[BoardPublication]]:
    """A community's board: the latest version of each published quarter, newest first."""
    community = GridUnit.objects.filter(pk=community_pk, level=GridUnit.Level.COMMUNITY).first()
    if community is None:
        raise Http404
    publications = list(BoardPublication.objects.filter(community=community).order_by("-year", "-quarter", "-version"))
    if not publications:
        raise Http404
    latest: OrderedDict[tuple[int, int], BoardPublication] = OrderedDict()
    for publication in publications:
        key = (publication.year, publication.quarter)
        if key not in latest:
            publication.versions = 1
            latest[key] = publication
        else:
            latest[key].versions += 1
    return community, list(latest.values())


def board_quarter(*, community_pk: int, year: int, quarter: int) -> tuple[GridUnit, list[BoardPublication]]:
    """Every version of a community's quarter, the current one first, each with its frozen lines."""
    community = GridUnit.objects.filter(pk=community_pk, level=GridUnit.Level.COMMUNITY).first()
    if community is None:
        raise Http404
    versions = list(
        BoardPublication.objects.filter(community=community, year=year, quarter=quarter)
        .prefetch_related("lines")
        .order_by("-version")
    )
    if not versions:
        raise Http404
    return community, versions


def board_publications(*, community: int | None = None, year: int | None = None, quarter: int | None = None):
    queryset = BoardPublication.objects.select_related("community").order_by(
        "community__path", "-year", "-quarter", "-version"
    )
    if community:
        queryset = queryset.filter(community_id=community)
    if year:
        queryset = queryset.filter(year=year)
    if quarter:
        queryset = queryset.filter(quarter=quarter)
    return queryset
