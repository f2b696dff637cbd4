"""Reads of the party app: lists scoped to the viewer, and the 三会一课 figures.

Timeliness (及时率) = meetings held by their due date / meetings due, counted over due periods:
for every tracked organisation (`records_from` set) and every active rule of its kind, each period
from the one holding `records_from` whose due date has passed and lies in the window is due `count`
times; a period is met on time up to `count` by the meetings answering for it that were held on or
before its due date. A meeting held a day after the due date is late: it counts for nothing on time.
The rules are read at each call, so a changed rule changes the figure (party.services.rule_save
moves the meetings to its periods).

The same function answers the timeliness page, its CSV export, the statistics API and the
dashboards: one query whatever the number of organisations (the rules, the organisations and their
on-time meetings in one UNION ALL), a second for district names when grouping by district.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import CharField, Count, DateField, F, IntegerField, Q, QuerySet, Value
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.models import PATH_STEP, GridUnit
from grids.viewer import Viewer

from . import access, periods
from .models import (
    Brand,
    Meeting,
    MeetingKind,
    MeetingRule,
    PartyMember,
    PartyOrganisation,
    PioneerPost,
    PioneerTeam,
    Sector,
)

PUBLIC_SELECTORS_WITHOUT_VIEWER = {
    "rules_active": "reference data, the same for every viewer",
    "public_brands": "the public page: brands marked public, for anonymous visitors",
    "current_period_shortfalls": "the reminder task's read, as the system, for every tracked organisation",
    "public_brand_photo": "the public page's photos, of public brands only",
}

GROUPS = ("organisation", "sector", "district")
RULE_SHIFT = 100  # a rule travels in the timeliness UNION as count * 100 + months (months < 100)
DISTRICT_PATH = 2 * PATH_STEP  # city step + district step
STREET_PATH = 3 * PATH_STEP


# -- lists --------------------------------------------------------------------------------------


def organisation_list(
    *, viewer: Viewer, sector: str | None = None, kind: str | None = None, search: str | None = None
) -> QuerySet[PartyOrganisation]:
    rows = PartyOrganisation.objects.filter(access.organisation_q(viewer))
    if sector:
        rows = rows.filter(sector=sector)
    if kind:
        rows = rows.filter(kind=kind)
    if search:
        rows = rows.filter(name__contains=search)
    return (
        rows.select_related("unit", "secretary", "parent")
        .annotate(roll_size=Count("members", distinct=True))
        .order_by("unit__path", "kind", "name", "pk")
    )


def organisation_get(*, viewer: Viewer, pk: int) -> PartyOrganisation:
    """One organisation the viewer reads, or 404 (never a hint that it exists elsewhere)."""
    row = (
        PartyOrganisation.objects.filter(access.organisation_q(viewer), pk=pk)
        .select_related("unit", "secretary", "parent", "parent__unit")
        .first()
    )
    if row is None:
        raise Http404
    return row


def organisation_members(*, organisation: PartyOrganisation) -> QuerySet[PartyMember]:
    return organisation.members.select_related("user").order_by("role", "name", "pk")


def organisation_meetings(*, organisation: PartyOrganisation, limit: int = 50) -> list[Meeting]:
    return list(organisation.meetings.prefetch_related("photos").order_by("-held_on", "-pk")[:limit])


def organisation_children(*, organisation: PartyOrganisation) -> QuerySet[PartyOrganisation]:
    return organisation.children.select_related("unit", "secretary").order_by("unit__path", "name")


def keepable_organisations(*, viewer: Viewer) -> QuerySet[PartyOrganisation]:
    """Organisations whose roll, meetings, brands and posts the viewer keeps (a form's choices)."""
    return PartyOrganisation.objects.active().filter(access.keepable_q(viewer)).select_related("unit")


def meeting_get(*, viewer: Viewer, pk: int) -> Meeting:
    row = (
        Meeting.objects.filter(access.organisation_q(viewer, prefix="organisation__"), pk=pk)
        .select_related("organisation", "organisation__unit")
        .first()
    )
    if row is None:
        raise Http404
    return row


def meeting_photo_get(*, viewer: Viewer, pk: int):
    from .models import MeetingPhoto

    row = MeetingPhoto.objects.filter(access.organisation_q(viewer, prefix="meeting__organisation__"), pk=pk).first()
    if row is None:
        raise Http404
    return row


def owned_list(*, viewer: Viewer, model, sector: str | None = None) -> QuerySet:
    """Brands, pioneer posts or pioneer teams the viewer reads."""
    rows = model.objects.filter(access.owned_q(viewer))
    if sector:
        rows = rows.filter(sector=sector)
    return rows.select_related("unit", "organisation").order_by("sector", "name", "pk")


def owned_get(*, viewer: Viewer, model, pk: int):
    row = (
        model.objects.filter(access.owned_q(viewer), pk=pk)
        .select_related("unit", "organisation", "organisation__unit")
        .first()
    )
    if row is None:
        raise Http404
    return row


def brand_photo_get(*, viewer: Viewer, pk: int):
    """A brand's photo, when the viewer reads the brand (404 otherwise)."""
    from .models import BrandPhoto

    row = BrandPhoto.objects.filter(pk=pk, brand__in=Brand.objects.filter(access.owned_q(viewer)).values("pk")).first()
    if row is None:
        raise Http404
    return row


def public_brands(*, sector: str | None = None) -> tuple[list[tuple[str, str, int]], QuerySet[Brand]]:
    """The public page: (sector, label, brands) for every sector with public brands, and the brands of one."""
    counts = dict(Brand.objects.filter(is_public=True).order_by().values_list("sector").annotate(n=Count("pk")))
    sectors = [(value, str(label), counts[value]) for value, label in Sector.choices if counts.get(value)]
    rows = Brand.objects.filter(is_public=True, sector=sector) if sector else Brand.objects.none()
    return sectors, rows.select_related("organisation").prefetch_related("photos").order_by("-year", "name", "pk")


def public_brand_photo(*, pk: int):
    """A photo of a public brand (the public page shows them), or 404."""
    from .models import BrandPhoto

    row = BrandPhoto.objects.filter(pk=pk, brand__is_public=True).first()
    if row is None:
        raise Http404
    return row


def report_unit(*, viewer: Viewer, unit_id: int | None) -> GridUnit:
    """The unit a timeliness page is about: the one asked for (404 outside the viewer's jurisdiction),
    else the viewer's own top unit (404 when they have none)."""
    paths = viewer.jurisdiction
    if unit_id is not None:
        unit = GridUnit.objects.filter(pk=unit_id).first()
        if unit is None or not viewer.sees_path(unit.path):
            raise Http404
        return unit
    if paths is None:
        unit = GridUnit.objects.filter(level=GridUnit.Level.CITY).first()
    else:
        unit = GridUnit.objects.filter(path__in=paths).order_by("level", "path").first()
    if unit is None:
        raise Http404
    return unit


def rules_active() -> list[MeetingRule]:
    return list(MeetingRule.objects.filter(is_active=True).order_by("organisation_kind", "meeting_kind"))


# -- timeliness ---------------------------------------------------------------------------------


@dataclass
class TimelinessRow:
    key: str
    label: str
    due: int = 0
    on_time: int = 0

    @property
    def missed(self) -> int:
        return self.due - self.on_time

    @property
    def rate(self) -> float | None:
        return round(self.on_time * 100 / self.due, 1) if self.due else None

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "due": self.due,
            "on_time": self.on_time,
            "missed": self.missed,
            "rate": self.rate,
        }


