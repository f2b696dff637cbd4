"""The permission matrix: every URL the resolver knows, requested as every kind of outsider.

Each URL name maps to the designed answer for five identities (tests/matrix_world.py):
anonymous, a grid worker of 七星区, district staff of 七星区, a 七星区 API key
(statistics key as `Authorization: Api-Key`, Open311 key as `X-Api-Key`), and the
rightful owner. Objects in the URL are 秀峰区's. Every cell checks the exact
status (log-in redirect, 404, 403, 401, 200...), that nothing 秀峰区-only is in
a body an outsider receives, and, for outsiders' writes, that nothing changed.
A URL the resolver knows and the matrix does not fails `test_every_url_is_in_the_matrix`.

The Django admin is one group (namespace "admin"): its index and, for each
registered model, the changelist, add and change views.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.db.models import Q
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token

from command_centre.models import ScreenLink
from command_centre.services import screen_link_create
from contracts.access import can_act_at_stage
from contracts.models import CoBuildingUnitContact, Commitment, Contract, Evaluation, Progress, QuarterlyTally
from grids.models import GridUnit, Post, User
from grids.viewer import Viewer
from issues.models import DeadlineExtension, Issue
from open311.services import open311_client_issue
from service_centers.models import StarRating
from tests.matrix_world import ANON, APIKEY, DISTRICT, IDENTITIES, OUTSIDERS, OWNER, WORKER, World, build_world
from tests.people.matrix_objects import JOB, PERSON, POST
from volunteers.models import Activity, ActivitySignup, ServiceRecord, Team, TeamMember, Volunteer

pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------------------
# The vocabulary of answers
# ---------------------------------------------------------------------------
LOGIN = "302 to the log-in page"
LOGGED_OUT = "302 to the log-in page, logged out"
ADMIN_LOGIN = "302 to the admin log-in page"
BACK = "302 back to a page of the portal (no change)"
REACHED = "reaches the view: 200, 201, 204, 302, 400 or 409"
REACHED_CODES = {200, 201, 204, 302, 400, 409}

Kwargs = Callable[[World], dict[str, Any]]
NO_KWARGS: Kwargs = lambda w: {}  # noqa: E731


@dataclass(frozen=True)
class Cell:
    """One URL, one method: the designed answer for each identity."""

    expect: dict[str, int | str]
    kwargs: Kwargs = NO_KWARGS
    method: str = "GET"
    owner: str | Callable[[World], Any] = "xiufeng_district"  # a username, or world -> User or Client
    query: Callable[[World], dict[str, Any]] | None = None
    data: Callable[[World], dict[str, Any]] | None = None  # a body naming 秀峰区 objects (default: empty)
    ids: Callable[[World], set[int]] | None = None  # 秀峰区 ids of a JSON list's rows: none may be listed
    # Rows may name a place in 秀峰区 by design (a 七星区 team's service there is also its team's record):
    # place names may show; residents' data and rows wholly in 秀峰区 may not.
    spans_districts: bool = False
    public: bool = False  # shows 秀峰区 rows to anyone by design (the board, the directory, Open311 services)


def _with(expect: dict[str, int | str], **overrides: int | str | None) -> dict[str, int | str]:
    merged = dict(expect)
    for identity, status in overrides.items():
        key = {"anon": ANON, "worker": WORKER, "district": DISTRICT, "apikey": APIKEY, "owner_gets": OWNER}[identity]
        if status is None:
            merged.pop(key, None)
        else:
            merged[key] = status
    return merged


def page(kwargs: Kwargs = NO_KWARGS, *, method: str = "GET", **kw: Any) -> Cell:
    """A page behind log-in that each logged-in person may open (it shows their own jurisdiction)."""
    overrides = {k: kw.pop(k) for k in ("anon", "worker", "district", "apikey", "owner_gets") if k in kw}
    expect = _with({ANON: LOGIN, WORKER: 200, DISTRICT: 200, APIKEY: LOGIN, OWNER: 200}, **overrides)
    return Cell(expect=expect, kwargs=kwargs, method=method, **kw)


def obj_page(kwargs: Kwargs, **kw: Any) -> Cell:
    """A page about one 秀峰区 object: outsiders get a 404, never a hint that it exists."""
    kw.setdefault("worker", 404)
    kw.setdefault("district", 404)
    return page(kwargs, **kw)


def obj_post(kwargs: Kwargs, **kw: Any) -> Cell:
    """A form POST about one 秀峰区 object (sent empty): 404 to outsiders; the owner reaches the view."""
    kw.setdefault("owner_gets", REACHED)
    return obj_page(kwargs, method="POST", **kw)


def own_post(**kw: Any) -> Cell:
    """A POST about the caller's own things (no object in the URL): an empty form bounces back, changing nothing."""
    kw.setdefault("worker", BACK)
    kw.setdefault("district", BACK)
    kw.setdefault("owner_gets", REACHED)
    return page(method="POST", **kw)


def public(kwargs: Kwargs = NO_KWARGS, **kw: Any) -> Cell:
    """A public page or read: everyone gets it."""
    status = kw.pop("status", 200)
    return Cell(expect=dict.fromkeys(IDENTITIES, status), kwargs=kwargs, public=True, **kw)


def api(kwargs: Kwargs = NO_KWARGS, *, method: str = "GET", **kw: Any) -> Cell:
    """An API endpoint for people (session or token): no key, no entry (403: session authentication answers)."""
    overrides = {k: kw.pop(k) for k in ("anon", "worker", "district", "apikey", "owner_gets") if k in kw}
    default_owner = 200 if method == "GET" else REACHED
    expect = _with({ANON: 403, WORKER: 200, DISTRICT: 200, APIKEY: 403, OWNER: default_owner}, **overrides)
    return Cell(expect=expect, kwargs=kwargs, method=method, **kw)


def api_obj(kwargs: Kwargs, *, method: str = "GET", **kw: Any) -> Cell:
    """An API endpoint about one 秀峰区 object: 404 to people outside."""
    kw.setdefault("worker", 404)
    kw.setdefault("district", 404)
    return api(kwargs, method=method, **kw)


def api_public(kwargs: Kwargs = NO_KWARGS, **kw: Any) -> Cell:
    return public(kwargs, **kw)


def ids_of(model, path_field: str = "unit__path") -> Callable[[World], set[int]]:
    """The ids of the model's 秀峰区 rows."""
    return lambda w: set(
        model.objects.filter(**{f"{path_field}__startswith": w.xiufeng.path}).values_list("pk", flat=True)
    )


def records_wholly_in_xiufeng(w: World) -> set[int]:
    """Service records done in 秀峰区 by a 秀峰区 team or by no team (a 七星区 team's are 七星区's as well)."""
    path = w.xiufeng.path
    return set(
        ServiceRecord.objects.filter(unit__path__startswith=path)
        .filter(Q(team__isnull=True) | Q(team__unit__path__startswith=path))
        .values_list("pk", flat=True)
    )


