"""Writes of the people pages: onboarding, posts, offboarding with hand-over, activation links, locks.

Every service checks people.access for the acting Viewer (PermissionDenied) and
raises ValidationError for bad input. Post writes are saved with the actor as
the history user (audit pages: who created, moved or retired which post, when).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from grids.handover import hand_over_all, handover_kinds, held_items
from grids.models import PATH_STEP, GridUnit, Post, User
from grids.services import validate_post
from grids.viewer import Viewer, viewer_of

from . import access
from .models import ActivationLink

ACTIVATION_HOURS_DEFAULT = 72


def _deny(message: str) -> PermissionDenied:
    return PermissionDenied(message)


def _save_post(post: Post, actor: User, **kwargs) -> None:
    post._history_user = actor if getattr(actor, "pk", None) else None
    post.save(**kwargs)


def _check_post(viewer: Viewer, role: str, unit: GridUnit) -> None:
    validate_post(unit=unit, role=role)
    if not access.can_manage_post(viewer, role, unit.path):
        raise _deny(_("您只能管理本辖区内、不高于本人层级的岗位。"))


def _person_posts(person: User) -> list[tuple[str, str]]:
    current = list(Post.objects.filter(user=person).values_list("role", "unit__path"))
    return current or list(Post.terms.filter(user=person).values_list("role", "unit__path"))


def _check_person(viewer: Viewer, person: User) -> None:
    if not access.can_manage_person(viewer, person, _person_posts(person)):
        raise _deny(_("您不能管理这位人员的账号。"))


def normalise_phone(phone: str) -> str:
    return "".join(ch for ch in (phone or "") if ch.isdigit())


def validate_phone(phone: str) -> str:
    phone = normalise_phone(phone)
    if len(phone) != 11 or not phone.startswith("1"):
        raise ValidationError({"phone": _("请填写 11 位手机号。")})
    return phone


# -- people and posts ------------------------------------------------------------------------------


@transaction.atomic
def person_create(
    *,
    actor: User,
    full_name: str,
    phone: str,
    unit: GridUnit,
    role: str,
    is_full_time: bool = False,
    is_party_member: bool = False,
) -> tuple[User, str]:
    """A new account with its first post, and the one-time link where they set their password.

    The user name is the mobile (the natural key of people: imports match on it too); the account has
    no usable password until the person opens the link.
    """
    viewer = viewer_of(actor)
    full_name = (full_name or "").strip()
    if not full_name:
        raise ValidationError({"full_name": _("请填写姓名。")})
    phone = validate_phone(phone)
    _check_post(viewer, role, unit)
    if User.objects.filter(phone=phone).exists() or User.objects.filter(username=phone).exists():
        raise ValidationError({"phone": _("该手机号已有账号，请在其人员页添加岗位。")})
    person = User(username=phone, full_name=full_name, phone=phone, is_party_member=is_party_member)
    person.set_unusable_password()
    person.full_clean(exclude=["password"])
    person.save()
    post_grant(actor=actor, person=person, unit=unit, role=role, is_full_time=is_full_time)
    token = activation_issue(actor=actor, person=person, purpose=ActivationLink.Purpose.ONBOARDING)
    return person, token


@transaction.atomic
def post_grant(
    *, actor: User, person: User, unit: GridUnit, role: str, is_full_time: bool = False, started_on: date | None = None
) -> Post:
    """Give a person a post at a unit of the viewer's, at or below the viewer's level."""
    viewer = viewer_of(actor)
    _check_post(viewer, role, unit)
    if Post.objects.filter(user=person, unit=unit, role=role).exists():
        raise ValidationError({"role": _("此人已在该单元担任这个岗位。")})
    post = Post(
        user=person, unit=unit, role=role, is_full_time=is_full_time, started_on=started_on or timezone.localdate()
    )
    try:
        with transaction.atomic():
            _save_post(post, actor)
    except IntegrityError as exc:
        raise ValidationError({"role": _("此人已在该单元担任这个岗位。")}) from exc
    return post


@transaction.atomic
def post_move(*, actor: User, post: Post, unit: GridUnit) -> Post:
    """Move a post to another unit of the same level band (a worker changing grids); history keeps the move."""
    viewer = viewer_of(actor)
    post = Post.objects.select_for_update().select_related("unit").get(pk=post.pk)
    if not access.can_manage_post(viewer, post.role, post.unit.path):
        raise _deny(_("您只能管理本辖区内、不高于本人层级的岗位。"))
    _check_post(viewer, post.role, unit)
    if unit.pk == post.unit_id:
        return post
    if Post.objects.filter(user_id=post.user_id, unit=unit, role=post.role).exists():
        raise ValidationError({"unit": _("此人已在该单元担任这个岗位。")})
    post.unit = unit
    _save_post(post, actor, update_fields=["unit"])
    return post


def office_of(unit: GridUnit) -> GridUnit:
    """The office that takes a leaver's work: the community over a micro-grid, else the unit itself."""
    if unit.level <= GridUnit.Level.COMMUNITY:
        return unit
    return GridUnit.objects.get(path=unit.path[: GridUnit.Level.COMMUNITY * PATH_STEP])


@dataclass(frozen=True)
class Retirement:
    post: Post
    deactivated: bool
    handed_over: dict[str, int]


