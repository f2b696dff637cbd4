"""Team list and team page (roster, activities, what waits for the leader)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access, selectors, services
from ..forms import MemberAddForm, RoleForm, TeamFilterForm
from ..models import ServiceRecord, TeamMember
from ._helpers import paginate, refuse_invalid_form, run_action


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    """Teams the viewer may see; a team leader sees only their own."""
    form = TeamFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    teams = selectors.team_list(
        viewer=request.viewer,
        category=filters["category"].pk if filters.get("category") else None,
        kind=filters.get("kind") or None,
        search=filters.get("q") or "",
    )
    return render(request, "volunteers/team_list.html", {"form": form, "page": paginate(request, teams)})


@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The roster, upcoming activities and, for its managers, records waiting for verification."""
    viewer = request.viewer
    team = selectors.team_get(viewer=viewer, pk=pk)
    can_manage = access.can_manage_team(viewer, team)
    roster = paginate(request, selectors.team_roster(team=team), per_page=100)
    context = {
        "team": team,
        "can_manage": can_manage,
        "actions": access.team_allowed_actions(viewer, team),
        "roster": roster,
        "rows": [(m, access.membership_allowed_actions(viewer, m, team)) for m in roster.object_list],
        "activities": selectors.activity_list(viewer=viewer, team_id=team.pk, upcoming_only=True)[:10],
        "pending": selectors.record_list(viewer=viewer, team_id=team.pk, status=ServiceRecord.Status.PENDING)[:20]
        if can_manage
        else [],
    }
    if can_manage:
        roles = dict(TeamMember.Role.choices)
        context["add_form"] = MemberAddForm(roles=access.assignable_roles(viewer, team))
        context["roles"] = [(role, roles[role]) for role in access.assignable_roles(viewer, team)]
    return render(request, "volunteers/team_detail.html", context)


@login_required
@require_POST
def team_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    team = selectors.team_get(viewer=request.viewer, pk=pk)
    form = MemberAddForm(request.POST)
    next_url = reverse("volunteers:team_detail", args=[team.pk])
    if not form.is_valid():
        return refuse_invalid_form(request, form, next_url=next_url)
    data = form.cleaned_data

    @transaction.atomic
    def add() -> None:
        volunteer = selectors.volunteer_find(viewer=request.viewer, full_name=data["full_name"], phone=data["phone"])
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
    team = selectors.team_get(viewer=request.viewer, pk=pk)
    return selectors.team_membership(team=team, pk=member_pk)


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
    next_url = reverse("volunteers:team_detail", args=[pk])
    if not form.is_valid():
        return refuse_invalid_form(request, form, next_url=next_url)
    return run_action(
        request,
        lambda: services.team_member_set_role(
            membership=membership, role=form.cleaned_data["role"], actor=request.user
        ),
        success=_("职务已更新。"),
        next_url=next_url,
    )