def listing(ids: Callable[[World], set[int]], query=None, **kw: Any) -> tuple[Cell, ...]:
    """A JSON list for people: as it comes, and filtered to 秀峰区 if it has such a filter; no 秀峰区 row either way."""
    cells = [api(ids=ids, **kw)]
    if query is not None:
        cells.append(api(ids=ids, query=query, **kw))
    return tuple(cells)


def stats() -> Cell:
    """Statistics: people and API keys; asking for 秀峰区 from elsewhere is a 404."""
    return Cell(
        expect={ANON: 401, WORKER: 404, DISTRICT: 404, APIKEY: 404, OWNER: 200},
        query=lambda w: {"unit": w.xiufeng.pk},
    )


def people_only_in_xiufeng(w: World) -> set[int]:
    """People whose posts are all in 秀峰区 (the people API of another district must not list them)."""
    inside = Post.terms.filter(unit__path__startswith=w.xiufeng.path).values_list("user_id", flat=True)
    outside = Post.terms.exclude(unit__path__startswith=w.xiufeng.path).values_list("user_id", flat=True)
    return set(inside) - set(outside)


def admin_user(w: World) -> User:
    return User.objects.get(username="admin")


# ---------------------------------------------------------------------------
# Owners who are not xiufeng_district
# ---------------------------------------------------------------------------
def community_staff_of(unit_attr: str) -> Callable[[World], User]:
    def get(w: World) -> User:
        unit = getattr(w, unit_attr)
        unit = unit.community if hasattr(unit, "community") else unit
        return User.objects.filter(posts__role=Post.Role.COMMUNITY_STAFF, posts__unit=unit).order_by("pk").first()

    return get


def contract_contact(w: World) -> User:
    """The co-building unit's contact person for the 秀峰区 contract."""
    return CoBuildingUnitContact.objects.filter(unit_id=w.contract.unit_id).select_related("user").first().user


def evaluation_actor(w: World) -> User:
    """Whoever holds the role of the 秀峰区 evaluation's waiting stage."""
    contract = w.evaluation.contract
    paths = [contract.community.path[:end] for end in range(8, len(contract.community.path) + 1, 4)]
    candidates = User.objects.filter(
        Q(posts__unit__path__in=paths) | Q(cobuilding_contacts__unit_id=contract.unit_id)
    ).distinct()
    return next(user for user in candidates if can_act_at_stage(Viewer.for_user(user), contract, w.evaluation.stage))


def team_leader(w: World) -> User:
    return TeamMember.objects.get(team=w.team, role=TeamMember.Role.LEADER, left_on__isnull=True).volunteer.user


def account_holder(w: World) -> User:
    return w.account.volunteer.user


def staged_photo(w: World):
    """A photo staged on the log form by the 秀峰区 district account (only its owner reads it)."""
    if "staged_photo" not in w.objects:
        from django.core.files.base import ContentFile

        from issues.models import StagedPhoto

        w.objects["staged_photo"] = StagedPhoto.objects.create(
            owner=User.objects.get(username="xiufeng_worker"), image=ContentFile(b"staged", name="m.jpg")
        )
    return w.objects["staged_photo"]


def staged_owner(w: World) -> User:
    return staged_photo(w).owner


def red_tap(w: World) -> dict[str, Any]:
    """A tap just logged at the 秀峰区 red station by the district account (within the undo window)."""
    if "red_tap" not in w.objects:
        from django.utils import timezone

        from service_centers.models import RedStationService

        now = timezone.now()
        w.objects["red_tap"] = RedStationService.objects.create(
            point=w.red_station,
            service_kind=w.red_station.menu.first(),
            served_at=now,
            logged_by=User.objects.get(username="xiufeng_district"),
            logged_at=now,
        )
    return {"pk": w.red_station.pk, "entry_pk": w.objects["red_tap"].pk}


def notification_recipient(w: World) -> User:
    return w.notification.recipient


def open311_owner(w: World) -> Client:
    """An Open311 key for the micro-grid that holds the 秀峰区 issue."""
    area = GridUnit.objects.filter(
        level=GridUnit.Level.AREA, path__in=[w.issue.unit.path[:end] for end in range(4, 32, 4)]
    ).first()
    _client, key = open311_client_issue(name="matrix 秀峰区", unit=area, created_by=None)
    return Client(HTTP_X_API_KEY=key)


def own_token_prefix(w: World) -> dict[str, Any]:
    """The first characters of xiufeng_district's API token, which only they may revoke."""
    user = User.objects.get(username="xiufeng_district")
    return {"prefix": Token.objects.get_or_create(user=user)[0].key[:8]}


def stats_owner(w: World) -> User:
    return User.objects.get(username="xiufeng_district")


def screen_link(w: World) -> ScreenLink:
    """A live screen link of 秀峰区, made by its district staff (once per world)."""
    if "screen_link" not in w.objects:
        staff = Viewer.for_user(User.objects.get(username="xiufeng_district"))
        w.objects["screen_link"], w.screen_token = screen_link_create(viewer=staff, unit=w.xiufeng, name="matrix 大屏")
    return w.objects["screen_link"]


def screen_token(w: World) -> dict[str, Any]:
    screen_link(w)
    return {"token": w.screen_token}


def unknown_screen_token(w: World) -> dict[str, Any]:
    prefix, _dot, secret = screen_token(w)["token"].partition(".")
    return {"token": f"{prefix}.{secret[::-1]}"}


def _party(w: World, name: str, make):
    if name not in w.objects:
        w.objects[name] = make()
    return w.objects[name]


def party_org(w: World) -> dict[str, Any]:
    """A 秀峰区 party organisation: the committee of a 秀峰区 community."""
    from party.models import PartyOrganisation

    org = _party(
        w,
        "party_org",
        lambda: (
            PartyOrganisation.objects.filter(
                unit__path__startswith=w.xiufeng.path, kind="committee", sector="community"
            )
            .order_by("pk")
            .first()
        ),
    )
    return {"pk": org.pk}


def party_member(w: World) -> dict[str, Any]:
    from party.models import PartyMember

    member = _party(
        w, "party_member", lambda: PartyMember.objects.create(organisation_id=party_org(w)["pk"], name="秀峰测试党员")
    )
    return {"pk": member.organisation_id, "member_pk": member.pk}


def party_meeting(w: World) -> dict[str, Any]:
    import datetime as dt

    from party.models import Meeting

    def make():
        day = dt.date(2026, 1, 15)
        return Meeting.objects.create(
            organisation_id=party_org(w)["pk"],
            kind="committee",
            held_on=day,
            topic="秀峰测试会议",
            period_start=dt.date(2026, 1, 1),
            due_on=dt.date(2026, 1, 31),
        )

    return {"pk": _party(w, "party_meeting", make).pk}


