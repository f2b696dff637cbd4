"""Our rows in GeoReport v2's shapes: services, service definitions, service requests, discovery, errors.

No personal data ever leaves here. A request carries none of the resident's
contact, the reporter or the handling person; its free text (description,
address) is redacted: the issue's own resident name and phone, and anything
shaped like a phone number, an identity-card number or an e-mail address.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from grids.models import HandlerKind, Issue, IssueCategory, IssueKind, mask_phone

from .selectors import spec_status

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

# Redaction patterns: an e-mail, an 18-character identity-card number, a mainland mobile (spaces or
# dashes allowed, +86 optional) and a landline with its area code. Digits on either side stop a match.
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
ID_CARD_RE = re.compile(r"(?<![\dXx])\d{17}[\dXx](?![\dXx])")
MOBILE_RE = re.compile(r"(?<!\d)(?:(?:\+|00)86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)")
LANDLINE_RE = re.compile(r"(?<!\d)0\d{2,3}[\s-]?\d{7,8}(?!\d)")


def w3_datetime(value: datetime | None) -> str | None:
    """ISO 8601 with the offset, to the second (the W3C note the spec requires): 2026-11-29T10:30:00+08:00."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _mask_digits(match: re.Match) -> str:
    return mask_phone(re.sub(r"\D", "", match.group(0))[-11:])


def redact(text: str, *, names: tuple[str, ...] = (), phones: tuple[str, ...] = ()) -> str:
    """Free text with personal data masked: the given names (张** and the given name alone), phones, ids, e-mails."""
    if not text:
        return text
    for phone in phones:
        if phone:
            text = text.replace(phone, mask_phone(phone))
    for name in names:
        name = (name or "").strip()
        if not name:
            continue
        text = text.replace(name, name[0] + "*" * (len(name) - 1))
        # The given name alone also names the person: after a one-character surname (王小明 → 小明)
        # or a two-character one (欧阳小明 → 小明). A given name of one character is left alone.
        for surname_length in (1, 2):
            given = name[surname_length:]
            if len(given) >= 2:
                text = text.replace(given, "*" * len(given))
    text = EMAIL_RE.sub("***@***", text)
    text = ID_CARD_RE.sub(lambda m: m.group(0)[:6] + "*" * 12, text)
    text = MOBILE_RE.sub(_mask_digits, text)
    return LANDLINE_RE.sub(lambda m: re.sub(r"\d", "*", m.group(0)[:-4]) + m.group(0)[-4:], text)


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


def agency_responsible(issue: Issue) -> str | None:
    """The handling office, department or grid: never a person's name. None while waiting for routing."""
    if issue.handler_kind == HandlerKind.OFFICE and issue.handler_unit_id:
        return f"{issue.handler_unit.name}{_('办公室')}"
    if issue.handler_kind == HandlerKind.DEPARTMENT and issue.handler_department_id:
        department = issue.handler_department
        return department.name_en if _english() and department.name_en else department.name
    if issue.handler_kind == HandlerKind.GRID_LEADER:
        return _("%(unit)s网格长") % {"unit": issue.unit.name}
    return None


def status_notes(issue: Issue) -> str:
    notes = str(issue.get_status_display())
    if issue.status == Issue.Status.REJECTED and issue.reject_reason:
        notes = f"{notes}：{issue.get_reject_reason_display()}"
    return notes


def request_fields(issue: Issue) -> dict:
    """One issue as a GeoReport v2 service request (the GET requests fields, in the spec's order)."""
    private = {"names": (issue.resident_name,), "phones": (issue.resident_phone,)}
    return {
        "service_request_id": str(issue.pk),
        "status": spec_status(issue.status),
        "status_notes": status_notes(issue),
        "service_name": issue.category.display_name,
        "service_code": issue.category.code,
        "description": redact(issue.description, **private),
        "agency_responsible": agency_responsible(issue),
        "service_notice": service_notice(issue.category),
        "requested_datetime": w3_datetime(issue.created_at),
        "updated_datetime": w3_datetime(issue.updated_at),
        "expected_datetime": w3_datetime(issue.due_at),
        "address": redact(issue.location_text, **private) or None,
        "address_id": None,
        "zipcode": None,
        # An issue keeps no coordinates (grids.Issue has none), and photos are private.
        "lat": None,
        "long": None,
        "media_url": None,
    }


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
