"""Team list and team page (roster, activities, what waits for the leader)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors, services
from ..forms import MemberAddForm, RoleForm, TeamFilterForm
from ..models import ServiceRecord, TeamMember
from ._helpers import paginate, refuse_invalid_form, run_action


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    """Teams the viewer may see; a team leader sees only their own."""
    form = TeamFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    teams = selectors.team_list(
        viewer=request.user,
        category=filters["category"].pk if filters.get("category") else None,
        kind=filters.get("kind") or None,
        search=filters.get("q") or "",
    )
    return render(request, "volunteers/team_list.html", {"form": form, "page": paginate(request, teams)})


@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The roster, upcoming activities and, for its managers, records waiting for verification."""
    team = selectors.team_get(viewer=request.user, pk=pk)
    context = {
        "team": team,
        "roster": paginate(request, selectors.team_roster(team=team), per_page=100),
        "activities": selectors.activity_list(viewer=request.user, team_id=team.pk, upcoming_only=True)[:10],
        "pending": selectors.record_list(viewer=request.user, team_id=team.pk, status=ServiceRecord.Status.PENDING)[:20]
        if team.can_manage
        else [],
    }
    if team.can_manage:
        context["add_form"] = MemberAddForm()
        context["roles"] = TeamMember.Role.choices
    return render(request, "volunteers/team_detail.html", context)


@login_required
@require_POST
def team_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    team = selectors.team_get(viewer=request.user, pk=pk)
    form = MemberAddForm(request.POST)
    next_url = reverse("volunteers:team_detail", args=[team.pk])
    if not form.is_valid():
        return refuse_invalid_form(request, form, next_url=next_url)
    data = form.cleaned_data

    @transaction.atomic
    def add() -> None:
        volunteer = selectors.volunteer_find(full_name=data["full_name"], phone=data["phone"])
        if volunteer is None:
            if not data["create"]:
                raise ValidationError({"phone": _("没有找到姓名和手机号都相符的志愿者；勾选“新登记”可直接登记。")})
            volunteer = services.volunteer_create(
                actor=request.user,
                full_name=data["full_name"],
                phone=data["phone"],
                unit=team.unit,
                is_party_member=data["is_party_member"],
            )
        services.team_member_add(team=team, volunteer=volunteer, role=data["role"], actor=request.user)

    return run_action(request, add, success=_("已加入队伍。"), next_url=next_url)


def _membership(request: HttpRequest, pk: int, member_pk: int) -> TeamMember:
    team = selectors.team_get(viewer=request.user, pk=pk)
    return get_object_or_404(TeamMember.objects.select_related("team__unit"), pk=member_pk, team=team)


@login_required
@require_POST
def team_member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    membership = _membership(request, pk, member_pk)
    return run_action(
        request,
        lambda: services.team_member_remove(membership=membership, actor=request.user),
        success=_("已移出队伍。"),
        next_url=reverse("volunteers:team_detail", args=[pk]),
    )


@login_required
@require_POST
def team_member_role(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    membership = _membership(request, pk, member_pk)
    form = RoleForm(request.POST)
    role = form.cleaned_data["role"] if form.is_valid() else TeamMember.Role.MEMBER
    return run_action(
        request,
        lambda: services.team_member_set_role(membership=membership, role=role, actor=request.user),
        success=_("职务已更新。"),
        next_url=reverse("volunteers:team_detail", args=[pk]),
    )