def party_meeting_photo(w: World) -> dict[str, Any]:
    from django.core.files.base import ContentFile

    from party.models import MeetingPhoto

    photo = _party(
        w,
        "party_meeting_photo",
        lambda: MeetingPhoto.objects.create(
            meeting_id=party_meeting(w)["pk"], image=ContentFile(b"photo", name="m.png")
        ),
    )
    return {"pk": photo.pk}


def party_brand(w: World) -> dict[str, Any]:
    from party.models import Brand

    brand = _party(
        w,
        "party_brand",
        lambda: Brand.objects.create(
            name="秀峰测试品牌",
            organisation_id=party_org(w)["pk"],
            sector="community",
            unit=w.xiufeng,
            year=2025,
            is_public=False,
        ),
    )
    return {"kind": "brand", "pk": brand.pk}


def party_brand_photo(w: World, public: bool = False) -> dict[str, Any]:
    from django.core.files.base import ContentFile

    from party.models import Brand, BrandPhoto

    def make():
        brand = Brand.objects.get(pk=party_brand(w)["pk"])
        if public:
            brand = Brand.objects.create(
                name="公开测试品牌", organisation=brand.organisation, sector="health", unit=w.xiufeng, year=2024
            )
        return BrandPhoto.objects.create(brand=brand, image=ContentFile(b"photo", name="b.png"))

    photo = _party(w, "party_public_photo" if public else "party_brand_photo", make)
    return {"pk": photo.pk}


def renovation(w: World) -> dict[str, Any]:
    """A 秀峰区 renovation project (at a small scale there may be none: one is made in 解东社区)."""
    if "renovation" not in w.objects:
        from renovation.models import Project

        project = Project.objects.filter(unit__path__startswith=w.xiufeng.path).order_by("pk").first()
        if project is None:
            community = GridUnit.objects.get(name="解东社区")
            project = Project.objects.create(kind="urban_village", unit=community, name="解东社区改造", scope="矩阵")
        w.objects["renovation"] = project
    return {"pk": w.objects["renovation"].pk}


def renovation_photo(w: World) -> dict[str, Any]:
    """A before photo of the 秀峰区 renovation project."""
    if "renovation_photo" not in w.objects:
        from django.core.files.base import ContentFile

        from renovation.models import Photo

        project_pk = renovation(w)["pk"]
        w.objects["renovation_photo"] = Photo.objects.create(
            project_id=project_pk, stage="before", image=ContentFile(b"photo", name="r.png")
        )
    return {"pk": w.objects["renovation_photo"].pk}


# Shorthands for the kwargs of each URL.
def pk(attr: str, name: str = "pk") -> Kwargs:
    return lambda w: {name: getattr(w, attr).pk}


ISSUE, TEAM, ACTIVITY, RECORD, CONTRACT = pk("issue"), pk("team"), pk("activity"), pk("record"), pk("contract")
POINT, WORKSTATION, RED_STATION = pk("point"), pk("workstation"), pk("red_station")
DISTRICT_UNIT: Kwargs = lambda w: {"pk": w.xiufeng.pk}  # noqa: E731
JSON = {"format": "json"}


def progress_kwargs(w: World) -> dict[str, Any]:
    p = w.progress
    return {"pk": p.commitment.contract_id, "commitment_pk": p.commitment_id, "year": p.year, "quarter": p.quarter}


def board_kwargs(w: World) -> dict[str, Any]:
    p = w.publication
    return {"community_pk": p.community_id, "year": p.year, "quarter": p.quarter}


def board_kwargs_as_form(w: World) -> dict[str, Any]:
    p = w.publication
    return {"community": p.community_id, "year": p.year, "quarter": p.quarter}


