"""Staff pages: the network of a unit, lists with contacts, one point's workspace, and the
phone pages that record services, meetings, activities and ratings.

What may be read comes from the selectors (jurisdiction, plus the viewer's own
points; anything else is 404). What may be done to a point comes from
`access.allowed_actions`: the point's page shows a button for each allowed
action, and an action's own page opens only when that action is allowed (403
for a point the viewer reads but does not run). The services check the same
predicates and decide what is valid.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from grids.models import GridUnit
from guilin_portal.forms import add_service_error
from guilin_portal.params import parse_id

from .. import access, selectors, services
from ..forms import ActivityForm, MeetingForm, RatingForm, RedStationLogForm, StaffPointFilterForm
from ..models import ServicePoint

LIST_PAGE_SIZE = 50


def _year(request: HttpRequest, default: int) -> int:
    year = parse_id(request.GET.get("year"), default)
    return year if 2000 <= year <= timezone.localdate().year + 1 else default


def _point_for(request: HttpRequest, pk: int, action: str, kind: str) -> ServicePoint:
    """The point whose action page this is: 404 when unreadable or of another kind, 403 when not allowed.

    The page is the button: it opens exactly when `allowed_actions` offers the action.
    """
    point = selectors.point_get(viewer=request.viewer, pk=pk)
    if point.kind != kind:
        raise Http404
    if action not in access.allowed_actions(request.viewer, point):
        raise PermissionDenied(_("您可以查看该阵地，但不负责它的登记工作。"))
    return point


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """A red station's staff go to their station; everyone else to the network of their unit."""
    own_points = selectors.member_points(viewer=request.viewer)
    if access.is_point_staff_only(request.viewer):
        if len(own_points) == 1:
            point = own_points[0]
            if point.kind == ServicePoint.Kind.RED_STATION:
                return redirect("service_centers:red_station_log", pk=point.pk)
            return redirect("service_centers:point_detail", pk=point.pk)
        return render(request, "service_centers/staff_home.html", {"own_points": own_points})
    unit = selectors.home_unit(viewer=request.viewer)
    if unit is None and not own_points:
        raise Http404
    if unit is not None and not own_points:
        return redirect("service_centers:network", unit_pk=unit.pk)
    return render(request, "service_centers/staff_home.html", {"own_points": own_points, "unit": unit})


