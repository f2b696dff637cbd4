"""Who is asking: the one `Viewer` every page, API call, task and command asks "may I?".

A Viewer is built once per request (by `ViewerMiddleware` for pages, by the
DRF authentication classes for the API), once per task or command
(`Viewer.system()`), and never changes afterwards. It holds every standing the
person has and where, read in ONE query whatever the number of posts:

- their posts (role, unit id, unit path), and from them the jurisdiction (the
  union of the subtrees of every post) and the staff paths (subtrees of staff
  posts only: community staff and above);
- what the apps above grids know about them, as ids: the departments they
  belong to, the volunteer teams they lead, their own volunteer record, the
  service points whose staff they are, the co-building units they act for.

grids imports no other app, so those facets are *registered* by the apps
that own the rows (`register_facet()` in each app's `AppConfig.ready()`); the
Viewer only declares the typed fields. Statistics keys and Open311 clients are
Viewers too (`Viewer.for_client()`): they read one subtree and are nobody.

Access predicates live in each app's `access.py` as pure functions of a
Viewer; nothing is cached on User objects.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db.models import CharField, F, QuerySet, Value

if TYPE_CHECKING:
    from .models import User


class ViewerKind(StrEnum):
    ANONYMOUS = "anonymous"
    USER = "user"
    STATS_KEY = "stats_key"
    OPEN311_CLIENT = "open311_client"
    SYSTEM = "system"


@dataclass(frozen=True)
class PostHeld:
    role: str
    unit_id: int
    path: str


def minimal_prefixes(paths) -> tuple[str, ...]:
    """Drop every path that lies under another one in the list."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return tuple(kept)


@dataclass(frozen=True)
class Standing:
    """Every role a person holds and where: their posts and the registered facets (ids)."""

    posts: tuple[PostHeld, ...] = ()
    departments: frozenset[int] = frozenset()
    teams_led: frozenset[int] = frozenset()
    volunteer_ids: frozenset[int] = frozenset()
    service_points: frozenset[int] = frozenset()
    cobuilding_units: frozenset[int] = frozenset()
    party_organisations: frozenset[int] = frozenset()


NOBODY = Standing()


