"""Our rows in GeoReport v2's shapes: services, service definitions, service requests, discovery, errors.

No personal data ever leaves here. A request carries none of the resident's
contact, the reporter or the handling person; its free text (description,
address) is redacted: the issue's own resident name and phone, and anything
shaped like a phone number, an identity-card number or an e-mail address.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from grids.geography import Precision, shown
from guilin_portal.choices import choice_label
from guilin_portal.privacy import redact
from issues.models import HandlerKind, Issue, IssueCategory, IssueKind

from .spec import spec_status

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = ["text/xml", "application/json"]
# When this API's shape last changed (discovery's `changeset`).
CHANGESET = "2026-11-29T00:00:00+08:00"

# Element names of XML lists: the plural field and its items (GeoReport v2's XML shapes).
XML_ITEMS = {
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}


def _english() -> bool:
    return (get_language() or "").startswith("en")


def service_fields(category: IssueCategory) -> dict:
    kind = IssueKind(category.kind).label
    name = category.display_name
    keywords = []
    for word in (str(kind), category.name, category.name_en):
        if word and word not in keywords:
            keywords.append(word)
    return {
        "service_code": category.code,
        "service_name": name,
        "description": _("%(name)s（%(kind)s），办理时限 %(hours)s 小时。")
        % {"name": name, "kind": kind, "hours": category.time_limit_hours},
        "metadata": False,
        "type": "realtime",
        "keywords": ", ".join(keywords),
        "group": str(kind),
    }


def service_definition(category: IssueCategory) -> dict:
    # Our services take no attributes beyond the standard fields (metadata=false).
    return {"service_code": category.code, "attributes": []}


def service_notice(category: IssueCategory) -> str:
    return _("办理时限 %(hours)s 小时。") % {"hours": category.time_limit_hours}


class RequestFormatter:
    """Rows of `selectors.REQUEST_COLUMNS` as GeoReport v2 service requests (the spec's fields and order).

    Made once per answer: the labels are translated once, not once a row. `media_url`
    turns (request id, photo id) into the photo's access-checked URL; `photos` holds
    each request's first photo.
    """

    def __init__(
        self, media_url: Callable[[int, int], str] | None = None, photos: dict[int, int] | None = None
    ) -> None:
        self.media_url = media_url
        self.photos = photos or {}
        self.english = _english()
        self.zone = timezone.get_current_timezone()
        self.office = _("办公室")
        self.leader = _("%(unit)s网格长")
        self.notice = _("办理时限 %(hours)s 小时。")

    def w3(self, value: datetime) -> str:
        """ISO 8601 with the offset, to the second (the W3C note the spec requires): 2026-11-29T10:30:00+08:00."""
        return value.astimezone(self.zone).isoformat(timespec="seconds")

    def agency_responsible(self, row: dict) -> str | None:
        """The handling office, department, grid or volunteer team: never a person's name. None while waiting for routing."""
        kind = row["handler_kind"]
        if kind == HandlerKind.OFFICE and row["handler_unit__name"]:
            return f"{row['handler_unit__name']}{self.office}"
        if kind == HandlerKind.DEPARTMENT and row["handler_department__name"]:
            if self.english and row["handler_department__name_en"]:
                return row["handler_department__name_en"]
            return row["handler_department__name"]
        if kind == HandlerKind.GRID_LEADER:
            return self.leader % {"unit": row["unit__name"]}
        if kind == HandlerKind.VOLUNTEER_TEAM and row["handler_team__name"]:
            return row["handler_team__name"]  # a team's name, never a member's
        return None

    def status_notes(self, row: dict) -> str:
        notes = choice_label(Issue.Status, row["status"])
        if row["status"] == Issue.Status.REJECTED and row["reject_reason"]:
            notes = f"{notes}：{choice_label(Issue.RejectReason, row['reject_reason'])}"
        return notes

    def __call__(self, row: dict) -> dict:
        private = {"names": (row["resident_name"],), "phones": (row["resident_phone"],)}
        name = row["category__name_en"] if self.english and row["category__name_en"] else row["category__name"]
        return {
            "service_request_id": str(row["pk"]),
            "status": spec_status(row["status"]),
            "status_notes": self.status_notes(row),
            "service_name": name,
            "service_code": row["category__code"],
            "description": redact(row["description"], **private),
            "agency_responsible": self.agency_responsible(row),
            "service_notice": self.notice % {"hours": row["category__time_limit_hours"]},
            "requested_datetime": self.w3(row["created_at"]),
            "updated_datetime": self.w3(row["updated_at"]),
            "expected_datetime": self.w3(row["due_at"]),
            "address": redact(row["location_text"], **private) or None,
            "address_id": None,
            "zipcode": None,
            "lat": coordinate(row["latitude"]),
            "long": coordinate(row["longitude"]),
            "media_url": self.media(row["pk"]),
        }

    def media(self, pk: int) -> str | None:
        photo = self.photos.get(pk)
        if photo is None or self.media_url is None:
            return None
        return self.media_url(pk, photo)


def coordinate(value: Decimal | None) -> float | None:
    """Degrees as a number at the public precision: a point can identify a household, so Open311 (like the
    public and staff who do not handle the issue) gets 3 decimals, about 100 m (grids/geography/precision.py).
    The issue keeps the client's 6 places for its handlers."""
    return shown(value, Precision.ROUNDED)


def requests_fields(
    rows: list[dict], *, media_url: Callable[[int, int], str] | None = None, photos: dict[int, int] | None = None
) -> list[dict]:
    formatter = RequestFormatter(media_url=media_url, photos=photos)
    return [formatter(row) for row in rows]


def created_fields(issue: Issue) -> dict:
    """The POST answer: the new id, the notice, no account (we keep none for residents)."""
    return {
        "service_request_id": str(issue.pk),
        "service_notice": service_notice(issue.category),
        "account_id": None,
    }


def discovery(*, url: str, contact: str, key_service: str, production: bool) -> dict:
    return {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": CHANGESET,
                "type": "production" if production else "test",
                "formats": list(FORMATS),
            }
        ],
    }


def error_list(code: int, description: str) -> list[dict]:
    return [{"code": code, "description": description}]
