"""Party pages: organisations (list, page, edit, roll), meetings (record, page, photos), the overdue list
for the level above, the timeliness page and its CSV export, brands / pioneer posts / pioneer teams,
and the public page of brands per sector.

Views read input and call party.selectors (scoped to the viewer: 404 outside) and party.services
(which check party.access: 403); the buttons shown come from party.access too.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guilin_portal.exports import csv_lines
from guilin_portal.forms import add_service_error
from guilin_portal.params import parse_id
from guilin_portal.uploads import protected_file_response

from . import access, selectors, services
from .forms import MeetingForm, MemberForm, OrganisationForm, OwnedForm, TimelinessForm
from .models import Brand, OrganisationKind, PartyMember, PartyOrganisation, PioneerPost, PioneerTeam, Sector

PAGE_SIZE = 50
OWNED = {
    "brand": (Brand, _("党建品牌")),
    "post": (PioneerPost, _("先锋服务岗")),
    "team": (PioneerTeam, _("先锋服务队")),
}


def _choice(value: str | None, choices) -> str | None:
    return value if value in choices else None


# -- organisations --------------------------------------------------------------------------------


@login_required
@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    filters = {
        "sector": _choice(request.GET.get("sector"), Sector.values),
        "kind": _choice(request.GET.get("kind"), OrganisationKind.values),
        "search": (request.GET.get("q") or "").strip()[:50] or None,
    }
    rows = selectors.organisation_list(viewer=request.viewer, **filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "party/organisation_list.html",
        {
            "page": page,
            "filters": filters,
            "sectors": Sector.choices,
            "kinds": OrganisationKind.choices,
            "can_create": bool(request.viewer.staff_paths is None or request.viewer.staff_paths),
        },
    )


@login_required
@require_GET
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get(viewer=request.viewer, pk=pk)
    today = timezone.localdate()
    figure = selectors.timeliness(
        unit=organisation.unit, organisation=organisation, start=dt.date(today.year, 1, 1), today=today
    )
    return render(
        request,
        "party/organisation_detail.html",
        {
            "organisation": organisation,
            "members": selectors.organisation_members(organisation=organisation),
            "meetings": selectors.organisation_meetings(organisation=organisation),
            "children": selectors.organisation_children(organisation=organisation)[:100],
            "actions": access.organisation_allowed_actions(request.viewer, organisation),
            "member_form": MemberForm(),
            "timeliness": figure.totals,
            "year": today.year,
            "shortfalls": selectors.overdue_list(viewer=request.viewer, organisations=[organisation.pk], today=today),
        },
    )


def _organisation_form_save(request: HttpRequest, organisation: PartyOrganisation, form: OrganisationForm):
    data = form.cleaned_data
    parent = None
    if data["parent"]:
        parent = PartyOrganisation.objects.filter(access.organisation_q(request.viewer), pk=data["parent"]).first()
        if parent is None:
            form.add_error("parent", _("没有这个编号的党组织（或不在您的管辖范围内）。"))
            return None
    try:
        return services.organisation_save(
            viewer=request.viewer,
            organisation=organisation,
            name=data["name"],
            kind=data["kind"],
            sector=data["sector"],
            unit=data["unit"],
            parent=parent,
            secretary=data["secretary"],
            records_from=data["records_from"],
            is_active=data["is_active"],
        )
    except ValidationError as error:
        add_service_error(form, error)
        return None


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    if not request.viewer.is_person or request.viewer.staff_paths == ():
        raise PermissionDenied(_("只有社区及以上工作人员可以新建党组织。"))
    parent_id = parse_id(request.GET.get("parent"))
    form = OrganisationForm(request.POST or None, initial={"parent": parent_id, "is_active": True})
    if request.method == "POST" and form.is_valid():
        saved = _organisation_form_save(request, PartyOrganisation(), form)
        if saved is not None:
            messages.success(request, _("党组织已保存。"))
            return redirect("party:organisation_detail", pk=saved.pk)
    return render(request, "party/organisation_form.html", {"form": form, "organisation": None})


@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get(viewer=request.viewer, pk=pk)
    if not access.can_manage_organisation(request.viewer, organisation):
        raise PermissionDenied(_("您不能修改这个党组织。"))
    initial = {
        "name": organisation.name,
        "kind": organisation.kind,
        "sector": organisation.sector,
        "unit": organisation.unit.code,
        "parent": organisation.parent_id,
        "secretary": organisation.secretary.username if organisation.secretary else "",
        "records_from": organisation.records_from,
        "is_active": organisation.is_active,
    }
    form = OrganisationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _organisation_form_save(request, organisation, form)
        if saved is not None:
            messages.success(request, _("党组织已保存。"))
            return redirect("party:organisation_detail", pk=saved.pk)
    return render(request, "party/organisation_form.html", {"form": form, "organisation": organisation})


@login_required
@require_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get(viewer=request.viewer, pk=pk)
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            services.member_add(viewer=request.viewer, organisation=organisation, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("已加入党员名册。"))
            return redirect("party:organisation_detail", pk=pk)
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
    return redirect("party:organisation_detail", pk=pk)


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    organisation = selectors.organisation_get(viewer=request.viewer, pk=pk)
    member = PartyMember.objects.filter(organisation=organisation, pk=member_pk).first()
    if member is None:
        raise Http404
    member.organisation = organisation
    services.member_remove(viewer=request.viewer, member=member)
    messages.success(request, _("已移出党员名册。"))
    return redirect("party:organisation_detail", pk=pk)


# -- meetings ---------------------------------------------------------------------------------------


@login_required
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get(viewer=request.viewer, pk=pk)
    if not access.can_record_meeting(request.viewer, organisation):
        raise PermissionDenied(_("您不能为这个党组织记录组织生活。"))
    form = MeetingForm(request.POST or None, request.FILES or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_record(
                viewer=request.viewer,
                organisation=organisation,
                kind=data["kind"],
                held_on=data["held_on"],
                topic=data["topic"],
                attendees=list(data["attendees"]),
                attended=data["attended"],
                minutes=data["minutes"],
                answers_for=data["answers_for"],
                photos=data["photos"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if meeting.is_on_time:
                messages.success(request, _("会议已记录。"))
            else:
                messages.warning(request, _("会议已记录：召开日期晚于所属周期的截止日期，计为不及时。"))
            return redirect("party:meeting_detail", pk=meeting.pk)
    return render(request, "party/meeting_form.html", {"form": form, "organisation": organisation})


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(viewer=request.viewer, pk=pk)
    return render(
        request,
        "party/meeting_detail.html",
        {
            "meeting": meeting,
            "photos": list(meeting.photos.all()),
            "attendees": list(meeting.attendees.order_by("name")),
        },
    )


@login_required
@require_GET
def meeting_photo(request: HttpRequest, pk: int) -> HttpResponse:
    photo = selectors.meeting_photo_get(viewer=request.viewer, pk=pk)
    return protected_file_response(photo.image)


# -- overdue and timeliness -----------------------------------------------------------------------


@login_required
@require_GET
def overdue_list(request: HttpRequest) -> HttpResponse:
    sector = _choice(request.GET.get("sector"), Sector.values)
    rows = selectors.overdue_list(viewer=request.viewer, sector=sector)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "party/overdue_list.html", {"page": page, "sector": sector, "sectors": Sector.choices})


def _timeliness(request: HttpRequest) -> tuple[TimelinessForm, selectors.Timeliness | None]:
    form = TimelinessForm(request.GET or None)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    unit = selectors.report_unit(viewer=request.viewer, unit_id=data["unit"])
    figure = selectors.timeliness(
        unit=unit, start=data["start"], end=data["end"], sector=data["sector"] or None, group_by=data["group_by"]
    )
    return form, figure


@login_required
@require_GET
def timeliness_page(request: HttpRequest) -> HttpResponse:
    form, figure = _timeliness(request)
    if figure is not None and request.GET.get("format") == "csv":
        return _timeliness_csv(figure)
    return render(
        request,
        "party/timeliness.html",
        {"form": form, "figure": figure, "rules": selectors.rules_active(), "query": request.GET.urlencode()},
    )


CSV_COLUMNS = ("key", "label", "due", "on_time", "missed", "rate")


def _timeliness_csv(figure: selectors.Timeliness) -> StreamingHttpResponse:
    """The page's table as CSV (guilin_portal.exports): the rows, then the total."""
    rows = [row.as_dict() for row in figure.rows] + [figure.totals.as_dict()]
    lines = [CSV_COLUMNS, *([row[column] if row[column] is not None else "" for column in CSV_COLUMNS] for row in rows)]
    response = StreamingHttpResponse(("\ufeff" if i == 0 else "") + line for i, line in enumerate(csv_lines(lines)))
    response["Content-Type"] = "text/csv; charset=utf-8"
    name = f"{figure.unit.name}_timeliness_{figure.start or ''}_{figure.end}.csv"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


