"""The volunteer home, leaderboards per unit and period, and the community's dual-registration page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from grids.models import GridUnit
from guilin_portal.db_router import reading_from_replica
from guilin_portal.params import parse_id

from .. import access, selectors
from ..models import ServiceRecord
from ..selectors.leaderboards import Board, Metric, Period
from ._helpers import paginate


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where a volunteer, a team leader or staff starts: own figures, own teams, what waits."""
    viewer = request.viewer
    summary = selectors.my_summary(viewer=viewer)
    led = sorted(viewer.teams_led)
    return render(
        request,
        "volunteers/home.html",
        {
            "summary": summary,
            "led_teams": selectors.team_list(viewer=viewer).filter(pk__in=led) if led else [],
            "upcoming": selectors.activity_list(viewer=viewer, upcoming_only=True)[:5],
            "pending_to_verify": selectors.record_list(viewer=viewer, status=ServiceRecord.Status.PENDING)
            .exclude(volunteer_id=viewer.volunteer_id)
            .count()
            if access.manages_anything(viewer)
            else 0,
        },
    )


@login_required
def leaderboard(request: HttpRequest) -> HttpResponse:
    """Top volunteers, teams or child units by verified hours, points or services, per unit and period."""
    units = selectors.leaderboard_units(viewer=request.viewer)
    if not units:
        raise Http404
    unit = units[0]
    unit_id = parse_id(request.GET.get("unit"))
    if unit_id is not None:
        unit = GridUnit.objects.filter(pk=unit_id).first() or unit
    period = request.GET.get("period") if request.GET.get("period") in Period.values else Period.YEAR
    metric = request.GET.get("metric") if request.GET.get("metric") in Metric.values else Metric.HOURS
    board = request.GET.get("board") if request.GET.get("board") in Board.values else Board.VOLUNTEER
    # A read-only aggregate over up to 100,000 records: the replica may serve it.
    with reading_from_replica():
        rows = selectors.leaderboard(viewer=request.viewer, unit=unit, period=period, metric=metric, board=board)
    return render(
        request,
        "volunteers/leaderboard.html",
        {
            "units": units,
            "unit": unit,
            "rows": rows,
            "period": period,
            "metric": metric,
            "board": board,
            "periods": Period.choices,
            "metrics": Metric.choices,
            "boards": Board.choices,
        },
    )


@login_required
def registration_list(request: HttpRequest) -> HttpResponse:
    """Communities in the viewer's jurisdiction with their registered organisations and members;
    a viewer who serves one community goes straight to it."""
    communities = selectors.registration_communities(viewer=request.viewer)
    page = paginate(request, communities)
    if page.paginator.count == 1:
        return redirect("volunteers:registration_community", pk=page.object_list[0].pk)
    return render(request, "volunteers/registration_list.html", {"page": page})


@login_required
def registration_community(request: HttpRequest, pk: int) -> HttpResponse:
    """The community's dual-registration page (双报到): organisations, members, their services here."""
    data = selectors.community_registration(viewer=request.viewer, community_id=pk)
    return render(
        request,
        "volunteers/registration_community.html",
        {"data": data, "members": paginate(request, data.members)},
    )