# ---------------------------------------------------------------------------
# The matrix
# ---------------------------------------------------------------------------
MATRIX: dict[str, Cell | tuple[Cell, ...]] = {
    # Accounts, language, operations, schema
    "login": (
        Cell(expect={ANON: 200, WORKER: BACK, DISTRICT: BACK, APIKEY: 200, OWNER: BACK}, public=True),
        Cell(expect={ANON: 200, WORKER: BACK, DISTRICT: BACK, APIKEY: 200}, method="POST", public=True),
    ),
    "logout": Cell(expect=dict.fromkeys(IDENTITIES, LOGGED_OUT), method="POST", public=True),
    "otp_setup": page(),
    "otp_verify": (page(), page(method="POST")),
    # API tokens: one's own only; someone else's token prefix is "not found".
    "api_tokens": (page(), own_post()),
    "api_token_list": (api(), api(method="POST", worker=201, district=201)),
    "api_token_detail": api_obj(own_token_prefix, method="DELETE"),
    "set_language": Cell(expect=dict.fromkeys(IDENTITIES, BACK), method="POST", public=True),
    # No broker: tasks are eager and the check says so (200). With a broker and no worker up yet
    # (worker tests run last), the honest answer is 503.
    "healthz": public(status=503 if settings.CELERY_BROKER_URL else 200),
    "healthz_live": public(),
    "healthz_ready": public(status=503 if settings.CELERY_BROKER_URL else 200),
    "metrics": Cell(expect={**dict.fromkeys(OUTSIDERS, 404), OWNER: 200}, owner=lambda w: "metrics"),
    "schema": public(),
    "api_docs": public(),
    "api_redoc": public(),
    # Grids: the tree, issues, notifications
    # The workbench: each person's cards; visitors (and an API key, which is nobody on a page) get the public landing.
    "workbench:home": public(),
    # The field app (workbench/pwa.py): the worker script, the manifest and the offline page are the same for
    # everyone; the session probe answers who the caller is (nobody for a key); the queue page is the caller's own.
    "workbench:service_worker": public(),
    "workbench:manifest": public(),
    "workbench:app_session": public(),
    "workbench:app_offline": public(),
    "workbench:app_queue": page(owner="xiufeng_worker"),
    "grids:unit_detail": obj_page(pk("community")),
    # The maps' JSON (grids/views/maps.py): a 秀峰区 unit's map is a 404 outside; locate answers only the caller's grids.
    "grids:unit_map": obj_page(pk("community"), query=lambda w: {"level": 5, "zoom": 14}),
    "grids:locate": page(query=lambda w: {"lat": "25.28", "lng": "110.28"}, owner="xiufeng_worker"),
    "issues:issue_create": (
        page(owner="xiufeng_worker"),
        page(method="POST", owner="xiufeng_worker", worker=200, district=200),
    ),
    "issues:issue_similar": page(query=lambda w: {"unit": w.issue.unit_id, "category": w.issue.category_id}),
    "issues:issue_mine": page(owner="xiufeng_worker"),
    "issues:issue_inbox": page(),
    "issues:issue_bulk_assign": own_post(),
    "issues:issue_supervision": page(),
    "issues:issue_export": page(),
    "issues:issue_detail": obj_page(ISSUE),
    "issues:issue_action": obj_post(lambda w: {"pk": w.issue.pk, "action": "progress"}),
    "issues:issue_photo": obj_page(lambda w: {"pk": w.issue.pk, "photo_pk": w.photo.pk}),
    "issues:task_complete": obj_post(pk("task"), owner=admin_user),
    "issues:extension_decide": obj_post(pk("extension")),
    "issues:notification_list": page(),
    # A photo staged on the log form: its owner only (404 for everyone else, the district included).
    "issues:staged_photo": obj_page(lambda w: {"token": staged_photo(w).token}, owner=staged_owner),
    "issues:notifications_read_all": own_post(),
    # Someone else's notification is "not found" by the service: back to one's own list, nothing marked.
    "issues:notification_open": own_post(kwargs=pk("notification"), owner=notification_recipient),
    # Volunteers
    "volunteers:home": page(),
    "volunteers:team_list": page(),
    "volunteers:team_detail": obj_page(TEAM),
    "volunteers:team_member_add": obj_post(TEAM),
    "volunteers:team_member_remove": obj_post(lambda w: {"pk": w.team.pk, "member_pk": w.member.pk}),
    "volunteers:team_member_role": obj_post(lambda w: {"pk": w.team.pk, "member_pk": w.member.pk}),
    "volunteers:team_inbox": obj_page(TEAM),
    "volunteers:demand_detail": obj_page(pk("demand")),
    "volunteers:demand_accept": obj_post(pk("demand"), owner=team_leader),
    "volunteers:demand_decompose": obj_post(pk("demand"), owner=team_leader),
    "volunteers:demand_record": obj_post(pk("demand"), owner=team_leader),
    "volunteers:demand_shift_complete": obj_post(
        lambda w: {"pk": w.demand.pk, "activity_pk": w.shift.pk}, owner=team_leader
    ),
    "volunteers:activity_list": page(),
    "volunteers:activity_create": (
        obj_page(query=lambda w: {"team": w.team.pk}, kwargs=NO_KWARGS, owner="xiufeng_team_leader"),
        obj_page(query=lambda w: {"team": w.team.pk}, kwargs=NO_KWARGS, method="POST", owner="xiufeng_team_leader"),
    ),
    "volunteers:activity_detail": obj_page(ACTIVITY),
    "volunteers:activity_signup": obj_post(ACTIVITY),
    "volunteers:activity_cancel": obj_post(ACTIVITY),
    "volunteers:activity_verify_all": obj_post(ACTIVITY),
    "volunteers:signup_action": obj_post(lambda w: {"pk": w.signup.pk, "action": "check-in"}),
    "volunteers:record_list": page(),
    "volunteers:record_create": (
        obj_page(NO_KWARGS, query=lambda w: {"team": w.team.pk}, owner="xiufeng_team_leader"),
        obj_page(NO_KWARGS, query=lambda w: {"team": w.team.pk}, method="POST", owner="xiufeng_team_leader"),
    ),
    "volunteers:record_detail": obj_page(RECORD),
    "volunteers:record_verify": obj_post(RECORD),
    # Bulk verify: an empty selection bounces back to the pending records, nothing changes.
    "volunteers:records_verify_bulk": own_post(),
    "volunteers:record_reject": obj_post(RECORD),
    "volunteers:record_reverse": obj_post(RECORD),
    "volunteers:my_hours": page(owner="organ_member"),
    "volunteers:my_transfer": own_post(owner="organ_member"),
    "volunteers:account_detail": obj_page(pk("account"), owner=account_holder),
    "volunteers:account_withdraw": obj_post(pk("account"), owner=account_holder),
    "volunteers:leaderboard": page(query=lambda w: {"unit": w.xiufeng.pk}, worker=404, district=404),
    "volunteers:registration_list": page(district=BACK, owner_gets=BACK),
    "volunteers:registration_community": obj_page(pk("community")),
    # Service points: the public directory, then staff pages
    "service_centers:directory": public(),
    "service_centers:point_public": public(POINT),
    "service_centers:staff_home": page(worker=BACK, district=BACK, owner_gets=BACK),
    "service_centers:network": obj_page(pk("xiufeng", "unit_pk")),
    "service_centers:point_list": obj_page(pk("xiufeng", "unit_pk")),
    "service_centers:compliance": obj_page(pk("xiufeng", "unit_pk")),
    "service_centers:ratings": obj_page(pk("xiufeng", "unit_pk")),
    "service_centers:compound_rate": (obj_page(pk("compound", "unit_pk")), obj_post(pk("compound", "unit_pk"))),
    "service_centers:point_detail": obj_page(POINT),
    "service_centers:red_station_log": (obj_page(RED_STATION), obj_post(RED_STATION)),
    # Undo a tap: its logger, within the window (302 back to the log); outsiders never see the station.
    "service_centers:red_station_undo": obj_post(red_tap),
    "service_centers:meeting_create": (obj_page(WORKSTATION), obj_post(WORKSTATION)),
    "service_centers:activity_create": (obj_page(WORKSTATION), obj_post(WORKSTATION)),
    "service_centers:point_rate": (obj_page(POINT), obj_post(POINT)),
    # Renovation projects (改造提升): staff pages scoped like every row
    "renovation:home": page(worker=BACK, district=BACK, owner_gets=BACK),
    "renovation:project_list": obj_page(pk("xiufeng", "unit_pk")),
    "renovation:project_detail": obj_page(renovation),
    "renovation:project_progress": obj_post(renovation),
    "renovation:photo_add": obj_post(renovation),
    "renovation:photo_file": obj_page(renovation_photo),
    # Party organisations, 三会一课, brands and pioneer posts: staff pages scoped like every row
    "party:organisation_list": page(),
    "party:organisation_create": page(worker=403),
    "party:organisation_detail": obj_page(party_org),
    "party:organisation_edit": obj_page(party_org),
    "party:member_add": obj_post(party_org),
    "party:member_remove": obj_post(party_member),
    "party:meeting_create": obj_page(party_org),
    "party:owned_create": obj_page(lambda w: {**party_org(w), "kind": "post"}),
    "party:meeting_detail": obj_page(party_meeting),
    "party:meeting_photo": obj_page(party_meeting_photo),
    "party:overdue_list": page(),
    "party:timeliness": page(),
    "party:brand_photo": obj_page(party_brand_photo),
    "party:owned_list": page(lambda w: {"kind": "brand"}),
    "party:owned_detail": obj_page(party_brand),
    "party:owned_edit": obj_page(party_brand),
    "party:public_brands": public(),
    "party:public_brand_photo": public(lambda w: party_brand_photo(w, public=True)),
    # Contracts
    "contracts:contract_list": page(),
    "contracts:contract_create": (
        page(worker=403, district=403, owner="xiufeng_community"),
        page(method="POST", worker=403, district=403, owner="xiufeng_community"),
    ),
    "contracts:contract_detail": obj_page(CONTRACT),
    "contracts:demand_add": obj_post(CONTRACT),
    "contracts:resource_add": obj_post(CONTRACT),
    "contracts:commitment_create": (
        obj_page(CONTRACT, owner=community_staff_of("contract")),
        obj_post(CONTRACT, owner=community_staff_of("contract")),
    ),
    "contracts:contract_status": obj_post(
        CONTRACT, data=lambda w: {"action": "activate"}, owner=community_staff_of("contract")
    ),
    "contracts:progress_entry": (obj_page(progress_kwargs), obj_post(progress_kwargs, owner=contract_contact)),
    "contracts:evaluation_act": obj_post(
        lambda w: {"pk": w.evaluation.contract_id},
        data=lambda w: {"action": "submit", "stage": w.evaluation.stage, "score": "90"},
        owner=evaluation_actor,
    ),
    "contracts:evidence_download": obj_page(pk("progress")),
    "contracts:evaluation_inbox": page(),
    "contracts:unit_list": page(),
    "contracts:tally_overview": page(),
    "contracts:board_publish": own_post(
        data=board_kwargs_as_form, worker=404, district=404, owner=community_staff_of("publication")
    ),
    "contracts:board_index": public(),
    "contracts:board_community": public(lambda w: {"community_pk": w.publication.community_id}),
    "contracts:board_quarter": public(board_kwargs),
    "contracts:board_correct": obj_post(pk("publication"), owner=community_staff_of("publication")),
    "contracts:award_manage": page(worker=403, district=403, owner="xiufeng_orgdept"),
    "contracts:award_entry_add": own_post(
        data=lambda w: {"district": w.xiufeng.pk, "year": w.award_list.year},
        worker=404,
        district=404,
        owner="xiufeng_orgdept",
    ),
    "contracts:award_entry_remove": obj_post(pk("award_entry"), owner="xiufeng_orgdept"),
    "contracts:award_publish": obj_post(pk("award_list"), owner="xiufeng_orgdept"),
    "contracts:award_public": public(),
    # Dashboards
    "dashboards:home": page(worker=BACK, district=BACK, owner_gets=BACK),
    "dashboards:city": page(),
    "dashboards:unit": obj_page(DISTRICT_UNIT),
    "dashboards:unit_overview": obj_page(DISTRICT_UNIT),
    "dashboards:table_export": obj_page(lambda w: {"pk": w.xiufeng.pk, "name": "issue_children", "fmt": "csv"}),
    "dashboards:issues": obj_page(DISTRICT_UNIT),
    "dashboards:issues_export": obj_page(DISTRICT_UNIT),
    "dashboards:issues_map_points": obj_page(DISTRICT_UNIT),
    # The command-centre screen: staff of the district (and above) make and revoke links; the link itself is
    # the key of a display with nobody logged in (秀峰区's figures by design, never a resident's data).
    "command_centre:link_list": (
        page(worker=403),
        page(method="POST", worker=403, district=REACHED, owner_gets=REACHED),
    ),
    "command_centre:link_revoke": obj_post(lambda w: {"pk": screen_link(w).pk}),
    "command_centre:screen": (public(screen_token), public(unknown_screen_token, status=404)),
    "command_centre:screen_data": (public(screen_token), public(unknown_screen_token, status=404)),
    # Audit history: staff only (a grid worker's post gives none); an object outside the jurisdiction is a 404
    # People pages and spreadsheet import (issue 20): staff only (a grid worker gets 403); a 秀峰区 person,
    # post or import job is a 404 to everyone outside; a district's staff see and export only their own.
    "people:person_list": page(worker=403),
    "people:person_create": (page(worker=403), page(method="POST", worker=403, district=400, owner_gets=400)),
    "people:person_detail": obj_page(PERSON),
    "people:post_add": obj_post(PERSON),
    "people:person_send_link": obj_post(PERSON),
    "people:person_lock": obj_post(PERSON),
    "people:post_move": obj_post(POST),
    "people:post_retire": (obj_page(POST), obj_post(POST)),
    "people:activate": public(lambda w: {"token": "not-a-token"}, status=404),
    "imports:job_list": (page(worker=403), page(method="POST", worker=403, district=400, owner_gets=400)),
    "imports:job_detail": obj_page(JOB),
    "imports:job_status": obj_page(JOB),
    "imports:job_apply": obj_post(JOB),
    "imports:job_resend": obj_post(JOB),
    "imports:job_report": obj_page(JOB),
    "imports:template_download": page(lambda w: {"kind": "people", "fmt": "csv"}, worker=403),
    "imports:export_download": page(lambda w: {"kind": "grid_tree", "fmt": "csv"}, worker=403),
    "imports:boundary_export": page(worker=403),
    # The people and import API: staff only (a grid worker: 403 on lists, 404 on objects), 秀峰区's are 404.
    "person-list": (
        api(worker=403, ids=people_only_in_xiufeng),
        api(method="POST", worker=403, district=400, owner_gets=400),
    ),
    "person-detail": api_obj(PERSON),
    "person-posts": api_obj(PERSON, method="POST"),
    "person-activation-link": api_obj(PERSON, method="POST"),
    "person-lock": api_obj(PERSON, method="POST"),
    "people-post-detail": api_obj(POST),
    "people-post-move": api_obj(POST, method="POST"),
    "people-post-retire": api_obj(POST, method="POST"),
    "import-kind-list": api(worker=403),
    "import-job-list": (api(worker=403), api(method="POST", worker=403, district=400, owner_gets=400)),
    "import-job-detail": api_obj(JOB),
    "import-job-progress": api_obj(JOB),
    "import-job-apply": api_obj(JOB, method="POST"),
    "import-job-report": api_obj(JOB),
    "audit:home": page(worker=403),
    "audit:list": page(lambda w: {"kind": "issues"}, worker=403),
    "audit:object": obj_page(lambda w: {"kind": "issues", "pk": w.issue.pk}, worker=403),
    # Open311 GeoReport v2: public service list; requests need the key of the micro-grid
    "open311:discovery": public(lambda w: JSON),
    "open311:services": public(lambda w: JSON),
    "open311:service": public(lambda w: {"service_code": w.category.code, **JSON}),
    "open311:requests": (
        Cell(
            expect={ANON: 403, WORKER: 403, DISTRICT: 403, APIKEY: 200, OWNER: 200},
            kwargs=lambda w: JSON,
            owner=open311_owner,
        ),
        Cell(
            expect={ANON: 403, WORKER: 403, DISTRICT: 403, APIKEY: 400, OWNER: 400},
            kwargs=lambda w: JSON,
            method="POST",
            owner=open311_owner,
        ),
    ),
    "open311:request": Cell(
        expect={ANON: 403, WORKER: 403, DISTRICT: 403, APIKEY: 404, OWNER: 200},
        kwargs=lambda w: {"pk": w.issue.pk, **JSON},
        owner=open311_owner,
    ),
    # A request's photo (its media_url): the key of the issue's micro-grid only
    "open311:request_media": Cell(
        expect={ANON: 403, WORKER: 403, DISTRICT: 403, APIKEY: 404, OWNER: 200},
        kwargs=lambda w: {"pk": w.issue.pk, "photo_pk": w.photo.pk},
        owner=open311_owner,
    ),
    # Anything else under /open311/v2/: the spec's 404 error list, for everyone
    "open311:not_found": (
        public(lambda w: {"rest": f"tokens/{w.issue.pk}", "format": "json"}, status=404),
        public(lambda w: {"rest": f"requests/{w.issue.pk}/x", "format": "xml"}, method="POST", status=404),
    ),
    # API: grids
    "unit-list": listing(ids_of(GridUnit, "path"), query=lambda w: {"within": w.xiufeng.pk}),
    "unit-detail": api_obj(pk("community")),
    "issue-list": (
        *listing(ids_of(Issue), query=lambda w: {"unit": w.xiufeng.pk}),
        api(method="POST", worker=400, district=400),
    ),
    "issue-detail": api_obj(ISSUE),
    "issue-events": api_obj(ISSUE),
    "issue-tasks": api_obj(ISSUE),
    "issue-task-handlers": api_obj(ISSUE),
    "issue-photo-file": api_obj(lambda w: {"pk": w.issue.pk, "photo_pk": w.photo.pk}),
    **{
        f"issue-{action}": api_obj(ISSUE, method="POST", owner=admin_user)
        for action in (
            "accept",
            "add-photo",
            "assign",
            "decompose",
            "escalate",
            "feedback",
            "lift",
            "progress",
            "reassign",
            "reject",
            "request-extension",
            "resolve",
            "resume",
            "suspend",
            "urge",
        )
    },
    "issue-category-list": api(),
    "issue-category-detail": api(pk("category")),
    "issue-task-detail": api_obj(pk("task")),
    "issue-task-complete": api_obj(pk("task"), method="POST", owner=admin_user),
    "issue-extension-list": listing(ids_of(DeadlineExtension, "issue__unit__path")),
    "issue-extension-decide": api_obj(pk("extension"), method="POST"),
    "notification-list": api(),
    "notification-read": api_obj(pk("notification"), method="POST", owner=notification_recipient),
    # API: volunteers
    "volunteer-leaderboard": api(query=lambda w: {"unit": w.xiufeng.pk}, worker=404, district=404),
    "volunteer-category-list": api(),
    "volunteer-category-detail": api(lambda w: {"pk": 1}),
    "volunteer-team-list": listing(ids_of(Team), query=lambda w: {"within": w.xiufeng.pk}),
    "volunteer-team-detail": api_obj(TEAM),
    "volunteer-team-members": (api_obj(TEAM), api_obj(TEAM, method="POST")),
    "volunteer-member-list": listing(ids_of(Volunteer), query=lambda w: {"team": w.team.pk}),
    "volunteer-member-detail": api_obj(pk("volunteer")),
    "volunteer-activity-list": (
        *listing(ids_of(Activity), query=lambda w: {"team": w.team.pk}),
        api(method="POST", worker=400, district=400),
    ),
    "volunteer-activity-detail": api_obj(ACTIVITY),
    "volunteer-activity-cancel": api_obj(ACTIVITY, method="POST"),
    "volunteer-activity-sign-up": api_obj(ACTIVITY, method="POST", owner=team_leader),  # a volunteer signs up
    "volunteer-activity-signups": api_obj(ACTIVITY),
    "volunteer-signup-list": listing(ids_of(ActivitySignup, "activity__unit__path")),
    "volunteer-signup-detail": api_obj(pk("signup")),
    "volunteer-signup-cancel": api_obj(pk("signup"), method="POST"),
    "volunteer-signup-check-in": api_obj(pk("signup"), method="POST"),
    "volunteer-signup-check-out": api_obj(pk("signup"), method="POST"),
    "volunteer-record-list": (
        *listing(records_wholly_in_xiufeng, query=lambda w: {"team": w.team.pk}, spans_districts=True),
        api(method="POST", worker=400, district=400),
    ),
    "volunteer-record-detail": api_obj(RECORD),
    "volunteer-record-reject": api_obj(RECORD, method="POST"),
    "volunteer-record-reverse": api_obj(RECORD, method="POST"),
    "volunteer-record-verify": api_obj(RECORD, method="POST"),
    "volunteer-account-list": api(),
    "volunteer-account-transfer": api(method="POST", worker=400, district=400),
    "volunteer-account-detail": api_obj(pk("account"), owner=account_holder),
    "volunteer-account-statement": api_obj(pk("account"), owner=account_holder),
    "volunteer-account-withdraw": api_obj(pk("account"), method="POST", owner=account_holder),
    # API: service points (the directory is public)
    "service-point-list": (
        api_public(query=lambda w: {"district": w.xiufeng.pk}),
        api(method="POST", worker=400, district=400),
    ),
    "service-point-detail": api_public(POINT),
    "service-kind-list": api_public(),
    "service-point-network": api(query=lambda w: {"unit": w.xiufeng.pk}, worker=404, district=404),
    "service-point-compliance": api(query=lambda w: {"unit": w.xiufeng.pk}, worker=404, district=404),
    "service-point-rating-list": (
        *listing(ids_of(StarRating), query=lambda w: {"unit": w.xiufeng.pk}),
        api(method="POST", worker=400, district=400),
    ),
    "service-point-manage": (api_obj(POINT), api_obj(POINT, method="PATCH")),
    "service-point-services-log": (api_obj(RED_STATION), api_obj(RED_STATION, method="POST")),
    "service-point-meetings": (api_obj(WORKSTATION), api_obj(WORKSTATION, method="POST")),
    "service-point-members": (api_obj(WORKSTATION), api_obj(WORKSTATION, method="POST")),
    "service-point-activities": (api_obj(WORKSTATION), api_obj(WORKSTATION, method="POST")),
    # API: contracts (the board and published awards are public)
    "contract-list": (
        *listing(ids_of(Contract, "community__path"), query=lambda w: {"within": w.xiufeng.pk}),
        api(method="POST", worker=400, district=400),
    ),
    "contract-detail": api_obj(CONTRACT),
    "contract-activate": api_obj(CONTRACT, method="POST", owner=community_staff_of("contract")),
    "contract-close": api_obj(CONTRACT, method="POST", owner=community_staff_of("contract")),
    # These three validate the body before they look the contract up: an empty body is a 400 for anyone
    # (no hint either way: a contract that does not exist answers the same); a valid one is a 404 outside.
    "contract-demands": api_obj(CONTRACT, method="POST", worker=400, district=400),
    "contract-resources": api_obj(CONTRACT, method="POST", worker=400, district=400),
    "contract-sign": api_obj(CONTRACT, method="POST", worker=400, district=400),
    "contracts-unit-list": api(),
    "contracts-unit-detail": api_obj(pk("cobuilding_unit")),
    "contracts-commitment-list": (
        *listing(ids_of(Commitment, "contract__community__path"), query=lambda w: {"contract": w.contract.pk}),
        api(method="POST", worker=400, district=400),
    ),
    "contracts-commitment-detail": api_obj(pk("commitment")),
    "contracts-progress-list": (
        *listing(ids_of(Progress, "commitment__contract__community__path")),
        api(method="POST", worker=400, district=400),
    ),
    "contracts-progress-detail": api_obj(pk("progress")),
    "contracts-progress-evidence": api_obj(pk("progress")),
    "contracts-evaluation-list": listing(ids_of(Evaluation, "contract__community__path")),
    "contracts-evaluation-inbox": api(),
    "contracts-evaluation-detail": api_obj(pk("evaluation")),
    "contracts-evaluation-submit": api_obj(pk("evaluation"), method="POST"),
    "contracts-evaluation-send-back": api_obj(pk("evaluation"), method="POST"),
    "contracts-tally-list": listing(ids_of(QuarterlyTally), query=lambda w: {"unit": w.xiufeng.pk}),
    "contracts-tally-detail": api_obj(pk("tally")),
    "contracts-board-list": api_public(),
    "contracts-board-detail": api_public(pk("publication")),
    "contracts-board-publish": api(
        method="POST", data=board_kwargs_as_form, worker=404, district=404, owner=community_staff_of("publication")
    ),
    "contracts-board-correct": api_obj(pk("publication"), method="POST", owner=community_staff_of("publication")),
    "contracts-award-list": api_public(),
    "contracts-award-ranking": api(
        query=lambda w: {"district": w.xiufeng.pk, "year": w.award_list.year},
        worker=404,
        district=404,
        owner="xiufeng_orgdept",
    ),
    # API: statistics
    "stats_overview": stats(),
    "stats_issues": stats(),
    "stats_volunteers": stats(),
    "stats_service_points": stats(),
    "stats_contracts": stats(),
    "stats_party": stats(),
}


