"""The first administrator of a fresh deployment, with a second factor only the operator holds.

`manage.py create_first_admin` calls `first_admin_create`: a superuser with a password
that passes the strong-password check, and a TOTP device *provisioned* here, unconfirmed,
whose key is printed once on the operator's terminal. The site's enrolment page
(`guilin_portal.security.otp_setup`) never shows the key of a provisioned device: it
asks for a code from the authenticator app the operator loaded with it. Someone who
knows only the password therefore cannot enrol a device and cannot get past the
second factor.
"""

from __future__ import annotations

import base64
import string
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import CommonPasswordValidator, validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

# The name of a device provisioned out of band: its key is never shown on the site.
PROVISIONED_DEVICE_NAME = "provisioned"
ADMIN_PASSWORD_MIN_LENGTH = 14
_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits)


@dataclass(frozen=True)
class FirstAdmin:
    username: str
    totp_secret: str  # base32, for typing into an authenticator app
    config_url: str  # otpauth:// URI, for a QR code


def check_admin_password(password: str, *, username: str = "", email: str = "") -> None:
    """Django's validators (similarity, common, numeric) plus: 14 characters, three kinds of character."""
    problems: list[str] = []
    if len(password) < ADMIN_PASSWORD_MIN_LENGTH:
        problems.append(f"at least {ADMIN_PASSWORD_MIN_LENGTH} characters")
    kinds = sum(any(ch in chars for ch in password) for chars in _CLASSES) + any(not ch.isalnum() for ch in password)
    if kinds < 3:
        problems.append("at least three of: lower case, upper case, digits, symbols")
    letters = "".join(ch for ch in password.lower() if ch.isalpha())
    if letters in CommonPasswordValidator().passwords:
        problems.append("not a common password with digits or symbols added")
    if len(username) >= 3 and username.lower() in password.lower():
        problems.append("not containing the username")
    try:
        validate_password(password, get_user_model()(username=username, email=email))
    except ValidationError as error:
        problems.extend(str(message) for message in error.messages)
    if problems:
        raise ValidationError(problems)


def provisioned_device(user) -> TOTPDevice | None:
    """The unconfirmed device provisioned for `user` out of band (its key was shown to the operator only)."""
    return TOTPDevice.objects.filter(user=user, confirmed=False, name=PROVISIONED_DEVICE_NAME).first()


@transaction.atomic
def first_admin_create(*, username: str, password: str, email: str = "", full_name: str = "") -> FirstAdmin:
    """The first superuser. Refused when any superuser exists (use the admin for more)."""
    User = get_user_model()
    if User.objects.filter(is_superuser=True).exists():
        raise ValidationError("an administrator already exists: add more in the admin (/admin/)")
    if not username or User.objects.filter(username=username).exists():
        raise ValidationError(f"the username {username!r} is empty or taken")
    check_admin_password(password, username=username, email=email)
    user = User(username=username, email=email, is_staff=True, is_superuser=True)
    if full_name and hasattr(user, "full_name"):
        user.full_name = full_name
    user.set_password(password)
    user.save()
    device = TOTPDevice.objects.create(user=user, name=PROVISIONED_DEVICE_NAME, confirmed=False)
    return FirstAdmin(
        username=user.username,
        totp_secret=base64.b32encode(device.bin_key).decode(),
        config_url=device.config_url,
    )
