"""Volunteer teams and their members.

Team: natural key (unit code, team name); category by code or name; kind by key or label.
Member: natural key (team, mobile). The volunteer is found by mobile (one record per mobile;
a different name under a known mobile is refused), else created at the team's unit. A team
has one leader at a time (the database holds it too). Bulk statements with history rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from grids.models import GridUnit
from grids.viewer import Viewer
from volunteers.models import ServiceCategory, Team, TeamMember, Volunteer

from ..spreadsheets import Column
from .base import BATCH, CREATE, REFUSE, UNCHANGED, UPDATE, ImportKind, Plan, Progress, RowResult, chunks, yes_no
from .people import normalise_mobile
from .places import _scope, choice_lookup, units_by_code

TEAM_COLUMNS = (
    Column("unit_code", gettext_lazy("所在单元编码")),
    Column("name", gettext_lazy("队名")),
    Column("category", gettext_lazy("服务类别")),
    Column("kind", gettext_lazy("队伍类型"), required=False),
    Column("description", gettext_lazy("简介"), required=False),
)


def _categories() -> dict[str, int]:
    lookup = {}
    for pk, code, name, name_en in ServiceCategory.objects.values_list("id", "code", "name", "name_en"):
        lookup.update({code: pk, name: pk})
        if name_en:
            lookup[name_en] = pk
    return lookup


def plan_teams(*, rows, viewer: Viewer, progress: Progress) -> Plan:
    kinds, categories = choice_lookup(Team.Kind), _categories()
    units = units_by_code(v.get("unit_code", "") for _n, v in rows)
    existing = {}
    for chunk in chunks(sorted({u.pk for u in units.values()})):
        for team in Team.objects.filter(unit_id__in=chunk):
            existing[(team.unit_id, team.name)] = team
    plan = Plan(payload={"create": [], "update": []})
    seen: dict[tuple, int] = {}
    for number, values in rows:
        name = values.get("name", "")
        result = RowResult(row=number, key=f"{values.get('unit_code', '')}/{name}")
        plan.results.append(result)
        unit = units.get(values.get("unit_code", ""))
        category = categories.get(values.get("category", ""))
        kind = kinds.get(values.get("kind", "")) if values.get("kind") else Team.Kind.PARTY_VOLUNTEER
        if unit is None:
            result.refuse(_("单元编码“%(code)s”不存在") % {"code": values.get("unit_code", "")})
        elif not name or len(name) > 120:
            result.refuse(_("队名为空或超过 120 个字符"))
        elif category is None:
            result.refuse(_("服务类别“%(c)s”无效") % {"c": values.get("category", "")})
        elif kind is None:
            result.refuse(_("队伍类型“%(k)s”无效") % {"k": values.get("kind", "")})
        elif not viewer.is_staff_over(unit.path):
            result.refuse(_("单元不在您的管辖范围内"))
        elif (unit.pk, name) in seen:
            result.refuse(_("与第 %(row)d 行重复") % {"row": seen[(unit.pk, name)]})
        if result.action == REFUSE:
            continue
        seen[(unit.pk, name)] = number
        fields = {"category_id": category, "kind": kind, "description": values.get("description", "")}
        team = existing.get((unit.pk, name))
        if team is None:
            result.action = CREATE
            plan.payload["create"].append({"unit_id": unit.pk, "name": name, **fields})
        else:
            changed = [f for f, v in fields.items() if getattr(team, f) != v]
            if changed:
                result.action, result.reason = UPDATE, "、".join(changed)
                plan.payload["update"].append((team.pk, fields))
            else:
                result.action = UNCHANGED
    progress(len(rows))
    return plan


def apply_teams(*, plan: Plan, actor, progress: Progress) -> None:
    created = [Team(**row) for row in plan.payload["create"]]
    for chunk in chunks(created):
        bulk_create_with_history(chunk, Team, batch_size=BATCH, default_user=actor)
    teams = {t.pk: t for t in Team.objects.filter(pk__in=[pk for pk, _f in plan.payload["update"]])}
    for pk, fields in plan.payload["update"]:
        for name, value in fields.items():
            setattr(teams[pk], name, value)
    if teams:
        bulk_update_with_history(
            list(teams.values()), Team, ["category_id", "kind", "description"], batch_size=BATCH, default_user=actor
        )
    progress(len(created) + len(teams))


def export_teams(viewer: Viewer, root: GridUnit | None = None) -> Iterator[Sequence]:
    kinds = {c.value: str(c.label) for c in Team.Kind}
    teams = _scope(Team.objects.order_by("unit__path", "name"), viewer, root, "unit")
    for code, name, category, kind, description in teams.values_list(
        "unit__code", "name", "category__code", "kind", "description"
    ):
        yield (code, name, category, kinds[kind], description)


VOLUNTEER_TEAMS = ImportKind(
    name="volunteer_teams",
    label=gettext_lazy("志愿服务队"),
    columns=TEAM_COLUMNS,
    plan=plan_teams,
    apply=apply_teams,
    export=export_teams,
    example=(("GL-XF-001", "示例社区党员志愿服务队", "便民服务类", "党员志愿者服务队", ""),),
)


MEMBER_COLUMNS = (
    Column("team_unit_code", gettext_lazy("服务队所在单元编码")),
    Column("team_name", gettext_lazy("队名")),
    Column("name", gettext_lazy("姓名")),
    Column("mobile", gettext_lazy("手机号")),
    Column("role", gettext_lazy("队内职务"), required=False),
    Column("party_member", gettext_lazy("是否党员"), required=False),
    Column("joined_on", gettext_lazy("入队日期"), required=False),
)


def plan_members(*, rows, viewer: Viewer, progress: Progress) -> Plan:
    roles = choice_lookup(TeamMember.Role)
    units = units_by_code(v.get("team_unit_code", "") for _n, v in rows)
    teams = {}
    for chunk in chunks(sorted({u.pk for u in units.values()})):
        for team in Team.objects.filter(unit_id__in=chunk).select_related("unit"):
            teams[(team.unit.code, team.name)] = team
    mobiles = sorted({normalise_mobile(v.get("mobile", "")) for _n, v in rows})
    volunteers: dict[str, list[Volunteer]] = {}
    for chunk in chunks(mobiles):
        for volunteer in Volunteer.objects.filter(phone__in=chunk):
            volunteers.setdefault(volunteer.phone, []).append(volunteer)
    memberships = {}
    leaders = {}
    team_ids = sorted({t.pk for t in teams.values()})
    for chunk in chunks(team_ids):
        for member in TeamMember.objects.filter(team_id__in=chunk, left_on__isnull=True).select_related("volunteer"):
            memberships[(member.team_id, member.volunteer.phone)] = member
            if member.role == TeamMember.Role.LEADER:
                leaders[member.team_id] = member.volunteer.phone
    plan = Plan(payload={"volunteers": {}, "create": [], "update": []})
    seen: dict[tuple, int] = {}
    names: dict[str, str] = {}
    for number, values in rows:
        mobile = normalise_mobile(values.get("mobile", ""))
        name = values.get("name", "")
        result = RowResult(row=number, key=mobile or values.get("mobile", ""))
        plan.results.append(result)
        team = teams.get((values.get("team_unit_code", ""), values.get("team_name", "")))
        role = roles.get(values.get("role", "")) if values.get("role") else TeamMember.Role.MEMBER
        party = yes_no(values.get("party_member", ""))
        joined = values.get("joined_on", "")
        try:
            if joined.isdigit():  # an Excel date cell read as its serial number
                joined_on = date(1899, 12, 30) + timedelta(days=int(joined))
            else:
                joined_on = date.fromisoformat(joined[:10]) if joined else timezone.localdate()
        except (ValueError, OverflowError):
            joined_on = None
        known = volunteers.get(mobile, [])
        if team is None:
            result.refuse(_("服务队“%(name)s”不存在") % {"name": values.get("team_name", "")})
        elif not name:
            result.refuse(_("缺少姓名"))
        elif len(mobile) != 11 or not mobile.startswith("1"):
            result.refuse(_("手机号“%(m)s”不是 11 位手机号") % {"m": values.get("mobile", "")})
        elif role is None:
            result.refuse(_("队内职务“%(r)s”无效") % {"r": values.get("role", "")})
        elif party is None:
            result.refuse(_("是否党员应填“是”或“否”"))
        elif joined_on is None:
            result.refuse(_("入队日期应为 YYYY-MM-DD"))
        elif not viewer.is_staff_over(team.unit.path):
            result.refuse(_("单元不在您的管辖范围内"))
        elif (team.pk, mobile) in seen:
            result.refuse(_("与第 %(row)d 行重复") % {"row": seen[(team.pk, mobile)]})
        elif names.get(mobile, name) != name or (known and known[0].full_name != name):
            result.refuse(_("重复手机号：同一手机号的姓名不一致"))
        elif len(known) > 1:
            result.refuse(_("系统中有多个志愿者使用此手机号"))
        elif role == TeamMember.Role.LEADER and leaders.get(team.pk, mobile) != mobile:
            result.refuse(_("本队已有队长（%(m)s）") % {"m": leaders[team.pk]})
        if result.action == REFUSE:
            continue
        seen[(team.pk, mobile)] = number
        names[mobile] = name
        if role == TeamMember.Role.LEADER:
            leaders[team.pk] = mobile
        if not known and mobile not in plan.payload["volunteers"]:
            plan.payload["volunteers"][mobile] = {
                "full_name": name,
                "phone": mobile,
                "is_party_member": party,
                "unit_id": team.unit_id,
            }
        current = memberships.get((team.pk, mobile))
        if current is None:
            result.action = CREATE
            plan.payload["create"].append({"team_id": team.pk, "mobile": mobile, "role": role, "joined_on": joined_on})
        elif current.role != role:
            result.action, result.reason = UPDATE, _("职务：%(r)s") % {"r": TeamMember.Role(role).label}
            plan.payload["update"].append((current.pk, role))
        else:
            result.action = UNCHANGED
    progress(len(rows))
    return plan


def apply_members(*, plan: Plan, actor, progress: Progress) -> None:
    new = [Volunteer(**v) for v in plan.payload["volunteers"].values()]
    for chunk in chunks(new):
        bulk_create_with_history(chunk, Volunteer, batch_size=BATCH, default_user=actor)
    mobiles = sorted({row["mobile"] for row in plan.payload["create"]})
    ids = {}
    for chunk in chunks(mobiles):
        ids.update(Volunteer.objects.filter(phone__in=chunk).values_list("phone", "id"))
    # Demotions first: a new leader may replace one stepping down in the same file.
    members = {m.pk: m for m in TeamMember.objects.filter(pk__in=[pk for pk, _r in plan.payload["update"]])}
    for pk, role in sorted(plan.payload["update"], key=lambda u: u[1] == TeamMember.Role.LEADER):
        members[pk].role = role
    if members:
        bulk_update_with_history(list(members.values()), TeamMember, ["role"], batch_size=BATCH, default_user=actor)
    created = [
        TeamMember(
            team_id=row["team_id"], volunteer_id=ids[row["mobile"]], role=row["role"], joined_on=row["joined_on"]
        )
        for row in plan.payload["create"]
    ]
    for chunk in chunks(created):
        bulk_create_with_history(chunk, TeamMember, batch_size=BATCH, default_user=actor)
    progress(len(new) + len(created) + len(members))


def export_members(viewer: Viewer, root: GridUnit | None = None) -> Iterator[Sequence]:
    roles = {c.value: str(c.label) for c in TeamMember.Role}
    yes, no = _("是"), _("否")
    members = _scope(
        TeamMember.objects.filter(left_on__isnull=True)
        .exclude(Q(volunteer__phone=""))
        .order_by("team__unit__path", "team__name", "pk"),
        viewer,
        root,
        "team__unit",
    )
    for code, team, name, phone, role, party, joined in members.values_list(
        "team__unit__code",
        "team__name",
        "volunteer__full_name",
        "volunteer__phone",
        "role",
        "volunteer__is_party_member",
        "joined_on",
    ):
        yield (code, team, name, phone, roles[role], yes if party else no, joined.isoformat())


VOLUNTEER_MEMBERS = ImportKind(
    name="volunteer_members",
    label=gettext_lazy("志愿服务队队员"),
    columns=MEMBER_COLUMNS,
    plan=plan_members,
    apply=apply_members,
    export=export_members,
    example=(("GL-XF-001", "示例社区党员志愿服务队", "王五", "13900000000", "队员", "是", "2026-01-01"),),
)
