"""Personal data: the one home of every rule that masks or checks it.

Residents' phones are stored normalised and shown masked (138****5678) to
anyone who does not report or handle the issue; pages, the API, exports,
Open311 and logs all mask through here.
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
