"""Yearly awards: the district organisation department's ranking and selection; the public lists.

The page's forms are `access.award_allowed_actions`; the services check the same role.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grids.jurisdiction import get_scoped_or_404
from grids.models import GridUnit
from guilin_portal.forms import add_service_error
from guilin_portal.params import parse_id

from .. import access, selectors, services
from ..forms import AwardEntryForm
from ..models import AwardEntry, AwardList, Contract


@login_required
def award_manage(request: HttpRequest) -> HttpResponse:
    """Ranking of the district's fully evaluated contracts and units, and the list being drawn up."""
    paths = access.award_district_paths(request.viewer)
    if not paths:
        raise PermissionDenied(_("只有城区党委组织部可以评选先进。"))
    districts = list(GridUnit.objects.filter(level=GridUnit.Level.DISTRICT, path__in=paths).order_by("path"))
    if not districts:
        raise PermissionDenied(_("只有城区党委组织部可以评选先进。"))
    district_pk = parse_id(request.GET.get("district"), districts[0].pk)
    district = next((d for d in districts if d.pk == district_pk), None)
    if district is None:
        raise PermissionDenied(_("只有本城区党委组织部可以评选先进。"))
    year = parse_id(request.GET.get("year"), timezone.localdate().year - 1)
    contracts, units = selectors.award_ranking(viewer=request.viewer, district=district, year=year)
    award_list = AwardList.objects.filter(district=district, year=year).first()
    entries = list(award_list.entries.select_related("unit", "contract").order_by("kind", "pk")) if award_list else []
    choices = Contract.objects.filter(pk__in=[row.contract.pk for row in contracts]).select_related("unit")
    return render(
        request,
        "contracts/award_manage.html",
        {
            "districts": districts,
            "district": district,
            "year": year,
            "contracts": contracts,
            "units": units,
            "award_list": award_list,
            "entries": entries,
            "form": AwardEntryForm(contracts=choices),
            "actions": access.award_allowed_actions(request.viewer, district, award_list, has_entries=bool(entries)),
        },
    )


@login_required
@require_POST
def award_entry_add(request: HttpRequest) -> HttpResponse:
    district = get_scoped_or_404(
        GridUnit.objects.filter(level=GridUnit.Level.DISTRICT),
        request.viewer,
        unit_field=None,
        pk=parse_id(request.POST.get("district"), 0),
    )
    year = parse_id(request.POST.get("year"), 0)
    back = reverse("contracts:award_manage") + f"?district={district.pk}&year={year}"
    choices = Contract.objects.filter(community__path__startswith=district.path, year=year).select_related("unit")
    form = AwardEntryForm(request.POST, contracts=choices)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    try:
        award_list = services.award_list_open(actor=request.user, district=district, year=year)
        services.award_entry_add(actor=request.user, award_list=award_list, **form.cleaned_data)
    except ValidationError as error:
        add_service_error(form, error)
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已加入评先名单。"))
    return redirect(back)


@login_required
@require_POST
def award_entry_remove(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_scoped_or_404(
        AwardEntry.objects.select_related("award_list"), request.viewer, unit_field="award_list__district", pk=pk
    )
    back = reverse("contracts:award_manage") + f"?district={entry.award_list.district_id}&year={entry.award_list.year}"
    try:
        services.award_entry_remove(actor=request.user, entry=entry)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(back)


@login_required
@require_POST
def award_publish(request: HttpRequest, pk: int) -> HttpResponse:
    award_list = get_scoped_or_404(AwardList.objects.all(), request.viewer, unit_field="district", pk=pk)
    try:
        services.award_list_publish(actor=request.user, award_list=award_list)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("评先名单已公布。"))
    return redirect(reverse("contracts:award_manage") + f"?district={award_list.district_id}&year={award_list.year}")


def award_public(request: HttpRequest) -> HttpResponse:
    """Published lists of advanced units and people: public, names only."""
    can_manage = bool(access.award_district_paths(request.viewer))
    return render(
        request, "contracts/award_public.html", {"lists": selectors.award_lists_published(), "can_manage": can_manage}
    )
