"""The spine of the portal: the grid tree, the people and the posts they hold.

The tree is a materialised path: each unit's `path` is its ancestors' steps
followed by its own, four base-36 characters a level. A subtree is one indexed
range query (`path__startswith`, see TreePathField), the ancestors one
`path IN (...)` query, whatever the depth and size. See README, "The grid tree".
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.lookups import StartsWith
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

PATH_STEP = 4  # characters per level: 36**4 = 1,679,616 children per parent
PATH_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def path_step(index: int) -> str:
    """The fixed-width base-36 step for the index-th child (0-based)."""
    if index < 0 or index >= len(PATH_ALPHABET) ** PATH_STEP:
        raise ValueError(f"child index {index} out of range")
    digits = []
    for _i in range(PATH_STEP):
        index, digit = divmod(index, len(PATH_ALPHABET))
        digits.append(PATH_ALPHABET[digit])
    return "".join(reversed(digits))


def path_step_index(step: str) -> int:
    value = 0
    for char in step:
        value = value * len(PATH_ALPHABET) + PATH_ALPHABET.index(char)
    return value


def path_upper_bound(prefix: str) -> str | None:
    """The smallest string above every path that starts with `prefix` (None: no bound).

    Paths use only [0-9A-Z], so incrementing the last character that is not
    "Z" (and dropping what follows it) gives the exclusive upper end.
    """
    chars = list(prefix)
    while chars:
        position = PATH_ALPHABET.find(chars[-1])
        if 0 <= position < len(PATH_ALPHABET) - 1:
            chars[-1] = PATH_ALPHABET[position + 1]
            return "".join(chars)
        chars.pop()
    return None


class PathPrefix(StartsWith):
    """`path__startswith=prefix` as a range, `prefix <= path < upper`.

    A LIKE with an ESCAPE clause cannot use SQLite's index, and a range uses
    the plain b-tree index on both SQLite and PostgreSQL (our paths compare the
    same in every collation, being upper-case letters and digits of one width).
    Expressions on the right (OuterRef...) keep the ordinary LIKE.
    """

    def as_sql(self, compiler, connection):
        if not isinstance(self.rhs, str) or any(char not in PATH_ALPHABET for char in self.rhs):
            return super().as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        upper = path_upper_bound(self.rhs)
        if upper is None:
            return f"{lhs} >= %s", [*lhs_params, self.rhs]
        return f"({lhs} >= %s AND {lhs} < %s)", [*lhs_params, self.rhs, *lhs_params, upper]


class TreePathField(models.CharField):
    """A CharField whose prefix lookup is an index range (see PathPrefix)."""

    def deconstruct(self):
        # Stored exactly like a CharField: no migration, no difference in the schema.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs


TreePathField.register_lookup(PathPrefix)


def ancestor_paths(path: str) -> list[str]:
    """Paths of every proper ancestor, root first."""
    return [path[:end] for end in range(PATH_STEP, len(path), PATH_STEP)]


class User(AbstractUser):
    """A person who logs in. What they may see comes from their posts."""

    full_name = models.CharField(_("姓名"), max_length=60, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    # Kept with the person (spreadsheet import, people pages): the offices' rosters record it.
    is_party_member = models.BooleanField(_("党员"), default=False)

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class GridUnitQuerySet(models.QuerySet):
    def subtree_of(self, unit: "GridUnit") -> "GridUnitQuerySet":
        """The unit and everything below it."""
        return self.filter(path__startswith=unit.path)

    def descendants_of(self, unit: "GridUnit") -> "GridUnitQuerySet":
        return self.filter(path__startswith=unit.path).exclude(pk=unit.pk)

    def ancestors_of(self, unit: "GridUnit") -> "GridUnitQuerySet":
        return self.filter(path__in=ancestor_paths(unit.path)).order_by("path")

    def micro_grids(self) -> "GridUnitQuerySet":
        """Units at area level or below: where grid workers hold posts."""
        return self.filter(level__gte=GridUnit.Level.AREA)


class GridUnit(models.Model):
    class Level(models.IntegerChoices):
        CITY = 1, _("市")
        DISTRICT = 2, _("城区/县")
        STREET = 3, _("街道/乡镇")
        COMMUNITY = 4, _("社区/村")
        AREA = 5, _("片区")
        COMPOUND = 6, _("小区")
        ZONE = 7, _("责任区")

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单元"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Maintained by grids.services only; never edited by hand.
    path = TreePathField(_("路径"), max_length=PATH_STEP * len(Level), unique=True, editable=False)
    is_property_managed = models.BooleanField(
        _("物业小区"), default=False, help_text=_("小区有物业服务企业，应选派党建指导员")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # Geography (grids.geography): a GeoJSON Polygon or MultiPolygon in WGS-84, written only through
    # grids.geography.boundary_fields() so the centroid and the bounding box always match it. The box
    # lets the point lookup prefilter in SQL (an index on each edge) before the exact test in Shapely.
    boundary = models.JSONField(_("边界"), null=True, blank=True, editable=False)
    centroid_lat = models.FloatField(_("中心纬度"), null=True, blank=True, editable=False)
    centroid_lng = models.FloatField(_("中心经度"), null=True, blank=True, editable=False)
    bbox_south = models.FloatField(_("南界"), null=True, blank=True, editable=False)
    bbox_west = models.FloatField(_("西界"), null=True, blank=True, editable=False)
    bbox_north = models.FloatField(_("北界"), null=True, blank=True, editable=False)
    bbox_east = models.FloatField(_("东界"), null=True, blank=True, editable=False)

    objects = GridUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格单元")
        verbose_name_plural = _("网格单元")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["level", "path"], name="gridunit_level_path"),
            # A subtree's unit ids straight from the index (PostgreSQL: an index-only scan): every "in this
            # unit's subtree" filter starts from them, and a district of --scale 10 has 73,000 units,
            # which read through the table took half of a list's first page.
            models.Index(fields=["path"], include=["id"], name="gridunit_path_ids"),
            # A row's unit checked against a jurisdiction one row at a time (`probed_per_row`: a list's first
            # page) from the index alone: at --scale 10 the units' table (boundaries and all) is 314 MB, so
            # each probe by primary key read a table page the shared buffers no longer held.
            models.Index(fields=["id"], include=["path"], name="gridunit_id_path"),
            # The point lookup's prefilter: south <= lat <= north and west <= lng <= east. PostgreSQL
            # combines the edges' indexes (bitmap AND); SQLite takes the most selective one.
            models.Index(fields=["bbox_south", "bbox_north"], name="gridunit_bbox_lat"),
            models.Index(fields=["bbox_west", "bbox_east"], name="gridunit_bbox_lng"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1) & Q(level__lte=7), name="gridunit_level_range"),
            # The root alone has no parent; every other unit has one.
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True) | Q(level__gt=1, parent__isnull=False),
                name="gridunit_parent_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_micro_grid(self) -> bool:
        return self.level >= self.Level.AREA

    def is_within(self, other: "GridUnit") -> bool:
        """True when self is other or lies below it."""
        return self.path.startswith(other.path)


class PostQuerySet(models.QuerySet):
    def current(self) -> "PostQuerySet":
        return self.filter(ended_on__isnull=True)

    def ended(self) -> "PostQuerySet":
        return self.filter(ended_on__isnull=False)


class CurrentPostManager(models.Manager.from_queryset(PostQuerySet)):
    """Posts held today. A retired post keeps its row (with `ended_on`) as the person's history, and
    gives no jurisdiction: every reader of `Post.objects` (the Viewer, routing, selectors) sees only
    current posts without having to remember a filter. `Post.terms` reads every post, ended ones too."""

    def get_queryset(self) -> PostQuerySet:
        return super().get_queryset().filter(ended_on__isnull=True)


class Post(models.Model):
    """A role a person holds at a unit. A user's jurisdiction is the union of their current posts' subtrees."""

    class Role(models.TextChoices):
        GRID_LEADER = "grid_leader", _("网格长")
        GRID_WORKER = "grid_worker", _("网格员")
        PARTY_INSTRUCTOR = "party_instructor", _("党建指导员")
        COMMUNITY_STAFF = "community_staff", _("社区工作人员")
        STREET_STAFF = "street_staff", _("街道工作人员")
        DISTRICT_STAFF = "district_staff", _("城区工作人员")
        ORG_DEPARTMENT = "org_department", _("城区党委组织部")
        CITY_ADMIN = "city_admin", _("市级管理员")

    # Where each role may be held: the level, or the lowest level, of its unit.
    ROLE_LEVELS = {
        Role.GRID_LEADER: (GridUnit.Level.AREA, GridUnit.Level.ZONE),
        Role.GRID_WORKER: (GridUnit.Level.AREA, GridUnit.Level.ZONE),
        Role.PARTY_INSTRUCTOR: (GridUnit.Level.COMPOUND, GridUnit.Level.COMPOUND),
        Role.COMMUNITY_STAFF: (GridUnit.Level.COMMUNITY, GridUnit.Level.COMMUNITY),
        Role.STREET_STAFF: (GridUnit.Level.STREET, GridUnit.Level.STREET),
        Role.DISTRICT_STAFF: (GridUnit.Level.DISTRICT, GridUnit.Level.DISTRICT),
        Role.ORG_DEPARTMENT: (GridUnit.Level.DISTRICT, GridUnit.Level.DISTRICT),
        Role.CITY_ADMIN: (GridUnit.Level.CITY, GridUnit.Level.CITY),
    }
    STAFF_ROLES = frozenset(
        {
            Role.COMMUNITY_STAFF,
            Role.STREET_STAFF,
            Role.DISTRICT_STAFF,
            Role.ORG_DEPARTMENT,
            Role.CITY_ADMIN,
        }
    )

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="posts")
    unit = models.ForeignKey(GridUnit, verbose_name=_("单元"), on_delete=models.PROTECT, related_name="posts")
    role = models.CharField(_("岗位"), max_length=32, choices=Role.choices)
    is_full_time = models.BooleanField(_("专职"), default=False, help_text=_("网格员：专职或兼职"))
    started_on = models.DateField(_("任职日期"), null=True, blank=True)
    # Set when the post is retired (people.services.post_retire); the row stays as history.
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = CurrentPostManager()
    terms = PostQuerySet.as_manager()

    # Audit history (audit/): who gave or took a post, and when (a removal keeps its version).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        ordering = ["unit__path", "role"]
        constraints = [
            # One current post per person, unit and role; retired ones may repeat (held again later).
            models.UniqueConstraint(
                fields=["user", "unit", "role"],
                condition=Q(ended_on__isnull=True),
                name="post_unique_current_user_unit_role",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=models.F("started_on")),
                name="post_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["role", "unit"], name="post_role_unit")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"

    @property
    def is_staff_post(self) -> bool:
        return self.role in self.STAFF_ROLES
