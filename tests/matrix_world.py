"""The objects and identities of the permission matrix (tests/test_permission_matrix.py).

Every object a URL names is taken from 秀峰区 in the demo city; the outsiders
are people and keys of 七星区. The markers are strings and links that belong
to 秀峰区 alone: none of them may reach an outsider.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from contracts.models import (
    AwardEntry,
    AwardList,
    BoardPublication,
    CoBuildingUnit,
    Commitment,
    Contract,
    Evaluation,
    Progress,
    QuarterlyTally,
)
from dashboards.services import api_key_issue
from grids.models import GridUnit, Post, User
from issues.models import DeadlineExtension, HandlerKind, Issue, IssueCategory, IssuePhoto, IssueTask, Notification
from open311.services import open311_client_issue
from service_centers.models import ServicePoint
from volunteers.models import Activity, ActivitySignup, LedgerAccount, ServiceRecord, Team, TeamMember, Volunteer

ANON, WORKER, DISTRICT, APIKEY, OWNER = "anonymous", "qixing_worker", "qixing_district", "qixing_api_key", "owner"
IDENTITIES = (ANON, WORKER, DISTRICT, APIKEY, OWNER)
OUTSIDERS = (ANON, WORKER, DISTRICT, APIKEY)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def _point_of_kind(root: GridUnit, community: GridUnit, kind: str) -> ServicePoint:
    """A 秀峰区 point of this kind; at a small scale there may be none, so one is copied into 解东社区."""
    point = _in(ServicePoint, root).filter(kind=kind, is_active=True).first()
    if point is None:
        point = ServicePoint.objects.filter(kind=kind).order_by("pk").first()
        menu = list(point.menu.all())
        point.pk = None
        point.unit = community
        point.name = f"{community.name}{point.get_kind_display()}"
        point.save()
        point.menu.set(menu)
    return point


def _demand(root: GridUnit, issue: Issue, team: Team, activity: Activity) -> tuple[Issue, Activity]:
    """A 秀峰区 issue routed to the 秀峰区 team, with one shift; made from demo rows when the demo has none."""
    demand = _in(Issue, root).filter(handler_kind=HandlerKind.VOLUNTEER_TEAM).first()
    if demand is None:
        demand = _in(Issue, root).filter(status__in=Issue.CLOCK_STATUSES).exclude(pk=issue.pk).first()
        Issue.objects.filter(pk=demand.pk).update(
            handler_kind=HandlerKind.VOLUNTEER_TEAM,
            handler_team=team,
            **{name: None for name in Issue.HANDLER_FIELDS if name != "handler_team"},
        )
        demand.refresh_from_db()
    shift = Activity.objects.filter(issue=demand).order_by("pk").first()
    if shift is None:
        shift = Activity.objects.get(pk=activity.pk)
        shift.pk = None
        shift.issue = demand
        shift.title = f"{shift.title}（需求 #{demand.pk}）"
        shift.save()
    return demand, shift


def _in(model, root: GridUnit, unit_field: str = "unit"):
    return model.objects.filter(**{f"{unit_field}__path__startswith": root.path}).order_by("pk")


@dataclass
class World:
    """秀峰区's objects, the outsiders' credentials, and what must never leak to them."""

    xiufeng: GridUnit
    qixing: GridUnit
    qixing_district_user: User
    stats_key: str  # a statistics API key for 七星区
    open311_key: str  # an Open311 client key for a 七星区 micro-grid
    objects: dict[str, Any] = field(default_factory=dict)
    markers: list[str] = field(default_factory=list)  # 秀峰区 names and links: never shown to outsiders
    private_markers: list[str] = field(
        default_factory=list
    )  # residents' data: never shown to outsiders, even on public pages

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["objects"][name]
        except KeyError as exc:
            raise AttributeError(name) from exc

    def client(self, identity: str, owner: str | None = None) -> Client:
        if identity == ANON:
            return Client()
        if identity == APIKEY:
            # Each API reads its own header: the statistics key as Authorization, Open311's as X-Api-Key.
            return Client(HTTP_AUTHORIZATION=f"Api-Key {self.stats_key}", HTTP_X_API_KEY=self.open311_key)
        client = Client()
        if identity == WORKER:
            client.force_login(User.objects.get(username="qixing_worker"))
        elif identity == DISTRICT:
            client.force_login(self.qixing_district_user)
        else:
            client.force_login(User.objects.get(username=owner))
        return client


def build_world() -> World:
    xiufeng = GridUnit.objects.get(level=GridUnit.Level.DISTRICT, name="秀峰区")
    qixing = GridUnit.objects.get(level=GridUnit.Level.DISTRICT, name="七星区")
    district_user = (
        User.objects.filter(posts__role=Post.Role.DISTRICT_STAFF, posts__unit=qixing).order_by("username").first()
    )
    expires = timezone.now() + timedelta(days=1)
    _key, stats_key = api_key_issue(name="matrix 七星区", unit=qixing, expires_at=expires, created_by=None)
    qixing_area = GridUnit.objects.filter(level=GridUnit.Level.AREA, path__startswith=qixing.path).earliest("path")
    _client, open311_key = open311_client_issue(name="matrix 七星区", unit=qixing_area, created_by=None)
    world = World(
        xiufeng=xiufeng,
        qixing=qixing,
        qixing_district_user=district_user,
        stats_key=stats_key,
        open311_key=open311_key,
    )
    o = world.objects
    x = xiufeng
    admin = User.objects.get(username="admin")

    # Grids: a unit, an issue (with a photo), a sub-task, an extension, a notification.
    o["community"] = GridUnit.objects.filter(level=GridUnit.Level.COMMUNITY, path__startswith=x.path).earliest("path")
    o["compound"] = GridUnit.objects.filter(level=GridUnit.Level.COMPOUND, path__startswith=x.path).earliest("path")
    o["issue"] = _in(Issue, x).filter(status__in=Issue.OPEN_STATUSES).first() or _in(Issue, x).first()
    photo = IssuePhoto(issue=o["issue"], uploaded_by=admin)
    photo.image.save("matrix.png", ContentFile(_png()), save=False)
    photo.save()
    o["photo"] = photo
    o["task"] = IssueTask.objects.filter(issue__unit__path__startswith=x.path).order_by("pk").first()
    o["extension"] = DeadlineExtension.objects.filter(issue__unit__path__startswith=x.path).order_by("pk").first()
    o["notification"] = (
        Notification.objects.filter(issue__unit__path__startswith=x.path).select_related("recipient").order_by("pk")
    ).first()
    o["category"] = IssueCategory.objects.order_by("pk").first()

    # Volunteers: a team with a member, an activity with a sign-up, a record, an account.
    o["team"] = _in(Team, x).first()
    o["member"] = TeamMember.objects.filter(team=o["team"]).order_by("pk").first()
    o["volunteer"] = _in(Volunteer, x).first()
    o["activity"] = _in(Activity, x).first()
    o["signup"] = ActivitySignup.objects.filter(activity__unit__path__startswith=x.path).order_by("pk").first()
    o["record"] = _in(ServiceRecord, x).first()
    o["demand"], o["shift"] = _demand(x, o["issue"], o["team"], o["activity"])
    o["account"] = _in(LedgerAccount, x, "volunteer__unit").first()

    # Service points: one of each kind the staff pages distinguish.
    points = _in(ServicePoint, x).filter(is_active=True)
    o["point"] = points.first()
    o["red_station"] = _point_of_kind(x, o["community"], ServicePoint.Kind.RED_STATION)
    o["workstation"] = _point_of_kind(x, o["community"], ServicePoint.Kind.WORKSTATION)

    # Contracts: a contract with a commitment, a progress report with evidence, tallies, board, awards.
    o["contract"] = _in(Contract, x, "community").first()
    o["commitment"] = Commitment.objects.filter(contract=o["contract"]).order_by("pk").first()
    progress = Progress.objects.filter(commitment__contract__community__path__startswith=x.path).order_by("pk").first()
    progress.evidence_file.save("matrix.png", ContentFile(_png()), save=False)
    progress.evidence_name = "matrix.png"
    progress.save(update_fields=["evidence_file", "evidence_name"])
    o["progress"] = progress
    evaluations = Evaluation.objects.filter(contract__community__path__startswith=x.path).order_by("pk")
    o["evaluation"] = evaluations.exclude(stage=Evaluation.Stage.DONE).first() or evaluations.first()
    # A unit based in 秀峰区 without a contract in 七星区 (one with such a contract is readable there, by design).
    units = CoBuildingUnit.objects.filter(district=x).order_by("pk")
    o["cobuilding_unit"] = (
        units.exclude(pk__in=Contract.objects.filter(community__path__startswith=qixing.path).values("unit")).first()
        or units.first()
    )
    o["tally"] = _in(QuarterlyTally, x).first()
    o["publication"] = _in(BoardPublication, x, "community").first()
    o["award_list"] = AwardList.objects.filter(district=x).order_by("pk").first()
    o["award_entry"] = AwardEntry.objects.filter(award_list__district=x).order_by("pk").first()
    missing = sorted(name for name, value in o.items() if value is None)
    assert not missing, f"the demo city has no 秀峰区 object for {missing}"

    world.markers, world.private_markers = _markers(world)
    world.team_names = sorted(Team.objects.values_list("name", flat=True), key=len, reverse=True)
    return world


def _unique(values: set[str], others: set[str]) -> list[str]:
    return sorted(v for v in values if v and len(v) >= 4 and v not in others)


def _markers(w: World) -> tuple[list[str], list[str]]:
    """Strings that name 秀峰区 rows and no row elsewhere, and links to 秀峰区 objects; residents' data apart."""
    x = w.xiufeng.path
    issues = Issue.objects.filter(unit__path__startswith=x)
    elsewhere = Issue.objects.exclude(unit__path__startswith=x)
    private = _unique(
        set(issues.values_list("resident_phone", flat=True)) | set(issues.values_list("resident_name", flat=True)),
        set(elsewhere.values_list("resident_phone", flat=True))
        | set(elsewhere.values_list("resident_name", flat=True)),
    )
    private += [
        text[:24]
        for text in _unique(
            set(issues.values_list("description", flat=True)), set(elsewhere.values_list("description", flat=True))
        )
    ]
    names = _unique(
        set(Activity.objects.filter(unit__path__startswith=x).values_list("title", flat=True))
        | set(
            GridUnit.objects.filter(path__startswith=x, level=GridUnit.Level.COMMUNITY).values_list("name", flat=True)
        ),
        set(Activity.objects.exclude(unit__path__startswith=x).values_list("title", flat=True))
        | set(GridUnit.objects.exclude(path__startswith=x).values_list("name", flat=True)),
    )
    o = w.objects
    links = [
        reverse("issues:issue_detail", args=[o["issue"].pk]),
        reverse("volunteers:team_detail", args=[o["team"].pk]),
        reverse("volunteers:activity_detail", args=[o["activity"].pk]),
        reverse("volunteers:record_detail", args=[o["record"].pk]),
        reverse("contracts:contract_detail", args=[o["contract"].pk]),
        reverse("service_centers:point_detail", args=[o["point"].pk]),
        reverse("dashboards:unit", args=[w.xiufeng.pk]),
    ]
    return names + links, private