@dataclass
class Timeliness:
    unit: GridUnit
    start: dt.date | None
    end: dt.date
    today: dt.date
    sector: str | None
    totals: TimelinessRow
    rows: list[TimelinessRow] = field(default_factory=list)
    group_by: str | None = None


def _rules_by_kind(rules: list[MeetingRule]) -> dict[str, list[MeetingRule]]:
    by_kind: dict[str, list[MeetingRule]] = defaultdict(list)
    for rule in rules:
        if rule.is_active:
            by_kind[rule.organisation_kind].append(rule)
    return by_kind


def _tracked(unit: GridUnit, sector: str | None, organisation_id: int | None = None) -> QuerySet[PartyOrganisation]:
    rows = PartyOrganisation.objects.tracked().filter(unit__path__startswith=unit.path)
    if organisation_id is not None:
        rows = rows.filter(pk=organisation_id)
    return rows.filter(sector=sector) if sector else rows


def _org_and_meeting_rows(
    unit: GridUnit, sector: str | None, start: dt.date | None, last_day: dt.date, organisation_id: int | None
):
    """One UNION ALL: ("o", org id, kind, sector, unit path, name, records_from, 0) for each tracked
    organisation, ("m", org id, meeting kind, "", "", "", period start, on-time meetings) per period,
    ("r", rule id, meeting kind, organisation kind, "", "", None, count * RULE_SHIFT + months) per rule."""
    text, number = CharField(), IntegerField()
    orgs = (
        _tracked(unit, sector, organisation_id)
        .order_by()
        .values_list(
            Value("o", output_field=text),
            "pk",
            "kind",
            "sector",
            "unit__path",
            "name",
            "records_from",
            Value(0, output_field=number),
        )
    )
    meetings = Meeting.objects.filter(
        organisation__in=_tracked(unit, sector, organisation_id).values("pk"),
        held_on__lte=F("due_on"),
        due_on__lte=last_day,
    )
    if start is not None:
        meetings = meetings.filter(due_on__gte=start)
    meetings = (
        meetings.order_by()
        .values("organisation_id", "kind", "period_start")
        .annotate(n=Count("pk"))
        .values_list(
            Value("m", output_field=text),
            "organisation_id",
            "kind",
            Value("", output_field=text),
            Value("", output_field=text),
            Value("", output_field=text),
            F("period_start"),
            "n",
        )
    )
    rules = (
        MeetingRule.objects.filter(is_active=True)
        .order_by()
        .values_list(
            Value("r", output_field=text),
            "pk",
            "meeting_kind",
            "organisation_kind",
            Value("", output_field=text),
            Value("", output_field=text),
            Value(None, output_field=DateField()),
            F("count") * RULE_SHIFT + F("period_months"),
        )
    )
    return orgs.union(meetings, rules, all=True)


