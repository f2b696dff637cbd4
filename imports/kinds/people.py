"""People and posts: name, mobile, role, unit code, party member, full time. Natural keys: the mobile
(a person) and (mobile, unit code, role) (a current post).

A new mobile is a new account (user name = the mobile, no usable password: the
person sets one through an activation link from the people pages). A known mobile
must carry the same name (a different name is refused, never overwritten: two people
sharing a phone is an error in the sheet). The post must fit the unit's level and be
one the importer may grant (people.access: in their subtree, not above their level).
Apply: users and posts in bulk statements; posts with their history rows
(simple_history's bulk_create_with_history), so the audit pages show who imported them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.contrib.auth.hashers import make_password
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from grids.models import GridUnit, Post, User
from grids.viewer import Viewer
from people.access import grant_refusal

from ..spreadsheets import Column
from .base import BATCH, CREATE, REFUSE, UNCHANGED, UPDATE, ImportKind, Plan, Progress, RowResult, chunks, yes_no

COLUMNS = (
    Column("name", gettext_lazy("姓名")),
    Column("mobile", gettext_lazy("手机号")),
    Column("role", gettext_lazy("岗位")),
    Column("unit_code", gettext_lazy("单元编码")),
    Column("party_member", gettext_lazy("是否党员"), required=False),
    Column("full_time", gettext_lazy("是否专职"), required=False),
)


def role_lookup() -> dict[str, str]:
    """Role by key or label (Chinese and the current language): built once per file."""
    lookup: dict[str, str] = {}
    with translation.override("zh-hans"):
        lookup.update({str(role.label): role.value for role in Post.Role})
    for role in Post.Role:
        lookup[role.value] = role.value
        lookup[str(role.label)] = role.value
    return lookup


def normalise_mobile(text: str) -> str:
    return "".join(ch for ch in (text or "") if ch.isdigit())


def plan(*, rows: list[tuple[int, dict]], viewer: Viewer, progress: Progress) -> Plan:
    results: list[RowResult] = []
    parsed = []
    first_name: dict[str, tuple[str, int]] = {}  # mobile -> (name, first row)
    first_post: dict[tuple[str, str, str], int] = {}
    roles = role_lookup()
    for number, values in rows:
        name = values.get("name", "")
        mobile = normalise_mobile(values.get("mobile", ""))
        role = roles.get(values.get("role", "").strip())
        unit_code = values.get("unit_code", "")
        party = yes_no(values.get("party_member", ""))
        full_time = yes_no(values.get("full_time", ""))
        result = RowResult(row=number, key=mobile or values.get("mobile", ""))
        results.append(result)
        if not name:
            result.refuse(_("缺少姓名"))
        elif len(name) > 60:
            result.refuse(_("姓名超过 60 个字符"))
        elif len(mobile) != 11 or not mobile.startswith("1"):
            result.refuse(_("手机号“%(m)s”不是 11 位手机号") % {"m": values.get("mobile", "")})
        elif role is None:
            result.refuse(_("岗位“%(r)s”无效") % {"r": values.get("role", "")})
        elif not unit_code:
            result.refuse(_("缺少单元编码"))
        elif party is None:
            result.refuse(_("是否党员应填“是”或“否”"))
        elif full_time is None:
            result.refuse(_("是否专职应填“是”或“否”"))
        elif mobile in first_name and first_name[mobile][0] != name:
            result.refuse(
                _("重复手机号：与第 %(row)d 行同号但姓名不同（%(name)s）")
                % {"row": first_name[mobile][1], "name": first_name[mobile][0]}
            )
        elif (mobile, unit_code, role) in first_post:
            result.refuse(
                _("与第 %(row)d 行重复（同一人、同一单元、同一岗位）") % {"row": first_post[(mobile, unit_code, role)]}
            )
        if result.action == REFUSE:
            continue
        first_name.setdefault(mobile, (name, number))
        first_post[(mobile, unit_code, role)] = number
        parsed.append((result, name, mobile, role, unit_code, party, full_time))

    units: dict[str, tuple[int, int, str]] = {}
    for chunk in chunks(sorted({p[4] for p in parsed})):
        for pk, code, level, path in GridUnit.objects.filter(code__in=chunk).values_list("id", "code", "level", "path"):
            units[code] = (pk, level, path)
    people: dict[str, list[dict]] = {}
    usernames: set[str] = set()
    mobiles = sorted({p[2] for p in parsed})
    for chunk in chunks(mobiles):
        for row in User.objects.filter(phone__in=chunk).values(
            "id", "phone", "full_name", "is_party_member", "username"
        ):
            people.setdefault(row["phone"], []).append(row)
        usernames |= set(User.objects.filter(username__in=chunk).values_list("username", flat=True))
    user_ids = sorted({row["id"] for rows_ in people.values() for row in rows_})
    posts: dict[tuple[int, int, str], tuple[int, bool]] = {}
    for chunk in chunks(user_ids):
        for pk, user_id, unit_id, role, full_time in Post.objects.filter(user_id__in=chunk).values_list(
            "id", "user_id", "unit_id", "role", "is_full_time"
        ):
            posts[(user_id, unit_id, role)] = (pk, full_time)

    new_users: dict[str, dict] = {}
    user_updates: dict[int, bool] = {}
    new_posts: list[dict] = []
    post_updates: dict[int, bool] = {}
    for done, (result, name, mobile, role, unit_code, party, full_time) in enumerate(parsed, start=1):
        if done % BATCH == 0:
            progress(done)
        unit = units.get(unit_code)
        if unit is None:
            result.refuse(_("单元编码“%(code)s”不存在") % {"code": unit_code})
            continue
        unit_id, level, path = unit
        lowest, highest = Post.ROLE_LEVELS[Post.Role(role)]
        if not lowest <= level <= highest:
            result.refuse(
                _("层级错误：“%(role)s”不能设在%(level)s")
                % {"role": Post.Role(role).label, "level": GridUnit.Level(level).label}
            )
            continue
        refusal = grant_refusal(viewer, role, path)
        if refusal == "above":
            result.refuse(_("“%(role)s”岗位高于您的层级，不能授予") % {"role": Post.Role(role).label})
            continue
        if refusal is not None:
            result.refuse(_("单元不在您的管辖范围内"))
            continue
        known = people.get(mobile, [])
        if len(known) > 1:
            result.refuse(_("系统中有多个账号使用此手机号，请先在人员页处理"))
            continue
        changes = []
        if known:
            person = known[0]
            if person["full_name"] != name:
                result.refuse(_("手机号已属于“%(name)s”，与本行姓名不同") % {"name": person["full_name"]})
                continue
            user_key = person["id"]
            if user_updates.get(user_key, party) != party:
                result.refuse(_("同一手机号的“是否党员”前后不一致"))
                continue
            if person["is_party_member"] != party:
                user_updates[user_key] = party
                changes.append(_("党员：%(v)s") % {"v": _("是") if party else _("否")})
            current = posts.get((person["id"], unit_id, role))
        else:
            if mobile in usernames:
                result.refuse(_("用户名“%(m)s”已被另一账号占用") % {"m": mobile})
                continue
            if mobile in new_users and new_users[mobile]["is_party_member"] != party:
                result.refuse(_("同一手机号的“是否党员”前后不一致"))
                continue
            new_users.setdefault(mobile, {"full_name": name, "phone": mobile, "is_party_member": party})
            user_key = mobile
            current = None
        if current is None:
            new_posts.append({"user": user_key, "unit_id": unit_id, "role": role, "is_full_time": full_time})
            result.action = CREATE
            result.reason = "；".join([_("新账号") if not known else "", *changes]).strip("；")
        else:
            if current[1] != full_time:
                post_updates[current[0]] = full_time
                changes.append(_("专职：%(v)s") % {"v": _("是") if full_time else _("否")})
            result.action = UPDATE if changes else UNCHANGED
            result.reason = "；".join(changes)
    progress(len(rows))
    return Plan(
        results=results,
        payload={
            "new_users": new_users,
            "user_updates": user_updates,
            "new_posts": new_posts,
            "post_updates": post_updates,
        },
    )


def apply(*, plan: Plan, actor, progress: Progress) -> None:
    payload = plan.payload
    done = 0
    unusable = make_password(None)  # one unusable hash for all: nobody logs in before their activation link
    users = [
        User(
            username=mobile,
            phone=mobile,
            full_name=u["full_name"],
            is_party_member=u["is_party_member"],
            password=unusable,
        )
        for mobile, u in payload["new_users"].items()
    ]
    ids: dict[str, int] = {}
    for chunk in chunks(users):
        for user in User.objects.bulk_create(chunk, batch_size=BATCH):
            ids[user.username] = user.pk
        done += len(chunk)
        progress(done)
    if len(ids) != len(users):  # a backend that returns no ids: read them back
        for chunk in chunks([u.username for u in users]):
            ids.update(User.objects.filter(username__in=chunk).values_list("username", "id"))
    updates = [User(pk=pk, is_party_member=party) for pk, party in payload["user_updates"].items()]
    User.objects.bulk_update(updates, ["is_party_member"], batch_size=BATCH)
    today = timezone.localdate()
    posts = [
        Post(
            user_id=ids[p["user"]] if isinstance(p["user"], str) else p["user"],
            unit_id=p["unit_id"],
            role=p["role"],
            is_full_time=p["is_full_time"],
            started_on=today,
        )
        for p in payload["new_posts"]
    ]
    for chunk in chunks(posts):
        bulk_create_with_history(chunk, Post, batch_size=BATCH, default_user=actor)
        done += len(chunk)
        progress(done)
    post_updates = [Post(pk=pk, is_full_time=v) for pk, v in payload["post_updates"].items()]
    Post.objects.bulk_update(post_updates, ["is_full_time"], batch_size=BATCH)


def export(viewer: Viewer, root: GridUnit | None = None) -> Iterator[Sequence]:
    posts = Post.objects.order_by("unit__path", "role", "user__phone")
    if root is not None:
        posts = posts.filter(unit__path__startswith=root.path)
    elif viewer.staff_paths is not None:
        from grids.jurisdiction import paths_q

        posts = posts.filter(paths_q(viewer.staff_paths))
    yes, no = _("是"), _("否")
    labels = {role.value: str(role.label) for role in Post.Role}
    for name, phone, role, code, party, full_time in posts.values_list(
        "user__full_name", "user__phone", "role", "unit__code", "user__is_party_member", "is_full_time"
    ).iterator(chunk_size=BATCH):
        yield (name, phone, labels[role], code, yes if party else no, yes if full_time else no)


KIND = ImportKind(
    name="people",
    label=gettext_lazy("人员和岗位"),
    columns=COLUMNS,
    plan=plan,
    apply=apply,
    export=export,
    example=(("张三", "13800000000", "网格员", "GL-XF-001-01", "是", "是"),),
)
