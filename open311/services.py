"""Writes of the Open311 app: issuing and revoking client keys, and filing a service request.

A request becomes a resident issue through `issues.services.issue_log`, the
same function the grid worker's page and the issue API call, so the same
rules hold (micro-grid inside the filer's jurisdiction, active category,
phone format, time limit) and routing runs after commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from grids.models import GridUnit, User
from grids.viewer import acting_as, with_user
from guilin_portal import api_keys
from issues import services as grid_services
from issues.models import Issue, IssueCategory

from .auth import client_viewer
from .models import Open311Client

log = api_keys.log


@transaction.atomic
def open311_client_issue(
    *,
    name: str,
    unit: GridUnit,
    created_by: User | None,
    reporter: User | None = None,
    secret: str | None = None,
    prefix: str | None = None,
) -> tuple[Open311Client, str]:
    """Create a client for a micro-grid; the plaintext key is returned once and never stored.

    Without a `reporter`, a service account that cannot log in is created to
    be recorded as the reporter of the client's requests. `secret` and
    `prefix` are for the demo's reproducible key; by default both are random.
    """
    if not unit.is_micro_grid:
        raise ValidationError({"unit": _("Open311 客户端的诉求要登记到微网格（片区、小区或责任区）。")})
    name = (name or "").strip()
    prefix = prefix or secrets.token_hex(4)
    if reporter is None:
        reporter = User(
            username=f"open311-{prefix}",
            full_name=f"Open311：{name}"[:60],
            password=make_password(None),
            is_active=False,  # a name on the timeline, never a log-in
        )
        reporter.full_clean(exclude=["password"])
        reporter.save()
    return api_keys.api_key_issue(
        Open311Client, name=name, unit=unit, created_by=created_by, secret=secret, prefix=prefix, reporter=reporter
    )


def open311_client_revoke(*, client: Open311Client, revoked_by: User | None) -> Open311Client:
    """Stop a key from working; the issues it filed stay, with its service account as reporter."""
    return api_keys.api_key_revoke(client, revoked_by=revoked_by)


def open311_client_authenticate(raw: str | None) -> Open311Client | None:
    """The usable client a presented api_key names, or None (missing, unknown, wrong secret or revoked).

    One query to find the key, and one to stamp `last_used_at` when the last stamp is a minute old.
    """
    client = api_keys.api_key_find(Open311Client, raw)
    if client is not None:
        api_keys.api_key_used(client)
    return client


# ---------------------------------------------------------------------------
# POST requests: a service request becomes a resident issue
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class RequestInput:
    """What a client POSTs (GeoReport v2 names). Contact fields are optional and never published."""

    service_code: str = ""
    description: str = ""
    jurisdiction_id: str = ""
    address_string: str = ""
    lat: str = ""
    long: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    email: str = ""


# Issue.latitude/longitude keep 6 decimal places (about 0.1 m): a value with more is rounded, half to even.
COORDINATE_PLACES = Decimal("0.000001")


def _coordinate(value: str, field: str, limit: int) -> Decimal:
    try:
        number = Decimal(value.strip())
    except InvalidOperation as exc:
        raise ValidationError({field: _("请填写十进制度数。")}) from exc
    if not number.is_finite() or abs(number) > limit:
        raise ValidationError({field: _("取值应在 -%(limit)s 到 %(limit)s 之间。") % {"limit": limit}})
    return number.quantize(COORDINATE_PLACES)


@dataclass(frozen=True)
class Location:
    text: str
    latitude: Decimal | None = None
    longitude: Decimal | None = None


def location_for(data: RequestInput) -> Location:
    """The issue's location: the address as given (else the coordinates in words), and the coordinates."""
    address = data.address_string.strip()
    has_lat, has_long = bool(data.lat.strip()), bool(data.long.strip())
    if has_lat != has_long:
        missing = "long" if has_lat else "lat"
        raise ValidationError({missing: _("lat 和 long 要同时提供。")})
    lat = long = None
    coordinates = ""
    if has_lat:
        lat = _coordinate(data.lat, "lat", 90)
        long = _coordinate(data.long, "long", 180)
        # The words are shown to everyone the issue reaches: at the public precision (about 100 m), as `lat`/`long`
        # are served (grids/geography/precision.py); the exact point stays in the issue's fields.
        coordinates = _("坐标 %(lat)s, %(long)s") % {"lat": f"{lat:.3f}", "long": f"{long:.3f}"}
    if not address and not coordinates:
        raise ValidationError({"address_string": _("请提供 address_string，或同时提供 lat 和 long。")})
    text = address or coordinates
    if len(text) > Issue._meta.get_field("location_text").max_length:
        raise ValidationError({"address_string": _("地址太长（最多 200 个字符）。")})
    return Location(text=text, latitude=lat, longitude=long)


# grids' field names as a client knows them (GeoReport v2), for the 400's description.
FIELD_NAMES = {
    "category": "service_code",
    "resident_phone": "phone",
    "resident_name": "last_name",
    "location_text": "address_string",
    "unit": "api_key",
    "photos": "media",
}


@transaction.atomic
def open311_request_create(*, client: Open311Client, data: RequestInput, media: UploadedFile | None = None) -> Issue:
    """File a client's service request as a resident issue in its micro-grid, reported by its service account.

    The resident's name and phone are kept only as the issue's resident
    contact (masked by grids for everyone but the reporter and handlers);
    an e-mail address is accepted and dropped, since an issue has no place for it.
    `description` is optional (GeoReport v2): without one the issue is described by
    its service's name. `lat`/`long` are kept on the issue, `media` is checked like
    any photo (guilin_portal.uploads, through issue_log) and attached to it.
    `jurisdiction_id` is accepted and not needed: the endpoint serves one jurisdiction.
    """
    code = data.service_code.strip()
    if not code:
        raise ValidationError({"service_code": _("缺少 service_code。")})
    category = IssueCategory.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise ValidationError({"service_code": _("没有这个 service_code：%(code)s。") % {"code": code}})
    if len(data.description) > Issue._meta.get_field("description").max_length:
        raise ValidationError({"description": _("问题描述太长（最多 4000 个字符）。")})
    location = location_for(data)
    description = data.description.strip() or category.display_name
    reporter = client.reporter
    resident_name = f"{data.last_name.strip()}{data.first_name.strip()}"  # 姓在前
    if len(resident_name) > Issue._meta.get_field("resident_name").max_length:
        raise ValidationError({"last_name": _("姓名太长。")})
    # The client files as its service account, with the client's own standing: issue_log's check that
    # the micro-grid lies in the reporter's jurisdiction reads this Viewer (grids.viewer.viewer_of).
    try:
        with acting_as(with_user(client_viewer(client), reporter)):
            issue, _created = grid_services.issue_log(
                reporter=reporter,
                unit=client.unit,
                category=category,
                description=description,
                location_text=location.text,
                resident_name=resident_name,
                resident_phone=data.phone,
                photos=[media] if media is not None else (),
            )
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {FIELD_NAMES.get(field, field): messages for field, messages in error.message_dict.items()}
        ) from error
    if location.latitude is not None:
        # issue_log knows no coordinates: set them in the same transaction (an Open311-only field pair).
        Issue.objects.filter(pk=issue.pk).update(latitude=location.latitude, longitude=location.longitude)
        issue.latitude, issue.longitude = location.latitude, location.longitude
    log.info(
        "open311 request filed",
        extra={"event": "open311_request", "client_id": client.pk, "issue_id": issue.pk},
    )
    return issue