@dataclass(frozen=True)
class Viewer:
    """Who is asking, with every standing they hold and where. Immutable; build with the class methods.

    A person's standing is read on first use, in one query, and kept for the life
    of this Viewer (a request or a task): a page that asks nothing costs nothing,
    and a superuser's jurisdiction needs no query at all.
    """

    kind: ViewerKind
    user: User | None = None
    # The statistics key or Open311 client behind an API call (a model row), else None.
    client: Any = None
    # A superuser, or the system itself (tasks, commands): every unit, every action.
    sees_everything: bool = False
    # A program's subtrees (statistics key, Open311 client); a person's come from their posts.
    client_paths: tuple[str, ...] = ()
    label: str = field(default="", compare=False)

    # -- construction --------------------------------------------------------

    @classmethod
    def anonymous(cls) -> Viewer:
        return cls(kind=ViewerKind.ANONYMOUS, label="anonymous")

    @classmethod
    def system(cls) -> Viewer:
        """Celery tasks and management commands: they act on every unit, as the system."""
        return cls(kind=ViewerKind.SYSTEM, sees_everything=True, label="system")

    @classmethod
    def for_client(cls, kind: ViewerKind, client: Any, paths, *, label: str = "") -> Viewer:
        """A program's viewer (a statistics key, an Open311 client): reads its subtrees, is nobody."""
        return cls(kind=kind, client=client, client_paths=minimal_prefixes(paths), label=label)

    @classmethod
    def for_user(cls, user: User | None) -> Viewer:
        """The user's Viewer (the anonymous one for nobody or an inactive account)."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return cls.anonymous()
        return cls(kind=ViewerKind.USER, user=user, sees_everything=bool(user.is_superuser), label=user.get_username())

    # -- standing (read once, on first use) ------------------------------------

    @cached_property
    def standing(self) -> Standing:
        if self.kind != ViewerKind.USER or self.user is None:
            return NOBODY
        return _load_standing(self.user.pk)

    @property
    def posts(self) -> tuple[PostHeld, ...]:
        return self.standing.posts

    @property
    def departments(self) -> frozenset[int]:
        return self.standing.departments

    @property
    def teams_led(self) -> frozenset[int]:
        return self.standing.teams_led

    @property
    def volunteer_ids(self) -> frozenset[int]:
        return self.standing.volunteer_ids

    @property
    def service_points(self) -> frozenset[int]:
        return self.standing.service_points

    @property
    def cobuilding_units(self) -> frozenset[int]:
        return self.standing.cobuilding_units

    @property
    def party_organisations(self) -> frozenset[int]:
        """The party organisations the person is the secretary of (registered by party)."""
        return self.standing.party_organisations

    @cached_property
    def jurisdiction(self) -> tuple[str, ...] | None:
        """Minimal tree prefixes the viewer reads; None means everything."""
        if self.sees_everything:
            return None
        if self.client_paths:
            return self.client_paths
        return minimal_prefixes(p.path for p in self.posts)

    @cached_property
    def staff_paths(self) -> tuple[str, ...] | None:
        """Subtrees where the viewer holds a staff post (community staff and above); None: everywhere."""
        if self.sees_everything:
            return None
        return minimal_prefixes(p.path for p in self.posts if p.role in _staff_roles())

    # -- who ---------------------------------------------------------------------

    @property
    def is_authenticated(self) -> bool:
        return self.kind != ViewerKind.ANONYMOUS

    @property
    def is_person(self) -> bool:
        return self.kind == ViewerKind.USER

    @property
    def is_client(self) -> bool:
        return self.kind in (ViewerKind.STATS_KEY, ViewerKind.OPEN311_CLIENT)

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    @property
    def volunteer_id(self) -> int | None:
        """The person's own volunteer record (one at most)."""
        return min(self.volunteer_ids) if self.volunteer_ids else None

    # -- where -----------------------------------------------------------------------

    def paths_for(self, *roles: str) -> tuple[str, ...]:
        """Unit paths of the viewer's posts in these roles (exactly where they are held)."""
        return tuple(p.path for p in self.posts if p.role in roles)

    def unit_ids_for(self, *roles: str) -> frozenset[int]:
        return frozenset(p.unit_id for p in self.posts if p.role in roles)

    def holds(self, role: str, path: str) -> bool:
        """Holds this role exactly at the unit with this path."""
        return any(p.role == role and p.path == path for p in self.posts)

    def holds_over(self, roles, path: str) -> bool:
        """Holds one of these roles at the unit with this path or above it."""
        return any(p.role in roles and path.startswith(p.path) for p in self.posts)

    @property
    def has_posts(self) -> bool:
        return bool(self.posts)

    @property
    def staff_unit_ids(self) -> frozenset[int]:
        return frozenset(p.unit_id for p in self.posts if p.role in _staff_roles())

    @property
    def org_department_paths(self) -> tuple[str, ...]:
        """The districts where the viewer is the organisation department."""
        from .models import Post

        return self.paths_for(Post.Role.ORG_DEPARTMENT)

    def sees_path(self, path: str) -> bool:
        """The unit with this path lies in the viewer's jurisdiction."""
        if self.jurisdiction is None:
            return True
        return any(path.startswith(prefix) for prefix in self.jurisdiction)

    def is_staff_over(self, path: str) -> bool:
        """A staff post (community staff and above) whose subtree holds this path, or everything."""
        if self.staff_paths is None:
            return True
        return any(path.startswith(prefix) for prefix in self.staff_paths)

    def __str__(self) -> str:
        return f"{self.kind}:{self.label}"


# -- facets registered by the apps above grids ---------------------------------------

FacetSource = Callable[[int], QuerySet]
_FACETS: dict[str, tuple[FacetSource, str]] = {}
_FACET_FIELDS = {
    "departments",
    "teams_led",
    "volunteer_ids",
    "service_points",
    "cobuilding_units",
    "party_organisations",
}


def register_facet(name: str, rows: FacetSource, column: str) -> None:
    """Tell the Viewer how to read one facet: `rows(user_id)` is a queryset, `column` the id it yields.

    Called from the owning app's AppConfig.ready(); the facet's rows join the one
    query that builds every Viewer.
    """
    if name not in _FACET_FIELDS:
        raise ValueError(f"Viewer has no facet {name!r}; declare the field first.")
    _FACETS[name] = (rows, column)