def cells_of(name: str) -> tuple[Cell, ...]:
    entry = MATRIX[name]
    return entry if isinstance(entry, tuple) else (entry,)


# ---------------------------------------------------------------------------
# The resolver
# ---------------------------------------------------------------------------
@dataclass
class Route:
    name: str
    patterns: list[URLPattern] = field(default_factory=list)


def walk(resolver: URLResolver, namespace: str | None = None, prefix: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern, inner, prefix + str(pattern.pattern))
        else:
            yield namespace, prefix + str(pattern.pattern), pattern


def resolver_routes() -> tuple[dict[str, Route], list[str]]:
    """Named routes outside the admin (format-suffix twins grouped under their name), and the admin's routes."""
    routes: dict[str, Route] = {}
    admin_routes: list[str] = []
    for namespace, route, pattern in walk(get_resolver()):
        if namespace and namespace.split(":")[0] == "admin":
            admin_routes.append(route)
            continue
        name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
        routes.setdefault(name or f"<unnamed {route}>", Route(name or route)).patterns.append(pattern)
    return routes, admin_routes


def implemented_methods(pattern: URLPattern) -> set[str] | None:
    """The HTTP methods a DRF route answers (None for plain Django views, which do not say)."""
    callback = pattern.callback
    actions = getattr(callback, "actions", None)
    if actions:
        # DRF adds HEAD to a viewset's actions on its first GET: HEAD and OPTIONS are not endpoints of their own.
        return {method.upper() for method in actions} - {"HEAD", "OPTIONS"}
    view_class = getattr(callback, "cls", None)
    if view_class is not None and hasattr(view_class, "http_method_names"):
        return {
            method.upper()
            for method in view_class.http_method_names
            if method not in {"options", "head"} and hasattr(view_class, method)
        }
    return None


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------
# Tables that legitimately change on any request: sessions, the log-in and API-call logs, 2FA enrolment.
LOG_TABLES = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}
LOG_TABLE_SUFFIXES = ("statsapicall", "totpdevice", "authtoken_token")


