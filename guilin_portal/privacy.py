"""Personal data: the one home of every rule that masks, redacts or checks it.

Residents' phones are stored normalised and shown masked (138****5678) to
anyone who does not report or handle the issue; names as 张**, identity-card
numbers as their first six digits, e-mails as their first letter and domain.
Pages, the API, exports, Open311 and logs all mask through here, and free
text leaving the portal goes through `redact()`.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# A mainland mobile number (11 digits starting 13-19) or a landline with its
# area code (0773-2825678, 07732825678) and an optional extension.
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def normalise_phone(value: str) -> str:
    """Spaces and a leading +86 removed; what is stored."""
    value = re.sub(r"[\s()]", "", value or "")
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    return value


def validate_resident_phone(value: str) -> None:
    if value and not (MOBILE_RE.match(value) or LANDLINE_RE.match(value)):
        raise ValidationError(
            _("请输入有效的手机号（如 13812345678）或带区号的固定电话（如 0773-2825678）。"), code="invalid_phone"
        )


def mask_phone(value: str) -> str:
    """138****5678: the first three and last four digits stay, the middle is hidden."""
    if not value:
        return ""
    digits = value.replace("-", "")
    if len(digits) <= 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_name(value: str) -> str:
    """张** : the surname stays, the given name is hidden."""
    value = (value or "").strip()
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)


def mask_id_number(value: str) -> str:
    """450302************ : the region code stays (it says no more than the address), the rest is hidden."""
    value = (value or "").strip()
    if len(value) <= 6:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 6)


def mask_email(value: str) -> str:
    """z***@example.cn : the first letter and the domain stay."""
    local, at, domain = (value or "").partition("@")
    if not at:
        return "*" * len(local)
    return f"{local[:1]}***@{domain}"


# Redaction patterns: an e-mail, an 18-character identity-card number, a mainland mobile (spaces or
# dashes allowed, +86 optional) and a landline with its area code. Digits on either side stop a match.
TEXT_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
TEXT_ID_CARD_RE = re.compile(r"(?<![\dXx])\d{17}[\dXx](?![\dXx])")
TEXT_MOBILE_RE = re.compile(r"(?<!\d)(?:(?:\+|00)86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)")
TEXT_LANDLINE_RE = re.compile(r"(?<!\d)0\d{2,3}[\s-]?\d{7,8}(?!\d)")


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
        text = text.replace(name, mask_name(name))
        # The given name alone also names the person: after a one-character surname (王小明 → 小明)
        # or a two-character one (欧阳小明 → 小明). A given name of one character is left alone.
        for surname_length in (1, 2):
            given = name[surname_length:]
            if len(given) >= 2:
                text = text.replace(given, "*" * len(given))
    text = TEXT_EMAIL_RE.sub("***@***", text)  # in free text even the domain may name the person
    text = TEXT_ID_CARD_RE.sub(lambda m: mask_id_number(m.group(0)), text)
    text = TEXT_MOBILE_RE.sub(_mask_digits, text)
    return TEXT_LANDLINE_RE.sub(lambda m: re.sub(r"\d", "*", m.group(0)[:-4]) + m.group(0)[-4:], text)
