"""The header's links: only those the viewer may use, daily ones first.

Field roles (grid posts, a station's staff, team leaders, volunteers) get their daily
links as a bottom tab bar on a phone; everyone gets the full list in the menu. Each
link is offered on the word of the owning app's access predicates or the Viewer's
standing; no query beyond the standing the request reads anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from audit.access import can_read_audit
from grids.viewer import Viewer
from issues import handler_kinds
from volunteers import access as volunteer_access

from .selectors import GRID_ROLES, is_field_role


@dataclass(frozen=True)
class Link:
    key: str
    label: str
    url: str


@dataclass
class Navigation:
    daily: list[Link] = field(default_factory=list)  # the tab bar (field roles) or the first links of the menu
    more: list[Link] = field(default_factory=list)
    tabbar: bool = False

    @property
    def keys(self) -> frozenset[str]:
        """The links offered, by key: section menus ask here before offering a page (`"points" in nav.keys`)."""
        return frozenset(link.key for link in self.daily + self.more)


def navigation_for(viewer: Viewer) -> Navigation:
    """The links of the header for this viewer (anonymous visitors: the public pages)."""
    if not viewer.is_person:
        return Navigation(
            daily=[
                Link("board", _("党务公开栏"), reverse("contracts:board_index")),
                Link("directory", _("服务阵地"), reverse("service_centers:directory")),
            ]
        )
    links: list[Link] = [Link("home", _("工作台"), reverse("workbench:home"))]
    has_posts = viewer.has_posts or viewer.sees_everything
    staff = volunteer_access.is_staff_anywhere(viewer)
    if viewer.paths_for(*GRID_ROLES) or staff:
        links.append(Link("log", _("登记问题"), reverse("issues:issue_create")))
    if has_posts:
        links.append(Link("mine", _("我的问题"), reverse("issues:issue_mine")))
    # An inbox for whoever handles something: an office, a department, a team, a grid.
    if handler_kinds.members_q(viewer) is not None or viewer.sees_everything:
        links.append(Link("inbox", _("待办"), reverse("issues:issue_inbox")))
    if staff:
        links.append(Link("supervision", _("督办"), reverse("issues:issue_supervision")))
    if viewer.service_points:
        links.append(Link("station", _("我的阵地"), reverse("service_centers:staff_home")))
    if viewer.teams_led:
        links.append(Link("team", _("服务队"), reverse("volunteers:team_detail", args=[min(viewer.teams_led)])))
    if viewer.volunteer_ids or viewer.teams_led or staff:
        links.append(Link("volunteers", _("志愿服务"), reverse("volunteers:home")))
    if viewer.volunteer_ids:
        links.append(Link("activities", _("活动"), reverse("volunteers:activity_list")))
        links.append(Link("hours", _("我的时长"), reverse("volunteers:my_hours")))
    if viewer.cobuilding_units or staff:
        links.append(Link("contracts", _("共建契约"), reverse("contracts:contract_list")))
        links.append(Link("evaluations", _("考评待办"), reverse("contracts:evaluation_inbox")))
    if has_posts and not viewer.service_points:
        links.append(Link("points", _("服务阵地"), reverse("service_centers:staff_home")))
    if staff:
        links.append(Link("dashboards", _("看板"), reverse("dashboards:home")))
        links.append(Link("renovation", _("改造提升"), reverse("renovation:home")))
    if staff or viewer.party_organisations:
        links.append(Link("party", _("党组织"), reverse("party:organisation_list")))
    if can_read_audit(viewer):
        links.append(Link("audit", _("操作审计"), reverse("audit:home")))
    if viewer.user.is_staff:
        links.append(Link("admin", _("管理后台"), reverse("admin:index")))
    links.append(Link("board", _("党务公开栏"), reverse("contracts:board_index")))
    links.append(Link("directory", _("服务点查询"), reverse("service_centers:directory")))
    links.append(Link("tokens", _("API 令牌"), reverse("api_tokens")))

    tabbar = is_field_role(viewer=viewer)
    # The tab bar holds four links besides the menu button: the field roles' daily ones.
    wanted = ("home", "log", "mine", "station", "team", "activities", "hours", "inbox", "party")
    daily = [link for key in wanted for link in links if link.key == key][:4] if tabbar else links[:5]
    more = [link for link in links if link not in daily]
    return Navigation(daily=daily, more=more, tabbar=tabbar)