def table_counts() -> tuple[int, ...]:
    tables = sorted(
        t
        for t in connection.introspection.django_table_names(only_existing=True, include_views=False)
        if t not in LOG_TABLES and not t.endswith(LOG_TABLE_SUFFIXES)
    )
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables))
        return tuple(cursor.fetchone())


def object_states(w: World) -> dict[str, dict[str, Any]]:
    """Every field of every 秀峰区 object the URLs name, read fresh from the database."""
    states = {}
    for name, obj in w.objects.items():
        model = type(obj)
        row = model.objects.filter(pk=obj.pk).values().first()
        states[name] = row
    return states


def body_text(response) -> str:
    content_type = response.get("Content-Type", "")
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if "spreadsheetml" in content_type:
        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for value in row
        )
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    text = content.decode("utf-8", "replace")
    if "json" in content_type:
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return text


def listed_ids(body: Any) -> set[int]:
    rows = body.get("results", []) if isinstance(body, dict) else body
    return {row["id"] for row in rows if isinstance(row, dict) and "id" in row}


def status_matches(expected: int | str, response) -> bool:
    status = response.status_code
    location = response.get("Location", "")
    if expected == LOGIN:
        return status == 302 and location.startswith(reverse("login") + "?next=")
    if expected == LOGGED_OUT:
        return status == 302 and location == reverse("login")
    if expected == ADMIN_LOGIN:
        return status == 302 and location.startswith(reverse("admin:login") + "?next=")
    if expected == BACK:
        return status == 302 and not location.startswith((reverse("login") + "?", reverse("admin:login")))
    if expected == REACHED:
        return status in REACHED_CODES
    return status == expected


