"""Staff reads of points: lists with contacts, one point's workspace, star ratings."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from grids.jurisdiction import can_see_unit, get_scoped_or_404, scope
from grids.models import PATH_STEP, GridUnit
from grids.viewer import Viewer, viewer_of
from issues.models import Issue
from volunteers.models import Activity

from ..access import visible_points_q
from ..models import (
    DeliberationMeeting,
    JobOffer,
    LocalProduct,
    RedStationService,
    ServiceKind,
    ServicePoint,
    ServicePointStaff,
    StarRating,
    WorkstationActivity,
    WorkstationMember,
)
from ..periods import local_midnight
from .network import (
    MonthCount,
    WorkstationCompliance,
    red_station_kind_counts,
    red_station_months,
    workstation_compliance,
)


def point_list(
    *, viewer: Viewer, unit: GridUnit | None = None, kind: str = "", level: str = "", q: str = ""
) -> QuerySet[ServicePoint]:
    """Points the viewer may read (jurisdiction, or their own points), with contacts, filtered."""
    points = ServicePoint.objects.filter(visible_points_q(viewer_of(viewer))).select_related("unit")
    if unit is not None:
        points = points.filter(unit__path__startswith=unit.path)
    if kind:
        points = points.filter(kind=kind)
    if level:
        points = points.filter(level=level)
    if q:
        points = points.filter(Q(name__icontains=q) | Q(address__icontains=q))
    return points.order_by("unit__path", "kind", "level", "name", "pk")


def point_get(*, viewer: Viewer, pk: int | None) -> ServicePoint:
    """A point the viewer may read (jurisdiction or its own staff), or 404."""
    if pk is None:
        raise Http404
    try:
        return ServicePoint.objects.filter(visible_points_q(viewer_of(viewer))).select_related("unit").get(pk=pk)
    except ServicePoint.DoesNotExist as exc:
        raise Http404 from exc


def unit_get(*, viewer: Viewer, pk: int) -> GridUnit:
    """A unit in the viewer's jurisdiction, or 404."""
    return get_scoped_or_404(GridUnit.objects.all(), viewer, unit_field=None, pk=pk)


def home_unit(*, viewer: Viewer) -> GridUnit | None:
    """Where a person's network page opens: their highest post's unit (the city for a superuser)."""
    viewer = viewer_of(viewer)
    if viewer.posts:
        # The shortest path is the highest unit (one level per path step); ties by path, as the tree is listed.
        highest = min(viewer.posts, key=lambda post: (len(post.path), post.path))
        return GridUnit.objects.filter(pk=highest.unit_id).first()
    if viewer.sees_everything:
        return GridUnit.objects.filter(level=GridUnit.Level.CITY).order_by("path").first()
    return None


def member_points(*, viewer: Viewer) -> list[ServicePoint]:
    """The points whose staff the viewer belongs to (none: no query)."""
    ids = viewer_of(viewer).service_points
    if not ids:
        return []
    return list(ServicePoint.objects.filter(pk__in=sorted(ids)).select_related("unit").order_by("name", "pk"))


@dataclass
class PointWorkspace:
    point: ServicePoint
    district: GridUnit | None
    staff: list[ServicePointStaff]
    ratings: list[StarRating]
    year: int
    members: list[WorkstationMember] = field(default_factory=list)
    meetings: list[DeliberationMeeting] = field(default_factory=list)
    activities: list[WorkstationActivity] = field(default_factory=list)
    compliance: list[WorkstationCompliance] = field(default_factory=list)
    menu: list[ServiceKind] = field(default_factory=list)
    months: list[MonthCount] = field(default_factory=list)
    by_kind: list[tuple[ServiceKind, int]] = field(default_factory=list)
    recent: list[RedStationService] = field(default_factory=list)
    jobs: list[JobOffer] = field(default_factory=list)
    products: list[LocalProduct] = field(default_factory=list)

    @property
    def jobs_total(self) -> int:
        return sum(job.positions for job in self.jobs)

    @property
    def red_month_max(self) -> int:
        return max((m.services for m in self.months), default=0)


