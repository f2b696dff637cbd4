"""People pages for staff: thin views over people.selectors, people.services and people.access."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from grids.models import Post, User
from guilin_portal.forms import add_service_error

from . import access, selectors, services
from .forms import ActivationForm, LockForm, MoveForm, PeopleFilterForm, PersonForm, PostForm, RetireForm

PAGE_SIZE = 30


def _require_staff(request: HttpRequest) -> None:
    if not access.can_open_people(request.viewer):
        raise PermissionDenied(_("人员管理仅限社区、街道、城区工作人员。"))


def _unit(request: HttpRequest, form, field: str = "unit"):
    unit = selectors.unit_by_code(viewer=request.viewer, code=form.cleaned_data[field])
    if unit is None:
        form.add_error(field, _("本辖区内没有这个单元编码。"))
    return unit


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    """People holding posts in the viewer's subtree: searchable, filterable by role and unit, paginated."""
    _require_staff(request)
    form = PeopleFilterForm(request.GET or None)
    filters: selectors.PeopleFilters | None = selectors.PeopleFilters()
    if form.is_valid():
        data = form.cleaned_data
        unit = selectors.unit_by_code(viewer=request.viewer, code=data["unit"]) if data["unit"] else None
        if data["unit"] and unit is None:
            form.add_error("unit", _("本辖区内没有这个单元编码。"))
            filters = None
        else:
            filters = selectors.PeopleFilters(q=data["q"], role=data["role"], unit=unit)
    people = selectors.people_list(viewer=request.viewer, filters=filters) if filters else User.objects.none()
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "people/person_list.html", {"form": form, "page": page})


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    form = PersonForm(request.POST) if request.method == "POST" else PersonForm()
    if request.method == "POST" and form.is_valid():
        unit = _unit(request, form)
        if unit is not None:
            data = form.cleaned_data
            try:
                person, token = services.person_create(
                    actor=request.user,
                    full_name=data["full_name"],
                    phone=data["phone"],
                    unit=unit,
                    role=data["role"],
                    is_full_time=data["is_full_time"],
                    is_party_member=data["is_party_member"],
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                return _show_link(request, person, token)
    return render(request, "people/person_form.html", {"form": form}, status=400 if form.errors else 200)


def _person_context(request: HttpRequest, person) -> dict:
    current, past = selectors.person_posts(person=person)
    actions = access.allowed_actions(
        request.viewer,
        person,
        [(p.role, p.unit.path) for p in current],
        [(p.role, p.unit.path) for p in past],
    )
    manageable = {p.pk for p in current if access.can_manage_post(request.viewer, p.role, p.unit.path)}
    return {
        "person": person,
        "current": current,
        "past": past,
        "history": selectors.person_post_history(person=person),
        "actions": actions,
        "manageable": manageable,
        "post_form": PostForm(),
        "move_form": MoveForm(),
        "successor_form": LockForm(),
    }


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's posts now and over time, and what the viewer may do about them."""
    person = selectors.person_get(viewer=request.viewer, pk=pk)
    return render(request, "people/person_detail.html", _person_context(request, person))


@login_required
@require_POST
def post_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(viewer=request.viewer, pk=pk)
    form = PostForm(request.POST)
    if form.is_valid():
        unit = _unit(request, form)
        if unit is not None:
            try:
                services.post_grant(
                    actor=request.user,
                    person=person,
                    unit=unit,
                    role=form.cleaned_data["role"],
                    is_full_time=form.cleaned_data["is_full_time"],
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("岗位已添加。"))
                return redirect("people:person_detail", pk=person.pk)
    context = _person_context(request, person) | {"post_form": form}
    return render(request, "people/person_detail.html", context, status=400)


@login_required
@require_POST
def post_move(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_get(viewer=request.viewer, pk=pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        unit = _unit(request, form)
        if unit is not None:
            try:
                services.post_move(actor=request.user, post=post, unit=unit)
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("岗位已调整。"))
                return redirect("people:person_detail", pk=post.user_id)
    context = _person_context(request, post.user) | {"move_form": form, "move_post": post.pk}
    return render(request, "people/person_detail.html", context, status=400)


@login_required
def post_retire(request: HttpRequest, pk: int) -> HttpResponse:
    """Retire a post; the last one closes the account and hands its open work to a successor."""
    post = selectors.post_get(viewer=request.viewer, pk=pk)
    if not access.can_manage_post(request.viewer, post.role, post.unit.path):
        raise PermissionDenied(_("您只能管理本辖区内、不高于本人层级的岗位。"))
    last = not Post.objects.filter(user_id=post.user_id).exclude(pk=post.pk).exists()
    form = RetireForm(request.POST) if request.method == "POST" else RetireForm()
    if request.method == "POST" and form.is_valid():
        successor = None
        contact = form.cleaned_data["successor"]
        if contact:
            successor = selectors.person_by_contact(viewer=request.viewer, contact=contact)
            if successor is None:
                form.add_error("successor", _("本辖区内没有这位在岗人员。"))
        if not form.errors:
            try:
                result = services.post_retire(
                    actor=request.user, post=post, successor=successor, ended_on=form.cleaned_data["ended_on"]
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                if result.deactivated:
                    moved = sum(result.handed_over.values())
                    messages.success(request, _("岗位已离任，账号已停用，移交 %(n)d 项工作。") % {"n": moved})
                else:
                    messages.success(request, _("岗位已离任。"))
                return redirect("people:person_detail", pk=post.user_id)
    held = services.held_by_person(post.user) if last else {}
    status = 400 if request.method == "POST" else 200
    return render(
        request, "people/post_retire.html", {"post": post, "form": form, "last": last, "held": held}, status=status
    )


@login_required
@require_POST
def person_lock(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(viewer=request.viewer, pk=pk)
    form = LockForm(request.POST)
    if form.is_valid():
        successor = None
        if form.cleaned_data["successor"]:
            successor = selectors.person_by_contact(viewer=request.viewer, contact=form.cleaned_data["successor"])
            if successor is None:
                form.add_error("successor", _("本辖区内没有这位在岗人员。"))
        if not form.errors:
            try:
                services.account_lock(actor=request.user, person=person, successor=successor)
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("账号已锁定。"))
                return redirect("people:person_detail", pk=person.pk)
    context = _person_context(request, person) | {"successor_form": form}
    return render(request, "people/person_detail.html", context, status=400)


@login_required
@require_POST
@never_cache
def person_send_link(request: HttpRequest, pk: int) -> HttpResponse:
    """A one-time link for the person to set their own password, shown once with its QR code."""
    person = selectors.person_get(viewer=request.viewer, pk=pk)
    token = services.activation_issue(actor=request.user, person=person)
    return _show_link(request, person, token)


def _show_link(request: HttpRequest, person, token: str) -> HttpResponse:
    url = request.build_absolute_uri(reverse("people:activate", args=[token]))
    # segno draws the QR code as SVG on the server: no script, no CDN, nothing stored.
    svg = segno.make(url, error="m").svg_inline(scale=5, dark="#111", light="#fff")
    response = render(
        request,
        "people/activation_link.html",
        {"person": person, "url": url, "qr_svg": mark_safe(svg), "hours": services.activation_hours()},  # noqa: S308
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def activate(request: HttpRequest, token: str) -> HttpResponse:
    """The person opens their link and sets their own password (then enrols 2FA where their role needs it)."""
    link = services.activation_find(token=token)
    if link is None:
        return render(request, "people/activate_invalid.html", status=404)
    form = ActivationForm(request.POST) if request.method == "POST" else ActivationForm()
    if request.method == "POST" and form.is_valid():
        try:
            person = services.activation_redeem(
                token=token, password=form.cleaned_data["password"], password_again=form.cleaned_data["password_again"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            login(request, person, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("密码已设置，欢迎使用。"))
            # Where the person's role needs a second factor, the security middleware sends them on to the
            # existing django-otp enrolment (a reset removed their old device) before anything else.
            return redirect(settings.LOGIN_REDIRECT_URL)
    response = render(
        request, "people/activate.html", {"form": form, "person": link.user}, status=400 if form.errors else 200
    )
    response["Referrer-Policy"] = "no-referrer"
    return response