@login_required
def network(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """The network under a unit: counts and floor areas by kind and level, per child unit, workstation
    compliance, red-station services per month. A fixed number of queries for any unit."""
    unit = selectors.unit_get(viewer=request.viewer, pk=unit_pk)
    overview = selectors.network_overview(viewer=request.viewer, unit=unit)
    return render(request, "service_centers/network_overview.html", {"unit": unit, "overview": overview})


@login_required
def point_list(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """The points under a unit, with their contacts, filtered by kind and level."""
    unit = selectors.unit_get(viewer=request.viewer, pk=unit_pk)
    form = StaffPointFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    points = selectors.point_list(
        viewer=request.viewer,
        unit=unit,
        kind=filters.get("kind") or "",
        level=filters.get("level") or "",
        q=filters.get("q") or "",
    )
    page = Paginator(points, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "service_centers/point_list.html",
        {"unit": unit, "form": form, "page": page, "query": query.urlencode()},
    )


@login_required
def point_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One point for its staff: contacts, staff, ratings and, by kind, the workstation's or red station's records."""
    point = selectors.point_get(viewer=request.viewer, pk=pk)
    workspace = selectors.point_workspace(
        viewer=request.viewer, point=point, year=_year(request, timezone.localdate().year)
    )
    return render(
        request,
        "service_centers/point_detail.html",
        {"point": point, "ws": workspace, "actions": access.allowed_actions(request.viewer, point)},
    )


def _with_undo(request: HttpRequest, entries) -> list:
    """Each recent entry with whether the viewer may still undo it (no query)."""
    now = timezone.now()
    entries = list(entries)
    for entry in entries:
        entry.undoable = access.can_undo_service(request.viewer, entry, now)
    return entries


@login_required
@require_http_methods(["GET", "POST"])
def red_station_log(request: HttpRequest, pk: int) -> HttpResponse:
    """The phone page of a red station: one tap per service on the menu logs it now."""
    point = _point_for(request, pk, access.LOG_SERVICE, ServicePoint.Kind.RED_STATION)
    if request.method == "POST":
        form = RedStationLogForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry, created = services.red_station_service_log(
                    actor=request.user,
                    point=point,
                    service_kind=data["service_kind"],
                    served_at=data.get("served_at"),
                    note=data.get("note") or "",
                    client_key=data.get("client_key"),
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                if created:
                    messages.success(
                        request,
                        _("已登记：%(service)s，%(time)s。")
                        % {
                            "service": entry.service_kind.name,
                            "time": timezone.localtime(entry.served_at).strftime("%m-%d %H:%M"),
                        },
                    )
                else:
                    messages.info(request, _("这次服务刚才已经登记过了，没有重复登记。"))
                return redirect("service_centers:red_station_log", pk=point.pk)
    else:
        form = RedStationLogForm(initial={"client_key": uuid.uuid4()})
    if form.is_bound:
        # A refused tap: offer a fresh key for the next try.
        form.data = form.data.copy()
        form.data["client_key"] = str(uuid.uuid4())
    return render(
        request,
        "service_centers/red_station_log.html",
        {
            "point": point,
            "form": form,
            "menu": list(point.menu.filter(is_active=True).order_by("sort_order", "pk")),
            "today": selectors.red_station_today_count(viewer=request.viewer, point=point),
            "recent": _with_undo(request, selectors.red_station_recent(viewer=request.viewer, point=point, limit=10)),
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def red_station_undo(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    """Take back a mistaken tap (its logger, within the undo window); after it, refused with the reason."""
    point = _point_for(request, pk, access.LOG_SERVICE, ServicePoint.Kind.RED_STATION)
    entry = selectors.red_station_entry_get(viewer=request.viewer, point=point, pk=entry_pk)
    try:
        services.red_station_service_undo(actor=request.user, entry=entry)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已撤销：%(service)s。") % {"service": entry.service_kind.name})
    return redirect("service_centers:red_station_log", pk=point.pk)


def _record_page(request: HttpRequest, point: ServicePoint, form, template: str, save) -> HttpResponse:
    if form.is_bound and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(reverse("service_centers:point_detail", args=[point.pk]))
    return render(request, template, {"point": point, "form": form}, status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a deliberation meeting a workstation held, and the resident issues it passed on."""
    point = _point_for(request, pk, access.RECORD_MEETING, ServicePoint.Kind.WORKSTATION)
    issues = selectors.follow_up_issue_choices(viewer=request.viewer, point=point)
    form = MeetingForm(request.POST or None, issues=issues, initial={"held_on": timezone.localdate()})

    def save(data: dict) -> None:
        services.deliberation_meeting_record(
            actor=request.user,
            point=point,
            **{**data, "follow_up_issues": list(data.get("follow_up_issues") or [])},
        )

    return _record_page(request, point, form, "service_centers/meeting_form.html", save)


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an activity a workstation held: a volunteer activity of its area, or its own record."""
    point = _point_for(request, pk, access.RECORD_ACTIVITY, ServicePoint.Kind.WORKSTATION)
    activities = selectors.volunteer_activity_choices(viewer=request.viewer, point=point)
    form = ActivityForm(request.POST or None, activities=activities, initial={"held_on": timezone.localdate()})

    def save(data: dict) -> None:
        if data.get("volunteer_activity") is not None:
            services.workstation_activity_from_volunteer(
                actor=request.user, point=point, activity=data["volunteer_activity"]
            )
            return
        services.workstation_activity_record(
            actor=request.user,
            point=point,
            held_on=data["held_on"],
            title=data["title"],
            category=data["category"],
            participants=data.get("participants") or 0,
            note=data.get("note") or "",
        )

    return _record_page(request, point, form, "service_centers/activity_form.html", save)


def _rating_page(request: HttpRequest, *, point: ServicePoint | None, compound: GridUnit | None) -> HttpResponse:
    target = point or compound
    default_year = timezone.localdate().year - 1
    if request.method == "POST":
        form = RatingForm(request.POST)
        if form.is_valid():
            try:
                services.star_rating_record(
                    actor=request.user,
                    year=form.cleaned_data["year"],
                    scores=form.scores(),
                    point=point,
                    compound=compound,
                    note=form.cleaned_data.get("note") or "",
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("评定已保存。"))
                if point is not None:
                    return redirect("service_centers:point_detail", pk=point.pk)
                return redirect("service_centers:compound_rate", unit_pk=compound.pk)
    else:
        form = RatingForm(initial={"year": default_year})
    history = (
        selectors.compound_ratings(viewer=request.viewer, compound=compound)
        if compound is not None
        else list(point.ratings.select_related("rated_by").order_by("-year", "-rated_at", "-pk"))
    )
    return render(
        request,
        "service_centers/rating_form.html",
        {"target": target, "point": point, "compound": compound, "form": form, "history": history},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def point_rate(request: HttpRequest, pk: int) -> HttpResponse:
    """Rate a point against the six standardizations (staff posts over it only)."""
    point = selectors.point_get(viewer=request.viewer, pk=pk)
    if access.RATE not in access.allowed_actions(request.viewer, point):
        raise PermissionDenied(_("只有管辖该阵地的工作人员可以评星定级。"))
    return _rating_page(request, point=point, compound=None)


@login_required
@require_http_methods(["GET", "POST"])
def compound_rate(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """Rate a compound's party organisation (评星定级), with its rating history."""
    compound = selectors.unit_get(viewer=request.viewer, pk=unit_pk)
    if compound.level != GridUnit.Level.COMPOUND:
        raise Http404
    if not access.can_manage_unit(request.viewer, compound):
        raise PermissionDenied(_("只有管辖该小区的工作人员可以评星定级。"))
    return _rating_page(request, point=None, compound=compound)


@login_required
def compliance(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """The workstations under a unit against a year's duties (6+ meetings, an activity every month)."""
    unit = selectors.unit_get(viewer=request.viewer, pk=unit_pk)
    year = _year(request, timezone.localdate().year - 1)
    rows = selectors.workstation_compliance(viewer=request.viewer, unit=unit, year=year)
    return render(
        request,
        "service_centers/workstation_compliance.html",
        {
            "unit": unit,
            "year": year,
            "rows": rows,
            "flagged": sum(1 for row in rows if row.assessment.flagged),
            "years": range(timezone.localdate().year, timezone.localdate().year - 4, -1),
            "months": range(1, 13),
        },
    )


@login_required
def ratings(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """This year's (or a chosen year's) current star ratings of points and compounds under a unit."""
    unit = selectors.unit_get(viewer=request.viewer, pk=unit_pk)
    year = _year(request, timezone.localdate().year - 1)
    page = Paginator(selectors.rating_list(viewer=request.viewer, unit=unit, year=year), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "service_centers/rating_list.html",
        {
            "unit": unit,
            "year": year,
            "page": page,
            "query": f"year={year}",
            "years": range(timezone.localdate().year, timezone.localdate().year - 4, -1),
        },
    )