def client_for(w: World, identity: str, cell: Cell) -> Client:
    if identity != OWNER:
        return w.client(identity)
    owner = cell.owner(w) if callable(cell.owner) else cell.owner
    if isinstance(owner, Client):
        return owner
    if owner == "metrics":
        return Client(HTTP_AUTHORIZATION="Bearer matrix-metrics-token")
    client = Client()
    client.force_login(owner if isinstance(owner, User) else User.objects.get(username=owner))
    return client


def request(client: Client, method: str, url: str, query: dict[str, Any], data: dict[str, Any]):
    if method == "GET":
        return client.get(url, query)
    if query:
        url = f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}"
    if method == "POST":
        return client.post(url, data)
    return getattr(client, method.lower())(url, data, content_type="application/json")


def run_cell(w: World, name: str, cell: Cell) -> list[str]:
    """Every identity of one cell; the owner last, so an outsider never sees the owner's change."""
    problems: list[str] = []
    url = reverse(name, kwargs=cell.kwargs(w))
    query = cell.query(w) if cell.query else {}
    data = cell.data(w) if cell.data else {}
    for identity in [i for i in IDENTITIES if i in cell.expect]:
        expected = cell.expect[identity]
        client = client_for(w, identity, cell)
        writes = cell.method != "GET" and identity != OWNER
        if writes:
            counts_before, states_before = table_counts(), object_states(w)
        response = request(client, cell.method, url, query, data)
        where = (
            f"{cell.method} {url}{'?' if query else ''}{'&'.join(f'{k}={v}' for k, v in query.items())} as {identity}"
        )
        if not status_matches(expected, response):
            location = response.get("Location", "")
            problems.append(f"{where}: expected {expected}, got {response.status_code} {location}".rstrip())
            continue
        if writes:
            if table_counts() != counts_before:
                problems.append(f"{where}: rows were added or removed")
            if object_states(w) != states_before:
                problems.append(f"{where}: a 秀峰区 object changed")
        if identity != OWNER and response.status_code == 200:
            text = body_text(response)
            # A team's name travels with its members' records: a 秀峰区 team's service in 七星区 is 七星区's row.
            for team_name in w.team_names:
                text = text.replace(team_name, "")
            markers = w.private_markers if cell.public or cell.spans_districts else w.private_markers + w.markers
            leaked = [m for m in markers if m in text]
            if leaked:
                problems.append(f"{where}: 秀峰区 data in the body: {leaked[:5]}")
            if cell.ids:
                listed = listed_ids(json.loads(text)) & cell.ids(w)
                if listed:
                    problems.append(f"{where}: 秀峰区 rows listed: {sorted(listed)[:10]}")
    return problems


