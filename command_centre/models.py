"""Screen links: how a wall display in a command centre opens the screen (大屏) without anyone logged in."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from guilin_portal.api_keys import ApiKey


class ScreenLink(ApiKey):
    """A link that shows one unit's screen, until it is revoked (or expires, when given a time).

    The link carries `<prefix>.<secret>`: a random 256-bit secret of which only a hash is kept, so the
    plaintext exists only in the address given to the display; the prefix finds the row. Revoked, never
    deleted, so who made and who revoked it stays known.
    """

    unit = models.ForeignKey(
        "grids.GridUnit", verbose_name=_("大屏范围"), on_delete=models.PROTECT, related_name="screen_links"
    )

    log_name = "screen_link"
    log_id = "screen_link_id"

    class Meta(ApiKey.Meta):
        verbose_name = _("大屏链接")
        verbose_name_plural = _("大屏链接")
