"""Activities: list and month calendar, publishing, sign-up, check-in and check-out (phone-first)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from guilin_portal.params import parse_id

from .. import access, selectors, services
from ..forms import ActivityForm
from ._helpers import paginate, run_action, submit


def _month(request: HttpRequest) -> date:
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    """Upcoming activities as cards, or the month as a calendar (?view=calendar&month=2026-05)."""
    team_id = parse_id(request.GET.get("team"))
    if request.GET.get("view") == "calendar":
        first = _month(request)
        previous = (first.replace(day=1) - timezone.timedelta(days=1)).replace(day=1)
        following = (first.replace(day=28) + timezone.timedelta(days=7)).replace(day=1)
        return render(
            request,
            "volunteers/activity_calendar.html",
            {
                "month": first,
                "previous": previous,
                "following": following,
                "weeks": selectors.calendar_weeks(
                    viewer=request.viewer, year=first.year, month=first.month, team_id=team_id
                ),
                "team_id": team_id,
            },
        )
    activities = selectors.activity_list(viewer=request.viewer, team_id=team_id, upcoming_only=True)
    return render(
        request,
        "volunteers/activity_list.html",
        {
            "page": paginate(request, activities),
            "team_id": team_id,
            "can_publish": access.can_publish_anywhere(request.viewer),
        },
    )


@login_required
def activity_create(request: HttpRequest) -> HttpResponse:
    """Publish an activity: a team leader for their team (?team=), staff for their units."""
    team = None
    team_id = parse_id(request.GET.get("team"))
    if team_id is not None:
        team = selectors.team_get(viewer=request.viewer, pk=team_id)
        if "publish_activity" not in access.team_allowed_actions(request.viewer, team):
            raise PermissionDenied
    elif not access.can_publish_anywhere(request.viewer):
        raise PermissionDenied
    units = selectors.activity_units(viewer=request.viewer, team=team)
    initial = {"category": team.category_id, "unit": team.unit_id} if team else {}
    form = ActivityForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        activity = submit(form, lambda: services.activity_create(actor=request.user, team=team, **form.cleaned_data))
        if activity is not None:
            messages.success(request, _("活动已发布。"))
            return redirect("volunteers:activity_detail", pk=activity.pk)
    return render(request, "volunteers/activity_form.html", {"form": form, "team": team})


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One activity: sign up, cancel, check in and out; its managers check people in and verify."""
    viewer = request.viewer
    activity = selectors.activity_get(viewer=viewer, pk=pk)
    now = timezone.now()
    mine = selectors.signup_for(viewer=viewer, activity=activity)
    can_manage = access.can_manage_activity(viewer, activity)
    context = {
        "activity": activity,
        "actions": access.activity_allowed_actions(viewer, activity, signed_up=mine is not None, now=now),
        "can_manage": can_manage,
        "mine": mine,
        "mine_actions": access.signup_allowed_actions(viewer, mine, activity, now=now) if mine else frozenset(),
        "is_volunteer": viewer.volunteer_id is not None,
        "now": now,
    }
    if can_manage:
        signups = paginate(request, selectors.signups_of_activity(activity=activity), per_page=100)
        context["signups"] = signups
        context["signup_rows"] = [
            (signup, access.signup_allowed_actions(viewer, signup, activity, now=now)) for signup in signups.object_list
        ]
        context["pending_count"] = selectors.pending_records_of_activity(activity=activity).count()
    return render(request, "volunteers/activity_detail.html", context)


def _back(activity_id: int) -> str:
    return reverse("volunteers:activity_detail", args=[activity_id])


@login_required
@require_POST
def activity_signup(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(viewer=request.viewer, pk=pk)
    volunteer = selectors.volunteer_own(viewer=request.viewer)
    if volunteer is None:
        messages.error(request, _("您还没有志愿者档案，请联系社区登记。"))
        return redirect(_back(pk))
    return run_action(
        request,
        lambda: services.signup_create(activity=activity, volunteer=volunteer, actor=request.user),
        success=_("报名成功。"),
        next_url=_back(pk),
    )


@login_required
@require_POST
def activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Call the whole activity off (its managers)."""
    activity = selectors.activity_get(viewer=request.viewer, pk=pk)
    return run_action(
        request,
        lambda: services.activity_cancel(activity=activity, actor=request.user, reason=request.POST.get("reason", "")),
        success=_("活动已取消。"),
        next_url=_back(pk),
    )


@login_required
@require_POST
def activity_verify_all(request: HttpRequest, pk: int) -> HttpResponse:
    """Verify every pending record of the activity, each on its own (its managers)."""
    activity = selectors.activity_get(viewer=request.viewer, pk=pk)
    try:
        verified, refusals = services.activity_records_verify(activity=activity, actor=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect(_back(pk))
    messages.success(request, _("已审核 %(n)s 条服务记录。") % {"n": verified})
    for refusal in refusals:
        messages.error(request, refusal)
    return redirect(_back(pk))


SIGNUP_SERVICES = {
    "cancel": (services.signup_cancel, gettext_lazy("已取消报名。")),
    "check-in": (services.signup_check_in, gettext_lazy("签到成功。")),
    "check-out": (services.signup_check_out, gettext_lazy("已签退，服务记录待审核。")),
}


@login_required
@require_POST
def signup_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Cancel, check in or check out one sign-up (the volunteer themself, or a manager)."""
    if action not in SIGNUP_SERVICES:
        raise Http404
    signup = selectors.signup_get(viewer=request.viewer, pk=pk)
    service, success = SIGNUP_SERVICES[action]
    return run_action(
        request,
        lambda: service(signup=signup, actor=request.user),
        success=str(success),
        next_url=_back(signup.activity_id),
    )