def facet_rows(name: str, user_id: int) -> QuerySet:
    """The rows behind a registered facet, as a one-column subquery (for list filters without the Viewer)."""
    rows, column = _FACETS[name]
    return rows(user_id).order_by().values(column)


def registered_facets() -> tuple[str, ...]:
    return tuple(sorted(_FACETS))


def _staff_roles() -> frozenset[str]:
    from .models import Post

    return Post.STAFF_ROLES


# Stands for the user's id while the standing query is compiled; replaced by the real id in its parameters.
_USER_ID_MARK = -7_310_417_000_417
# The standing query compiled once per process and database (its shape depends only on the registered
# facets): compiling a six-part UNION through the ORM on every request cost more than running it.
_STANDING_SQL: dict[tuple[str, tuple[str, ...]], tuple[str, tuple]] = {}


def _standing_query(user_id: int) -> QuerySet:
    from .models import Post

    text = CharField()
    query = Post.objects.filter(user_id=user_id).order_by().values_list("role", "unit_id", "unit__path")
    parts = [
        rows(user_id).order_by().values_list(Value(name, output_field=text), F(column), Value("", output_field=text))
        for name, (rows, column) in sorted(_FACETS.items())
    ]
    return query.union(*parts, all=True) if parts else query


def _standing_rows(user_id: int) -> list[tuple[str, int, str]]:
    from django.db import connections

    from .models import Post

    alias = Post.objects.db
    key = (alias, tuple(sorted(_FACETS)))
    compiled = _STANDING_SQL.get(key)
    if compiled is None:
        compiled = _STANDING_SQL[key] = _standing_query(_USER_ID_MARK).query.sql_with_params()
    sql, params = compiled
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [user_id if value == _USER_ID_MARK else value for value in params])
        return cursor.fetchall()


def _load_standing(user_id: int) -> Standing:
    """Posts and every registered facet in one UNION ALL query: (tag, id, path) rows."""
    posts: list[PostHeld] = []
    facets: dict[str, set[int]] = {name: set() for name in _FACET_FIELDS}
    for tag, ident, path in _standing_rows(user_id):
        if tag in facets:
            facets[tag].add(ident)
        else:
            posts.append(PostHeld(role=tag, unit_id=ident, path=path))
    posts.sort(key=lambda p: (p.path, p.role))
    return Standing(posts=tuple(posts), **{name: frozenset(ids) for name, ids in facets.items()})


# -- the viewer of the work in hand ------------------------------------------------

# A function returning the Viewer of the request or task being served: the request's
# Viewer may still be replaced by DRF authentication after the middleware ran.
_current: contextvars.ContextVar[Callable[[], Viewer] | None] = contextvars.ContextVar("current_viewer", default=None)


@contextmanager
def acting_as(viewer: Viewer | Callable[[], Viewer]) -> Iterator[None]:
    """While the block runs, `viewer_of()` answers with this Viewer (a request's, a task's)."""
    token = _current.set(viewer if callable(viewer) and not isinstance(viewer, Viewer) else (lambda: viewer))
    try:
        yield
    finally:
        _current.reset(token)


def bind_viewer(viewer: Viewer) -> contextvars.Token:
    """Like `acting_as`, for hooks that start and end in two calls (a Celery task's pre- and post-run)."""
    return _current.set(lambda: viewer)


def unbind_viewer(token: contextvars.Token) -> None:
    _current.reset(token)


def current_viewer() -> Viewer | None:
    source = _current.get()
    return source() if source is not None else None


def viewer_of(who: Any) -> Viewer:
    """The Viewer for a Viewer, a user or None.

    Services take the acting user (it is written on events) and ask here for
    their standing: inside a request or task that is the Viewer already built
    for it; otherwise (a shell, a test calling a service) one is built now.
    """
    if isinstance(who, Viewer):
        return who
    if who is None or not getattr(who, "is_authenticated", False):
        return Viewer.anonymous()
    current = current_viewer()
    if current is not None and current.user is not None and current.user.pk == who.pk:
        return current
    return Viewer.for_user(who)


def with_user(viewer: Viewer, user: User) -> Viewer:
    """The same standing with another copy of the user row (after a reload)."""
    return replace(viewer, user=user)