def point_workspace(*, viewer: Viewer, point: ServicePoint, year: int | None = None) -> PointWorkspace:
    """Everything the staff page of one point shows: a fixed number of queries for each kind of point."""
    today = timezone.localdate()
    year = year or today.year
    workspace = PointWorkspace(
        point=point,
        district=GridUnit.objects.filter(
            path=point.unit.path[: GridUnit.Level.DISTRICT * PATH_STEP], level=GridUnit.Level.DISTRICT
        ).first(),
        staff=list(point.staff.select_related("user").order_by("role", "user__username")),
        ratings=list(point.ratings.select_related("rated_by").order_by("-year", "-rated_at", "-pk")),
        year=year,
    )
    if point.kind == ServicePoint.Kind.WORKSTATION:
        workspace.members = list(point.members.prefetch_related("honours").order_by("joined_on", "pk"))
        workspace.meetings = list(
            point.meetings.filter(held_on__year=year)
            .prefetch_related(Prefetch("follow_up_issues", queryset=Issue.objects.only("id", "status", "unit_id")))
            .order_by("-held_on", "-pk")
        )
        workspace.activities = list(
            point.workstation_activities.filter(held_on__year=year)
            .select_related("volunteer_activity")
            .order_by("-held_on", "-pk")
        )
        workspace.compliance = [
            *workstation_compliance(viewer=viewer, unit=None, point=point, year=year, today=today),
            *workstation_compliance(viewer=viewer, unit=None, point=point, year=year - 1, today=today),
        ]
    elif point.kind == ServicePoint.Kind.RED_STATION:
        workspace.menu = list(point.menu.order_by("sort_order", "pk"))
        workspace.months = red_station_months(point_ids=[point.pk], today=today)
        counts = red_station_kind_counts(point=point)
        workspace.by_kind = [(kind, counts.get(kind.pk, 0)) for kind in workspace.menu]
        workspace.recent = red_station_recent(viewer=viewer, point=point, limit=20)
        workspace.jobs = list(point.job_offers.order_by("-offered_on", "pk"))
        workspace.products = list(point.products.select_related("origin"))
    return workspace


def red_station_recent(*, viewer: Viewer, point: ServicePoint, limit: int = 10) -> list[RedStationService]:
    """The station's latest entries, newest first."""
    return list(point.services_given.select_related("service_kind", "logged_by").order_by("-served_at", "-pk")[:limit])


def red_station_entry_get(*, viewer: Viewer, point: ServicePoint, pk: int) -> RedStationService:
    """One entry of a station the caller has read through its access check, or 404."""
    entry = point.services_given.select_related("service_kind").filter(pk=pk).first()
    if entry is None:
        raise Http404
    return entry


def red_station_today_count(*, viewer: Viewer, point: ServicePoint) -> int:
    return RedStationService.objects.filter(point=point, served_at__gte=local_midnight(timezone.localdate())).count()


def rating_list(*, viewer: Viewer, unit: GridUnit, year: int, current_only: bool = True) -> QuerySet[StarRating]:
    """Ratings of points and compounds under a unit the viewer may see, for a year."""
    if not can_see_unit(viewer, unit):
        raise Http404
    ratings = StarRating.objects.filter(unit__path__startswith=unit.path, year=year).select_related(
        "point", "compound", "unit", "rated_by"
    )
    if current_only:
        ratings = ratings.filter(is_current=True)
    return ratings.order_by("-stars", "-total", "unit__path", "pk")


def compound_ratings(*, viewer: Viewer, compound: GridUnit) -> list[StarRating]:
    """Every rating a compound's party organisation received, newest first (history included)."""
    if not can_see_unit(viewer, compound):
        raise Http404
    return list(
        StarRating.objects.filter(compound=compound).select_related("rated_by").order_by("-year", "-rated_at", "-pk")
    )


def follow_up_issue_choices(*, viewer: Viewer, point: ServicePoint, limit: int = 50) -> list[Issue]:
    """Recent resident issues of the workstation's area the viewer may read: what a meeting may follow up."""
    issues = Issue.objects.filter(unit__path__startswith=point.unit.path).select_related("category")
    return list(scope(issues, viewer).order_by("-created_at", "-pk")[:limit])


def volunteer_activity_choices(*, viewer: Viewer, point: ServicePoint, limit: int = 30) -> list[Activity]:
    """Volunteer activities already held in the workstation's area and not yet counted for it."""
    activities = (
        Activity.objects.filter(unit__path__startswith=point.unit.path, starts_at__lte=timezone.now())
        .exclude(status=Activity.Status.CANCELLED)
        .exclude(workstation_records__point=point)
        .select_related("category")
    )
    return list(activities.order_by("-starts_at", "-pk")[:limit])