@pytest.fixture
def world(settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    settings.PORTAL_METRICS_TOKEN = "matrix-metrics-token"  # noqa: S105
    from django.core.cache import cache

    cache.clear()  # throttles count per client address; the matrix makes many calls from one
    return build_world()


# ---------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------
def test_every_url_is_in_the_matrix():
    routes, admin_routes = resolver_routes()
    missing = sorted(set(routes) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(routes))
    assert not missing, (
        f"URLs without a permission-matrix entry: {missing}. Add each to MATRIX with its designed answers: "
        "page() for a page any logged-in person opens, obj_page()/obj_post() for a page or form about one 秀峰区 "
        "object (404 outside), own_post() for a form about one's own things, public() for no log-in, "
        "api()/api_obj() for the REST API, listing() for a JSON list (with the 秀峰区 ids it must not show)."
    )
    assert not stale, f"matrix entries for URLs that no longer exist: {stale}"
    assert admin_routes, "the admin is mounted and covered as one group"


def test_the_matrix_tries_every_method_a_drf_route_answers():
    routes, _admin = resolver_routes()
    gaps = {}
    for name, route in routes.items():
        if name not in MATRIX:
            continue  # test_every_url_is_in_the_matrix names it
        methods = set().union(*(implemented_methods(p) or set() for p in route.patterns))
        tried = {cell.method for cell in cells_of(name)}
        if methods and methods != tried:
            gaps[name] = (sorted(methods), sorted(tried))
    assert not gaps, f"route methods (answered, tried): {gaps}"


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_url_answers_as_designed(name, world):
    problems = [problem for cell in cells_of(name) for problem in run_cell(world, name, cell)]
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------
# The admin, as one group
# ---------------------------------------------------------------------------
def admin_urls() -> list[tuple[str, Callable[[User], int]]]:
    """(url, expected status for the superuser) for the index and each model's changelist, add and change views."""
    factory = RequestFactory()
    urls: list[tuple[str, int]] = [(reverse("admin:index"), 200)]
    superuser = User.objects.get(username="admin")
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label):
        info = (model._meta.app_label, model._meta.model_name)
        probe = factory.get("/")
        probe.user = superuser
        urls.append((reverse("admin:{}_{}_changelist".format(*info)), 200))
        urls.append((reverse("admin:{}_{}_add".format(*info)), 200 if model_admin.has_add_permission(probe) else 403))
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            urls.append((reverse("admin:{}_{}_change".format(*info), args=[obj.pk]), 200))
    return urls


def test_admin_group_answers_as_designed(world):
    problems = []
    clients = {identity: world.client(identity) for identity in OUTSIDERS}
    superuser = Client()
    superuser.force_login(User.objects.get(username="admin"))
    urls = admin_urls()
    for url, owner_status in urls:
        for identity, client in clients.items():
            response = client.get(url)
            if not status_matches(ADMIN_LOGIN, response):
                problems.append(f"GET {url} as {identity}: expected {ADMIN_LOGIN}, got {response.status_code}")
        response = superuser.get(url)
        if response.status_code != owner_status:
            problems.append(f"GET {url} as the superuser: expected {owner_status}, got {response.status_code}")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------
# The size of the matrix
# ---------------------------------------------------------------------------
def test_matrix_size(capsys, db):
    url_cells = [(name, cell) for name in MATRIX for cell in cells_of(name)]
    identities_tried = sum(len(cell.expect) for _name, cell in url_cells)
    admin_count = len(admin_urls())
    total_urls = len(MATRIX) + admin_count
    total_cells = identities_tried + admin_count * len(IDENTITIES)
    assert total_cells >= total_urls * (len(IDENTITIES) - 1)
    with capsys.disabled():
        print(
            f"\npermission matrix: {len(MATRIX)} URL names ({len(url_cells)} URL×method rows) + {admin_count} admin URLs"
            f" = {total_urls} URLs × {len(IDENTITIES)} identities; {total_cells} cells requested"
        )


def test_the_markers_would_catch_a_leak(world):
    """The leak check is not vacuous: the owner's pages show 秀峰区's markers that outsiders never get."""
    owner = Client()
    owner.force_login(User.objects.get(username="xiufeng_district"))
    assert len(world.markers) >= 10
    assert world.private_markers
    for name, kwargs in (
        ("issues:issue_detail", {"pk": world.issue.pk}),
        ("volunteers:activity_list", {}),
        ("dashboards:unit", {"pk": world.xiufeng.pk}),
    ):
        text = body_text(owner.get(reverse(name, kwargs=kwargs)))
        assert any(marker in text for marker in world.markers + world.private_markers), name
    issue_page = body_text(owner.get(reverse("issues:issue_detail", args=[world.issue.pk])))
    assert world.issue.description[:24] in world.private_markers
    assert world.issue.description[:24] in issue_page


def test_the_id_check_would_catch_a_leak(world):
    """The owner's issue list holds 秀峰区 ids, which the outsiders' lists are checked against."""
    owner = Client()
    owner.force_login(User.objects.get(username="xiufeng_district"))
    listed = listed_ids(owner.get(reverse("issue-list")).json())
    assert listed & ids_of(Issue)(world)