def _due_periods(
    unit: GridUnit, sector: str | None, start: dt.date | None, end: dt.date, today: dt.date, organisation_id: int | None
):
    """(organisation id, (kind, sector, unit path, name, records_from), due date, due, held on time) for
    every rule's period of every tracked organisation of the subtree whose due date has passed and lies in
    [start, end]: what `timeliness` adds up. One query."""
    last_day = min(end, today - dt.timedelta(days=1))
    orgs: dict[int, tuple[str, str, str, str, dt.date]] = {}
    on_time_counts: dict[tuple[int, str, dt.date], int] = {}
    rules: list[MeetingRule] = []
    for tag, pk, kind, org_sector, path, name, day, n in _org_and_meeting_rows(
        unit, sector, start, last_day, organisation_id
    ):
        if tag == "o":
            orgs[pk] = (kind, org_sector, path, name, day)
        elif tag == "m":
            on_time_counts[(pk, kind, _as_date(day))] = n
        else:
            count, months = divmod(n, RULE_SHIFT)
            rules.append(
                MeetingRule(pk=pk, meeting_kind=kind, organisation_kind=org_sector, count=count, period_months=months)
            )
    by_kind = _rules_by_kind(rules)
    for pk, org in orgs.items():
        for rule in by_kind.get(org[0], ()):
            if not rule.count:
                continue
            months = rule.period_months
            for period in periods.due_periods(
                first=_as_date(org[4]), months=months, window_start=start, window_end=end, today=today
            ):
                held = on_time_counts.get((pk, rule.meeting_kind, periods.start(period, months)), 0)
                yield pk, org, periods.due_on(period, months), rule.count, min(rule.count, held)


def timeliness_by_due_month(*, unit: GridUnit, today: dt.date | None = None) -> dict[tuple[str, str, dt.date], tuple]:
    """{(street path, sector, first day of the due date's month): (due, held on time)} of the subtree's
    tracked organisations, every due date before today (an organisation above a street keeps its own
    path). Whole months of it add up to `timeliness` over those months: the dashboards keep it in their
    roll-up."""
    today = today or timezone.localdate()
    found: dict[tuple[str, str, dt.date], list[int]] = {}
    for _pk, (_kind, org_sector, path, _name, _first), due_day, due, met in _due_periods(
        unit, None, None, today, today, None
    ):
        cell = found.setdefault((path[:STREET_PATH], org_sector, due_day.replace(day=1)), [0, 0])
        cell[0] += due
        cell[1] += met
    return {key: tuple(cell) for key, cell in found.items()}


def timeliness_of(
    *, unit: GridUnit, start: dt.date | None, end: dt.date, today: dt.date, by_sector: dict[str, tuple[int, int]]
) -> Timeliness:
    """A Timeliness grouped by sector from counts kept elsewhere ({sector: (due, held on time)})."""
    labels = dict(Sector.choices)
    rows = [
        TimelinessRow(key=key, label=str(labels.get(key, key)), due=due, on_time=met)
        for key, (due, met) in by_sector.items()
        if due
    ]
    totals = TimelinessRow(
        key="total", label=str(_("合计")), due=sum(r.due for r in rows), on_time=sum(r.on_time for r in rows)
    )
    _rank(rows)
    return Timeliness(
        unit=unit, start=start, end=end, today=today, sector=None, totals=totals, rows=rows, group_by="sector"
    )


