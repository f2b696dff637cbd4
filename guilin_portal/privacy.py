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


# Redaction. Free text is matched on a copy in which every way of writing a digit became an ASCII
# digit, character for character (so positions match the original): full-width ０-９, Chinese numerals
# (一二三..., 〇/零, and 幺 and 两 as people read phone numbers aloud), full-width ＠ ． ＋ and the
# separators people put inside a number (spaces, dashes, dots, full-width ones). The spans found are
# masked in the original text.
_DIGIT_FORMS = {
    **{chr(0xFF10 + n): str(n) for n in range(10)},
    **dict(zip("〇零一二三四五六七八九", "00123456789", strict=True)),
    "幺": "1",
    "两": "2",
    "ｘ": "x",
    "Ｘ": "X",
    "＠": "@",
    "．": ".",
    "＋": "+",
    "－": "-",
    "—": "-",
    "\u3000": " ",
}
_NORMALISE = str.maketrans(_DIGIT_FORMS)
_SEP = r"[\s\-.]?"
TEXT_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# An 18-character identity-card number (17 digits and a digit or X) or an old 15-digit one.
TEXT_ID_CARD_RE = re.compile(r"(?<![\dXx])(?:\d{17}[\dXx]|\d{15})(?![\dXx])")
# A mainland mobile: 11 digits from 13-19, separators allowed between any two, +86/0086 optional.
TEXT_MOBILE_RE = re.compile(rf"(?<!\d)(?:(?:\+|00)86{_SEP})?1{_SEP}[3-9](?:{_SEP}\d){{9}}(?!\d)")
# A landline with its area code (0773-2825678).
TEXT_LANDLINE_RE = re.compile(rf"(?<!\d)0\d{{2,3}}{_SEP}\d(?:{_SEP}\d){{6,7}}(?!\d)")


def normalise_digits(text: str) -> str:
    """The text with every digit form made ASCII, one character for one (positions unchanged)."""
    return (text or "").translate(_NORMALISE)


def _mask_span(original: str, normalised: str, keep_head: int, keep_tail: int) -> str:
    """Digits of the span hidden except the first `keep_head` and last `keep_tail`; separators kept."""
    digit_positions = [i for i, ch in enumerate(normalised) if ch.isdigit() or ch in "Xx"]
    hidden = set(digit_positions[keep_head : len(digit_positions) - keep_tail])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(original))


def redact(text: str, *, names: tuple[str, ...] = (), phones: tuple[str, ...] = ()) -> str:
    """Free text with personal data masked: the given names (张** and the given name alone), phones in any
    digit form, identity-card numbers, e-mails."""
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
    # One pass per pattern over the normalised copy; each span is masked in both copies so that the
    # next pattern does not find it again.
    normalised = normalise_digits(text)
    rules = (
        (TEXT_EMAIL_RE, lambda span, plain: "***@***"),  # in free text even the domain may name the person
        (TEXT_ID_CARD_RE, lambda span, plain: mask_id_number(plain)),  # the region code stays
        # 138****5678 as mask_phone, in ASCII digits whatever digits it was written in
        (TEXT_MOBILE_RE, lambda span, plain: mask_phone(re.sub(r"\D", "", plain)[-11:])),
        (TEXT_LANDLINE_RE, lambda span, plain: _mask_span(span, plain, 0, 4)),
    )
    for pattern, keep in rules:  # keep(span as written, span normalised) -> the masked span
        pieces, last = [], 0
        for match in pattern.finditer(normalised):
            start, end = match.span()
            span = text[start:end]
            masked = keep(span, normalised[start:end])
            pieces.append(text[last:start] + masked)
            last = end
        if pieces:
            text = "".join(pieces) + text[last:]
            normalised = normalise_digits(text)
    return text
