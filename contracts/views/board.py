"""Tallies by child unit (staff), publishing and correcting (community staff), and the public board (no log-in)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grids.jurisdiction import get_scoped_or_404
from grids.models import GridUnit
from guilin_portal.errors import ConflictError
from guilin_portal.params import parse_id

from .. import access, selectors, services
from ..forms import CorrectionForm, PeriodForm
from ..models import BoardPublication
from ..periods import previous_quarter


@login_required
def tally_overview(request: HttpRequest) -> HttpResponse:
    """A unit's quarterly tally and its children's (child units, or the contracts of a community)."""
    default_year, default_quarter = previous_quarter(timezone.localdate())
    year = parse_id(request.GET.get("year"), default_year)
    quarter = parse_id(request.GET.get("quarter"), default_quarter)
    if quarter not in (1, 2, 3, 4):
        quarter = default_quarter
    unit_pk = parse_id(request.GET.get("unit"))
    if unit_pk is None:
        home = selectors.tally_home_unit(viewer=request.viewer)
        if home is None or home.level > GridUnit.Level.COMMUNITY:
            # Contacts and grid workers have no tally scope; contacts see their contracts' figures on each contract.
            return render(request, "contracts/tally_none.html")
        unit_pk = home.pk
    overview = selectors.tally_overview(viewer=request.viewer, unit_pk=unit_pk, year=year, quarter=quarter)
    actions = access.board_allowed_actions(
        request.viewer, overview.unit, year=year, quarter=quarter, published=bool(overview.publications)
    )
    return render(
        request,
        "contracts/tally_overview.html",
        {
            "overview": overview,
            "periods": selectors.tally_periods(),
            "year": year,
            "quarter": quarter,
            "actions": actions,
            "correction_form": CorrectionForm(),
        },
    )


@login_required
@require_POST
def board_publish(request: HttpRequest) -> HttpResponse:
    """Publish a community's quarter on the public board (community staff of that community)."""
    community = get_scoped_or_404(
        GridUnit.objects.filter(level=GridUnit.Level.COMMUNITY),
        request.viewer,
        unit_field=None,
        pk=parse_id(request.POST.get("community"), 0),
    )
    form = PeriodForm(request.POST)
    back = (
        reverse("contracts:tally_overview")
        + f"?unit={community.pk}&year={request.POST.get('year', '')}&quarter={request.POST.get('quarter', '')}"
    )
    if not form.is_valid():
        messages.error(request, _("请选择年度和季度。"))
        return redirect(back)
    try:
        services.board_publish(actor=request.user, community=community, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已在党务公开栏发布。"))
    return redirect(back)


@login_required
@require_POST
def board_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a correction of a published quarter, with its reason; the earlier figures stay on the board."""
    publication = get_scoped_or_404(
        BoardPublication.objects.select_related("community"), request.viewer, unit_field="community", pk=pk
    )
    back = (
        reverse("contracts:tally_overview")
        + f"?unit={publication.community_id}&year={publication.year}&quarter={publication.quarter}"
    )
    form = CorrectionForm(request.POST)
    try:
        services.board_correct(actor=request.user, publication=publication, reason=form.data.get("reason", ""))
    except (ValidationError, ConflictError) as error:
        messages.error(request, " ".join(error.messages) if isinstance(error, ValidationError) else str(error))
    else:
        messages.success(request, _("更正已发布，原数据仍在公开栏中保留。"))
    return redirect(back)


# ---------------------------------------------------------------------------
# Public board: no log-in, organisations and figures only
# ---------------------------------------------------------------------------
def board_index(request: HttpRequest) -> HttpResponse:
    return render(request, "contracts/board_index.html", {"communities": selectors.board_index()})


def board_community(request: HttpRequest, community_pk: int) -> HttpResponse:
    community, quarters = selectors.board_community(community_pk=community_pk)
    return render(request, "contracts/board_community.html", {"community": community, "quarters": quarters})


def board_quarter(request: HttpRequest, community_pk: int, year: int, quarter: int) -> HttpResponse:
    community, versions = selectors.board_quarter(community_pk=community_pk, year=year, quarter=quarter)
    return render(
        request,
        "contracts/board_quarter.html",
        {"community": community, "current": versions[0], "earlier": versions[1:], "year": year, "quarter": quarter},
    )