def timeliness(
    *,
    unit: GridUnit,
    start: dt.date | None = None,
    end: dt.date | None = None,
    today: dt.date | None = None,
    sector: str | None = None,
    group_by: str | None = None,
    organisation: PartyOrganisation | None = None,
) -> Timeliness:
    """三会一课 timeliness of the tracked organisations of the unit's subtree (see the module's rule).

    `start`/`end`: the due dates counted (None: from the first; today by default). Rows per
    organisation, sector or district with `group_by`; they add up to the totals.
    """
    today = today or timezone.localdate()
    end = min(end or today, today)
    totals = TimelinessRow(key="total", label=str(_("合计")))
    groups: dict[str, TimelinessRow] = {}
    for pk, (_kind, org_sector, path, name, _first), _due_day, due, met in _due_periods(
        unit, sector, start, end, today, organisation.pk if organisation else None
    ):
        totals.due += due
        totals.on_time += met
        if group_by:
            key = {"organisation": str(pk), "sector": org_sector, "district": path[:DISTRICT_PATH]}[group_by]
            row = groups.get(key)
            if row is None:
                row = groups[key] = TimelinessRow(key=key, label=name if group_by == "organisation" else key)
            row.due += due
            row.on_time += met
    rows = list(groups.values())
    if group_by == "sector":
        labels = dict(Sector.choices)
        for row in rows:
            row.label = str(labels.get(row.key, row.key))
    elif group_by == "district" and rows:
        names = dict(GridUnit.objects.filter(path__in=[row.key for row in rows]).values_list("path", "name"))
        for row in rows:
            row.label = names.get(row.key, row.key)
    _rank(rows)
    return Timeliness(
        unit=unit, start=start, end=end, today=today, sector=sector, totals=totals, rows=rows, group_by=group_by
    )


def _rank(rows: list[TimelinessRow]) -> None:
    """Worst rate first (rows with nothing due last), then by label."""
    rows.sort(key=lambda row: (row.rate if row.rate is not None else 101, row.label))


