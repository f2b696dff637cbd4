"""Writes of the command centre: issuing and revoking screen links (through the portal's one API-key service)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from grids.models import GridUnit
from grids.viewer import Viewer
from guilin_portal import api_keys

from .access import can_create_screen_link, can_revoke_screen_link
from .models import ScreenLink


def screen_link_create(
    *, viewer: Viewer, unit: GridUnit, name: str, expires_at: datetime | None = None
) -> tuple[ScreenLink, str]:
    """Make a link showing the unit's screen; the token in it is returned once and only its hash is kept."""
    if not can_create_screen_link(viewer, unit):
        raise PermissionDenied(_("只有城区及以上工作人员可以为本辖区的城区、街道创建大屏链接。"))
    return api_keys.api_key_issue(ScreenLink, name=name, unit=unit, created_by=viewer.user, expires_at=expires_at)


def screen_link_revoke(*, viewer: Viewer, link: ScreenLink) -> ScreenLink:
    """Stop a link from opening the screen: from the next refresh on, the display gets a 404."""
    if not can_revoke_screen_link(viewer, link):
        raise PermissionDenied(_("无权吊销这个大屏链接。"))
    return api_keys.api_key_revoke(link, revoked_by=viewer.user)


def screen_link_open(token: str) -> ScreenLink | None:
    """The usable link a token names, with its unit (None: unknown, wrong secret, revoked or expired): one query."""
    link = api_keys.api_key_find(ScreenLink, token)
    if link is not None:
        api_keys.api_key_used(link)
    return link