# -- brands, pioneer posts and teams ---------------------------------------------------------------


def _owned(kind: str):
    if kind not in OWNED:
        raise Http404
    return OWNED[kind]


@login_required
@require_GET
def owned_list(request: HttpRequest, kind: str) -> HttpResponse:
    model, title = _owned(kind)
    sector = _choice(request.GET.get("sector"), Sector.values)
    rows = selectors.owned_list(viewer=request.viewer, model=model, sector=sector)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "party/owned_list.html",
        {"page": page, "kind": kind, "title": title, "sector": sector, "sectors": Sector.choices},
    )


@login_required
@require_GET
def owned_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    model, title = _owned(kind)
    row = selectors.owned_get(viewer=request.viewer, model=model, pk=pk)
    return render(
        request,
        "party/owned_detail.html",
        {
            "row": row,
            "kind": kind,
            "title": title,
            "photos": list(row.photos.all()) if kind == "brand" else [],
            "can_edit": access.can_manage_owned(request.viewer, row),
        },
    )


def _owned_form(request: HttpRequest, kind: str, row, organisation: PartyOrganisation) -> HttpResponse:
    _model, title = _owned(kind)
    initial = {field: getattr(row, field, None) for field in OwnedForm.FIELDS[kind] if field not in ("unit", "photos")}
    initial["unit"] = row.unit.code if row.pk else ""
    if not row.pk:
        initial |= {
            "sector": organisation.sector,
            "is_public": True,
            "is_active": True,
            "year": timezone.localdate().year,
        }
    form = OwnedForm(request.POST or None, request.FILES or None, kind=kind, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        photos = data.pop("photos", [])
        row.unit = data.pop("unit") or (row.unit if row.pk else organisation.unit)
        row.organisation = organisation
        if kind == "team" and data.get("members_count") is None:
            data["members_count"] = 0
        for field, value in data.items():
            setattr(row, field, value)
        try:
            services.owned_save(viewer=request.viewer, row=row, photos=photos)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("party:owned_detail", kind=kind, pk=row.pk)
    return render(
        request,
        "party/owned_form.html",
        {"form": form, "kind": kind, "title": title, "row": row, "organisation": organisation},
    )


@login_required
def owned_create(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    model, _title = _owned(kind)
    organisation = selectors.organisation_get(viewer=request.viewer, pk=pk)
    if not access.can_edit_roll(request.viewer, organisation):
        raise PermissionDenied(_("您不能为这个党组织添加记录。"))
    return _owned_form(request, kind, model(organisation=organisation), organisation)


@login_required
def owned_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    model, _title = _owned(kind)
    row = selectors.owned_get(viewer=request.viewer, model=model, pk=pk)
    if not access.can_manage_owned(request.viewer, row):
        raise PermissionDenied(_("您不能修改这条记录。"))
    return _owned_form(request, kind, row, row.organisation)


@login_required
@require_GET
def brand_photo(request: HttpRequest, pk: int) -> HttpResponse:
    photo = selectors.brand_photo_get(viewer=request.viewer, pk=pk)
    return protected_file_response(photo.image)


# -- the public page ---------------------------------------------------------------------------------


@require_GET
def public_brands(request: HttpRequest) -> HttpResponse:
    """党建品牌 per sector, for everyone (reached from the public landing)."""
    sector = _choice(request.GET.get("sector"), Sector.values)
    sectors, rows = selectors.public_brands(sector=sector)
    if sector is None and sectors:
        sector = sectors[0][0]
        sectors, rows = selectors.public_brands(sector=sector)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "party/public_brands.html",
        {"sectors": sectors, "sector": sector, "sector_label": dict(Sector.choices).get(sector, ""), "page": page},
    )


@require_GET
def public_brand_photo(request: HttpRequest, pk: int) -> HttpResponse:
    photo = selectors.public_brand_photo(pk=pk)
    return protected_file_response(photo.image)