def _as_date(value) -> dt.date:
    """SQLite hands a UNION's date column back as text."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


# -- overdue and due soon ---------------------------------------------------------------------


@dataclass(frozen=True)
class Shortfall:
    """A period of a rule with fewer meetings held (at any date) than due."""

    organisation_id: int
    organisation_name: str
    unit_name: str
    secretary_id: int | None
    secretary_name: str
    kind: str
    period_start: dt.date
    due_on: dt.date
    due: int
    held: int

    @property
    def kind_label(self) -> str:
        return str(MeetingKind(self.kind).label)

    @property
    def days_overdue(self) -> int:
        return (timezone.localdate() - self.due_on).days


def _shortfalls(organisations: QuerySet[PartyOrganisation], *, today: dt.date, current: bool) -> list[Shortfall]:
    """Per tracked organisation and rule, the last period already due (`current=False`: overdue when
    short) or the period holding today (`current=True`: still open). Three queries."""
    by_kind = _rules_by_kind(rules_active())
    if not by_kind:
        return []
    orgs = list(
        organisations.tracked()
        .filter(kind__in=list(by_kind))
        .order_by("unit__path", "name", "pk")
        .values_list("pk", "name", "kind", "records_from", "unit__name", "secretary_id", "secretary__full_name")
    )
    wanted: list[tuple[int, str, str, MeetingRule, dt.date, dt.date]] = []
    for pk, name, kind, first, unit_name, secretary_id, secretary_name in orgs:
        for rule in by_kind[kind]:
            months = rule.period_months
            period = periods.index(today, months) - (0 if current else 1)
            if period < periods.index(first, months):
                continue
            wanted.append(
                (
                    pk,
                    name,
                    unit_name,
                    secretary_id,
                    secretary_name or "",
                    rule,
                    periods.start(period, months),
                    periods.due_on(period, months),
                )
            )
    if not wanted:
        return []
    held = {
        (org, kind, start): n
        for org, kind, start, n in Meeting.objects.filter(
            organisation__in=organisations.tracked().values("pk"), period_start__in={w[6] for w in wanted}
        )
        .order_by()
        .values_list("organisation_id", "kind", "period_start")
        .annotate(n=Count("pk"))
    }
    found = []
    for pk, name, unit_name, secretary_id, secretary_name, rule, start, due in wanted:
        n = held.get((pk, rule.meeting_kind, start), 0)
        if n < rule.count:
            found.append(
                Shortfall(
                    organisation_id=pk,
                    organisation_name=name,
                    unit_name=unit_name,
                    secretary_id=secretary_id,
                    secretary_name=secretary_name,
                    kind=rule.meeting_kind,
                    period_start=start,
                    due_on=due,
                    due=rule.count,
                    held=n,
                )
            )
    return found


def overdue_list(
    *,
    viewer: Viewer,
    today: dt.date | None = None,
    sector: str | None = None,
    organisations: list[int] | None = None,
) -> list[Shortfall]:
    """For the level above: the organisations the viewer reads whose last due period is short of meetings."""
    rows = PartyOrganisation.objects.filter(access.organisation_q(viewer))
    if organisations is not None:
        rows = rows.filter(pk__in=organisations)
    if sector:
        rows = rows.filter(sector=sector)
    return _shortfalls(rows, today=today or timezone.localdate(), current=False)


def current_period_shortfalls(*, today: dt.date) -> list[Shortfall]:
    """Every tracked organisation with a secretary whose current period still lacks meetings."""
    rows = PartyOrganisation.objects.filter(secretary__isnull=False)
    return _shortfalls(rows, today=today, current=True)


@dataclass(frozen=True)
class SecretaryCard:
    organisations: int
    due_soon: int
    overdue: int
    first_organisation_id: int | None


def secretary_card(*, viewer: Viewer, today: dt.date | None = None) -> SecretaryCard | None:
    """The workbench card of a secretary: meetings of the current periods still to hold, and the last
    periods' shortfalls, of the organisations they are secretary of (None: they are none's). Four
    queries (the rules once per call of `_shortfalls`, the organisations, their meetings)."""
    ids = sorted(viewer.party_organisations)
    if not ids:
        return None
    today = today or timezone.localdate()
    rows = PartyOrganisation.objects.filter(pk__in=ids)
    current = _shortfalls(rows, today=today, current=True)
    overdue = _shortfalls(rows, today=today, current=False)
    return SecretaryCard(
        organisations=len(ids),
        due_soon=sum(s.due - s.held for s in current),
        overdue=sum(s.due - s.held for s in overdue),
        first_organisation_id=ids[0],
    )


# -- counts for the city overview ---------------------------------------------------------------

OVERVIEW_LABELS = {
    "meeting_timeliness_organ": _("机关党组织“三会一课”按时召开率（%）"),
    "pioneer_teams_health": _("卫生健康系统先锋服务队"),
    "pioneer_posts_health": _("卫生健康系统先锋服务岗"),
    "brands_health": _("卫生健康系统党建品牌"),
    "brands": _("党建品牌"),
    "pioneer_teams": _("先锋服务队"),
    "pioneer_posts": _("先锋服务岗"),
}


def _counts(unit: GridUnit) -> dict[str, int]:
    """Brands, posts and teams of the subtree, all and of the health system: one UNION ALL query."""
    text = CharField()
    parts = []
    for tag, model, active in (
        ("brands", Brand, Q()),
        ("pioneer_posts", PioneerPost, Q(is_active=True)),
        ("pioneer_teams", PioneerTeam, Q(is_active=True)),
    ):
        parts.append(
            model.objects.filter(active, unit__path__startswith=unit.path)
            .order_by()
            .values("sector")
            .annotate(n=Count("pk"))
            .values_list(Value(tag, output_field=text), "sector", "n")
        )
    counts: dict[str, int] = {}
    for tag, sector, n in parts[0].union(*parts[1:], all=True):
        counts[tag] = counts.get(tag, 0) + n
        if sector == Sector.HEALTH:
            counts[f"{tag}_health"] = counts.get(f"{tag}_health", 0) + n
    return counts


def overview_counts(*, unit: GridUnit, organ_timeliness: TimelinessRow | None = None) -> dict[str, int | float | None]:
    """The report's party figures for the unit's subtree (keys: OVERVIEW_LABELS); all time, as of today.

    Used by the city overview (dashboards). Two queries: the rules, the organ organisations and their
    on-time meetings (one UNION ALL); the brands, posts and teams (one UNION ALL). The first is left
    out when the caller has the organ organisations' totals already (the dashboards' roll-up).
    """
    counts = _counts(unit)
    organ = organ_timeliness or timeliness(unit=unit, sector=Sector.ORGAN).totals
    return {
        "meeting_timeliness_organ": organ.rate,
        "pioneer_teams_health": counts.get("pioneer_teams_health", 0),
        "pioneer_posts_health": counts.get("pioneer_posts_health", 0),
        "brands_health": counts.get("brands_health", 0),
        "brands": counts.get("brands", 0),
        "pioneer_teams": counts.get("pioneer_teams", 0),
        "pioneer_posts": counts.get("pioneer_posts", 0),
    }
