"""Reads of the command centre: the screen's figures and the staff's list of screen links.

Every figure comes from the dashboards' selectors (the same functions as the dashboards and
`/api/v1/stats/`, so a screen and a dashboard never disagree), the just-resolved list from the issues
selectors read as the screen link's Viewer. About thirty small grouped queries, whatever the number of
issues; the payload is shared by every display of a unit for half a refresh interval (the cache).

No personal data reaches a screen: the just-resolved list carries a category, a unit name and a time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboards.numbers import as_json
from dashboards.periods import Period, add_months, month_start, quarter_of
from dashboards.selectors import OWN, children_of
from dashboards.selectors.contracts import completion
from dashboards.selectors.issues import (
    IssueFigures,
    categories,
    issue_figures,
    issue_overdue,
    issue_rollup_state,
)
from dashboards.selectors.service_points import red_station_services
from dashboards.selectors.volunteers import volunteer_summary
from grids.models import GridUnit
from grids.viewer import Viewer
from issues.models import Issue
from issues.selectors import IssueFilters, issue_list

from .access import screen_links_q, screen_viewer
from .models import ScreenLink

PUBLIC_SELECTORS_WITHOUT_VIEWER = {
    "refresh_seconds": "a setting: no rows",
    "screen_figures": "takes a link already opened by its token (services.screen_link_open): the link is the "
    "reader (access.screen_viewer) and every figure is of its unit's subtree",
    "screen_payload": "the same figures as screen_figures, serialised and shared by the displays of one unit",
}
TREND_MONTHS = 6
TOP_CATEGORIES = 8
JUST_RESOLVED = 12
JUST_RESOLVED_WINDOW = dt.timedelta(days=3)  # bounds the scan on the issues' updated_at index
SETTLED = (Issue.Status.RESOLVED, Issue.Status.CLOSED)


def refresh_seconds() -> int:
    """How often a screen asks for new figures (setting COMMAND_CENTRE_REFRESH_SECONDS)."""
    return max(1, int(getattr(settings, "COMMAND_CENTRE_REFRESH_SECONDS", 30)))


def screen_links(*, viewer: Viewer) -> QuerySet[ScreenLink]:
    """The links the viewer may list and revoke, newest first, with their units and makers."""
    return (
        ScreenLink.objects.filter(screen_links_q(viewer))
        .select_related("unit", "created_by", "revoked_by")
        .order_by("-created_at", "-pk")
    )


def _num(value: Any) -> Any:
    if isinstance(value, Decimal):
        return as_json(value)
    return value


def _issue_block(figures: IssueFigures) -> dict[str, Any]:
    return {
        "logged": figures.logged,
        "resolved": figures.resolved,
        "settled": figures.settled,
        "resolution_rate": _num(figures.resolution_rate),
        "satisfaction_rate": _num(figures.satisfaction_rate),
    }


def _just_resolved(link: ScreenLink, now: dt.datetime) -> list[dict[str, str]]:
    """The latest resolutions in the subtree: category, unit and time only (no resident, no text)."""
    filters = IssueFilters(statuses=SETTLED, unit=link.unit, updated_from=now - JUST_RESOLVED_WINDOW)
    rows = (
        issue_list(viewer=screen_viewer(link), filters=filters)
        .filter(resolved_at__isnull=False)
        .order_by("-resolved_at", "-pk")
        .values_list("category__name", "unit__name", "resolved_at")[:JUST_RESOLVED]
    )
    return [
        {"category": category, "unit": unit, "at": timezone.localtime(at).strftime("%m-%d %H:%M")}
        for category, unit, at in rows
    ]


def _completion(link: ScreenLink) -> dict[str, Any] | None:
    overview = completion(viewer=screen_viewer(link), unit=link.unit, period=None)
    if overview is None or overview.own is None:
        return None
    own = overview.own
    return {
        "label": _("%(year)s年第%(quarter)s季度") % {"year": overview.year, "quarter": overview.quarter},
        "rate": _num(own.completion_rate),
        "due": own.due,
        "met": own.met,
        "partially_met": own.partially_met,
        "contracts": own.contracts,
        "children": [
            {"name": child.name, "rate": _num(row.completion_rate)}
            for child, row in overview.children
            if row is not None and row.completion_rate is not None
        ],
    }


def screen_figures(*, link: ScreenLink, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything one screen shows for the link's unit, as JSON-ready values.

    Today's issue figures are counted live from the issues (a day is small and a wall display must
    move when an issue is logged); the month's and the trend come from the roll-up where it serves
    (with its as-of time), as on the dashboards.
    """
    now = now or timezone.now()
    unit: GridUnit = link.unit
    today = timezone.localdate(now)
    day = Period.custom(today, today)
    month = Period.for_month(today.year, today.month)
    previous = Period(add_months(month.start, -1), month.start, "month")
    trend = Period(add_months(month_start(today), -(TREND_MONTHS - 1)), month.end, "custom")
    state = issue_rollup_state()

    today_issues = issue_figures(unit=unit, period=day, source="live")[None]
    month_issues = issue_figures(unit=unit, period=month, state=state)[None]
    overdue = issue_overdue(unit=unit, by_child=True, now=now)
    children = children_of(unit)
    by_month = issue_figures(unit=unit, period=trend, group_by="month", state=state)
    this_month = issue_figures(unit=unit, period=month, group_by="category", state=state)
    last_month = issue_figures(unit=unit, period=previous, group_by="category", state=state)
    names = categories()
    top = sorted(this_month, key=lambda pk: (-this_month[pk].logged, pk))[:TOP_CATEGORIES]
    volunteers = volunteer_summary(unit=unit, period=day)
    red_today = red_station_services(unit=unit, period=day)[None]

    overdue_children = [{"name": child.name, "value": overdue.get(child.path, 0)} for child in children]
    if overdue.get(OWN):
        overdue_children.append({"name": _("%(name)s（本级）") % {"name": unit.name}, "value": overdue[OWN]})
    months = [add_months(trend.start, i) for i in range(TREND_MONTHS)]
    return {
        "unit": {"id": unit.pk, "name": unit.name, "level": unit.get_level_display()},
        "today": {**_issue_block(today_issues), "date": today.isoformat()},
        "month": {**_issue_block(month_issues), "label": month.label, "quarter": quarter_of(today)},
        "overdue_now": overdue.get(None, 0),
        "overdue_by_child": [row for row in overdue_children if row["value"]],
        "trend": {
            "months": [f"{m.month}月" for m in months],
            "logged": [by_month.get(m, IssueFigures()).logged for m in months],
            "resolved": [by_month.get(m, IssueFigures()).resolved for m in months],
        },
        "categories": [
            {
                "name": names[pk].name if pk in names else str(pk),
                "this_month": this_month[pk].logged,
                "last_month": last_month.get(pk, IssueFigures()).logged,
            }
            for pk in top
        ],
        "volunteers": {
            "members": volunteers.members,
            "activities_today": volunteers.activities,
            "services_today": volunteers.service.services,
            "hours_today": _num(volunteers.service.hours),
        },
        "red_station_services_today": red_today,
        "contracts": _completion(link),
        "just_resolved": _just_resolved(link, now),
        "as_of": timezone.localtime(state.as_of).isoformat(timespec="seconds") if state is not None else None,
        "refresh_seconds": refresh_seconds(),
    }


def screen_payload(*, link: ScreenLink, now: dt.datetime | None = None) -> tuple[bytes, str]:
    """The screen's JSON body and its ETag, shared by every display of the unit for half an interval."""
    key = f"command_centre:screen:{link.unit_id}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    figures = screen_figures(link=link, now=now)
    # The ETag covers the figures, not the time they were read: an unchanged screen answers 304.
    etag = hashlib.sha256(json.dumps(figures, cls=DjangoJSONEncoder, sort_keys=True).encode()).hexdigest()[:32]
    figures["generated_at"] = timezone.localtime(now or timezone.now()).isoformat(timespec="seconds")
    body = json.dumps(figures, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
    result = (body, f'"{etag}"')
    ttl = refresh_seconds() // 2
    if ttl:
        cache.set(key, result, ttl)
    return result