@transaction.atomic
def post_retire(*, actor: User, post: Post, successor: User | None = None, ended_on: date | None = None) -> Retirement:
    """End a post (its row stays, with the end date). Retiring the last post closes the account and hands
    its open work to `successor`, or to the office of the post's unit."""
    viewer = viewer_of(actor)
    post = Post.objects.select_for_update().select_related("unit", "user").filter(pk=post.pk).first()
    if post is None:
        raise ValidationError({"post": _("该岗位已经离任。")})
    if not access.can_manage_post(viewer, post.role, post.unit.path):
        raise _deny(_("您只能管理本辖区内、不高于本人层级的岗位。"))
    ended_on = ended_on or timezone.localdate()
    if post.started_on and ended_on < post.started_on:
        raise ValidationError({"ended_on": _("离任日期不能早于任职日期。")})
    person = post.user
    # Lock the person: two retirements of their last two posts must not both miss "the last one".
    User.objects.select_for_update().filter(pk=person.pk).first()
    post.ended_on = ended_on
    _save_post(post, actor, update_fields=["ended_on"])
    if Post.objects.filter(user=person).exists():
        return Retirement(post=post, deactivated=False, handed_over={})
    handed = _close_account(viewer=viewer, actor=actor, person=person, successor=successor, office=office_of(post.unit))
    return Retirement(post=post, deactivated=True, handed_over=handed)


def _check_successor(viewer: Viewer, person: User, successor: User | None) -> None:
    if successor is None:
        return
    if successor.pk == person.pk or not successor.is_active:
        raise ValidationError({"successor": _("接手人必须是另一位在岗人员。")})
    paths = Post.objects.filter(user=successor).values_list("unit__path", flat=True)
    if not any(viewer.is_staff_over(path) for path in paths):
        raise ValidationError({"successor": _("接手人必须是本辖区的在岗人员。")})


def _close_account(*, viewer: Viewer, actor: User, person: User, successor: User | None, office: GridUnit) -> dict:
    _check_successor(viewer, person, successor)
    handed = hand_over_all(from_user=person, to_user=successor, office=office, actor=actor)
    User.objects.filter(pk=person.pk).update(is_active=False)
    person.is_active = False
    _void_links(person)
    return handed


@transaction.atomic
def account_lock(*, actor: User, person: User, successor: User | None = None) -> dict[str, int]:
    """Lock an account (a lost phone, a leave): no log-in, no link; its open work is handed over as on leaving,
    so nothing waits on an account that cannot act. A new activation link opens it again."""
    viewer = viewer_of(actor)
    _check_person(viewer, person)
    person = User.objects.select_for_update().get(pk=person.pk)
    if not person.is_active:
        raise ValidationError({"person": _("该账号已停用。")})
    posts = Post.objects.filter(user=person).select_related("unit").order_by("unit__path")
    first = posts.first()
    office = office_of(first.unit) if first is not None else None
    if office is None:
        raise ValidationError({"person": _("该人员没有在任岗位。")})
    return _close_account(viewer=viewer, actor=actor, person=person, successor=successor, office=office)


# -- activation links ------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _void_links(person: User) -> None:
    ActivationLink.objects.filter(user=person, used_at__isnull=True, voided_at__isnull=True).update(
        voided_at=timezone.now()
    )


def activation_hours() -> int:
    return int(getattr(settings, "PEOPLE_ACTIVATION_HOURS", ACTIVATION_HOURS_DEFAULT))


@transaction.atomic
def activation_issue(*, actor: User, person: User, purpose: str = ActivationLink.Purpose.RESET) -> str:
    """A one-time link (its token returned once, only its hash stored); the person's older links stop working.

    A reset never sets a password for anyone: the person sets their own through the link.
    """
    if purpose == ActivationLink.Purpose.RESET:
        _check_person(viewer_of(actor), person)
    _void_links(person)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    ActivationLink.objects.create(
        user=person,
        token_hash=_hash(token),
        purpose=purpose,
        created_by=actor if getattr(actor, "pk", None) else None,
        created_at=now,
        expires_at=now + timedelta(hours=activation_hours()),
    )
    return token


def activation_find(*, token: str) -> ActivationLink | None:
    """The usable link behind a token (unused, not voided, not expired), else None."""
    if not token:
        return None
    return ActivationLink.objects.usable(timezone.now()).select_related("user").filter(token_hash=_hash(token)).first()


@transaction.atomic
def activation_redeem(*, token: str, password: str, password_again: str) -> User:
    """The person sets their own password; the link is spent; the account is open (again)."""
    link = ActivationLink.objects.select_for_update().filter(token_hash=_hash(token or "")).first()
    if link is None or link.used_at or link.voided_at or link.expires_at <= timezone.now():
        raise ValidationError({"token": _("链接无效、已使用或已过期，请联系工作人员重新发送。")})
    if password != password_again:
        raise ValidationError({"password_again": _("两次输入的密码不一致。")})
    person = link.user
    try:
        validate_password(password, person)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    if not Post.objects.filter(user=person).exists():
        raise ValidationError({"token": _("该账号没有在任岗位，不能激活。")})
    person.set_password(password)
    person.is_active = True
    person.save(update_fields=["password", "is_active"])
    if link.purpose == ActivationLink.Purpose.RESET:
        # A reset is mostly a lost phone: the person enrols their second factor again after setting the
        # password (the staff member who showed the link stood in front of them).
        TOTPDevice.objects.filter(user=person).delete()
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    return person


def held_by_person(person: User) -> dict[str, int]:
    """What the person holds that would be handed over on leaving: {kind label: open items}."""
    held = held_items(User.objects.filter(pk=person.pk))
    labels = {kind.name: str(kind.label) for kind in handover_kinds()}
    return {labels[name]: counts.get(person.pk, 0) for name, counts in held.items()}
