"""Activities: list and month calendar, publishing, sign-up, check-in and check-out (phone-first)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from grids.models import GridUnit, Post

from .. import access, selectors, services
from ..forms import ActivityForm, show_errors
from ..models import Activity, ActivitySignup, ServiceRecord, Team
from ._helpers import paginate, run_action


def _month(request: HttpRequest) -> date:
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    """Upcoming activities as cards, or the month as a calendar (?view=calendar&month=2026-05)."""
    team_id = request.GET.get("team") or None
    team_id = int(team_id) if team_id and team_id.isdigit() else None
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
                    viewer=request.user, year=first.year, month=first.month, team_id=team_id
                ),
                "team_id": team_id,
            },
        )
    activities = selectors.activity_list(viewer=request.user, team_id=team_id, upcoming_only=True)
    return render(
        request,
        "volunteers/activity_list.html",
        {"page": paginate(request, activities), "team_id": team_id, "can_publish": _publish_units(request) is not None},
    )


def _publish_units(request: HttpRequest, team: Team | None = None):
    """Units an activity may be held at: the team's unit and the units just below it, or the staff's."""
    if team is not None:
        return GridUnit.objects.filter(Q(pk=team.unit_id) | Q(parent_id=team.unit_id)).order_by("path")
    staff_units = Post.objects.filter(user=request.user, role__in=Post.STAFF_ROLES).values("unit_id")
    if request.user.is_superuser or access.led_team_ids(request.user) or staff_units.exists():
        return GridUnit.objects.filter(Q(pk__in=staff_units) | Q(parent_id__in=staff_units)).order_by("path")
    return None


@login_required
def activity_create(request: HttpRequest) -> HttpResponse:
    """Publish an activity: a team leader for their team (?team=), staff for their units."""
    team = None
    if request.GET.get("team", "").isdigit():
        team = selectors.team_get(viewer=request.user, pk=int(request.GET["team"]))
        if not team.can_manage:
            raise PermissionDenied
    units = _publish_units(request, team)
    if units is None:
        raise PermissionDenied
    initial = {"category": team.category_id, "unit": team.unit_id} if team else {}
    form = ActivityForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = services.activity_create(actor=request.user, team=team, **data)
        except ValidationError as exc:
            show_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("活动已发布。"))
            return redirect("volunteers:activity_detail", pk=activity.pk)
    return render(request, "volunteers/activity_form.html", {"form": form, "team": team})


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One activity: sign up, cancel, check in and out; its managers check people in and verify."""
    activity = selectors.activity_get(viewer=request.user, pk=pk)
    context = {
        "activity": activity,
        "mine": selectors.signup_for(viewer=request.user, activity=activity),
        "is_volunteer": access.viewer_volunteer(request.user) is not None,
        "now": timezone.now(),
    }
    if activity.can_manage:
        context["signups"] = paginate(request, selectors.signups_of_activity(activity=activity), per_page=100)
        context["pending_count"] = ServiceRecord.objects.pending().filter(activity=activity).count()
    return render(request, "volunteers/activity_detail.html", context)


def _back(activity_id: int) -> str:
    return reverse("volunteers:activity_detail", args=[activity_id])


@login_required
@require_POST
def activity_signup(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(viewer=request.user, pk=pk)
    volunteer = access.viewer_volunteer(request.user)
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
    activity = selectors.activity_get(viewer=request.user, pk=pk)
    return run_action(
        request,
        lambda: services.activity_cancel(activity=activity, actor=request.user, reason=request.POST.get("reason", "")),
        success=_("活动已取消。"),
        next_url=_back(pk),
    )


@login_required
@require_POST
def activity_verify_all(request: HttpRequest, pk: int) -> HttpResponse:
    """Verify every pending record of the activity, each on its own."""
    activity = selectors.activity_get(viewer=request.user, pk=pk)
    if not activity.can_manage:
        raise PermissionDenied
    records = list(ServiceRecord.objects.pending().filter(activity=activity).select_related("volunteer"))
    verified, refusals = services.records_verify_many(records=records, actor=request.user)
    messages.success(request, _("已审核 %(n)s 条服务记录。") % {"n": verified})
    for refusal in refusals:
        messages.error(request, refusal)
    return redirect(_back(pk))


def _signup(request: HttpRequest, pk: int) -> ActivitySignup:
    """A sign-up to an activity the viewer may see, or 404."""
    signup = get_object_or_404(ActivitySignup.objects.select_related("activity"), pk=pk)
    if not Activity.objects.filter(access.activity_q(request.user), pk=signup.activity_id).exists():
        raise Http404
    return signup


SIGNUP_ACTIONS = {
    "cancel": (services.signup_cancel, gettext_lazy("已取消报名。")),
    "check-in": (services.signup_check_in, gettext_lazy("签到成功。")),
    "check-out": (services.signup_check_out, gettext_lazy("已签退，服务记录待审核。")),
}


@login_required
@require_POST
def signup_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Cancel, check in or check out one sign-up (the volunteer themself, or a manager)."""
    if action not in SIGNUP_ACTIONS:
        raise Http404
    signup = _signup(request, pk)
    service, success = SIGNUP_ACTIONS[action]
    return run_action(
        request,
        lambda: service(signup=signup, actor=request.user),
        success=str(success),
        next_url=_back(signup.activity_id),
    )
