"""The physical party-service network: service points of every kind, their ratings,
the pioneer alliance workstations' records and the tourism red stations' service log.

One model family with a kind (`ServicePoint.Kind`), as the report counts them:
1,309 party-and-mass service centers on four levels (115 of them urban community
venues), 491 party-member studios, 65 pioneer alliance workstations, 138 tourism
red stations, theme parks, trusted stores and civility practice centers/stations.
Every point hangs from a grid unit, so jurisdiction is the unit's subtree.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from grids.models import GridUnit


class SixFunction(models.TextChoices):
    """The six functions of a party-and-mass service center (report: “六大功能”)."""

    SERVE = "serve", _("服务党员群众")
    TRAINING = "training", _("开展教育培训")
    REGIONAL = "regional", _("推动区域党建")
    VOLUNTEERING = "volunteering", _("组织志愿服务")
    SMART = "smart", _("运行智慧党建")
    EXCHANGE = "exchange", _("交流党建经验")


class ResidentOrganisation(models.TextChoices):
    """Mass organisations present at a point (report: 工会、共青团、妇联等群团单位和公益性组织)."""

    TRADE_UNION = "trade_union", _("工会")
    YOUTH_LEAGUE = "youth_league", _("共青团")
    WOMENS_FEDERATION = "womens_federation", _("妇联")
    PUBLIC_INTEREST = "public_interest", _("公益性组织")


class ServicePointQuerySet(models.QuerySet):
    def active(self) -> ServicePointQuerySet:
        return self.filter(is_active=True)

    def of_kind(self, kind: str) -> ServicePointQuerySet:
        return self.filter(kind=kind)

    def in_subtree(self, unit: GridUnit) -> ServicePointQuerySet:
        return self.filter(unit__path__startswith=unit.path)

    def party_centers(self) -> ServicePointQuerySet:
        return self.filter(kind=ServicePoint.Kind.PARTY_CENTER)

    def workstations(self) -> ServicePointQuerySet:
        return self.filter(kind=ServicePoint.Kind.WORKSTATION)

    def red_stations(self) -> ServicePointQuerySet:
        return self.filter(kind=ServicePoint.Kind.RED_STATION)


class ServicePoint(models.Model):
    """A place where the party serves members and residents: one row per center, studio, station, park or store."""

    class Kind(models.TextChoices):
        PARTY_CENTER = "party_center", _("党群服务中心")
        STUDIO = "studio", _("党员工作室")
        WORKSTATION = "workstation", _("先锋联盟工作站")
        RED_STATION = "red_station", _("旅游红色驿站")
        THEME_PARK = "theme_park", _("党建主题公园")
        TRUSTED_STORE = "trusted_store", _("诚信经营示范店")
        CIVILITY = "civility", _("新时代文明实践阵地")

    class Level(models.TextChoices):
        # Party-and-mass service centers: the four levels of the report, and the
        # urban community venues (社区服务群众场所) that count at the village level.
        CITY = "city", _("市级党群服务中心")
        COUNTY = "county", _("县级党群服务中心")
        TOWNSHIP = "township", _("乡镇（街道）党群服务中心")
        VILLAGE = "village", _("村级党群服务中心")
        COMMUNITY = "community", _("城市社区服务群众场所")
        # Theme parks: “城市主题公园、街道社区特色广场、小区微公园（客厅）”.
        CITY_PARK = "city_park", _("城市主题公园")
        PLAZA = "plaza", _("街道社区特色广场")
        MICRO_PARK = "micro_park", _("小区微公园（客厅）")
        # Trusted stores: 200 “共产党员经营户” and 308 “党组织推荐放心店”.
        PARTY_MEMBER_BUSINESS = "party_member_business", _("共产党员经营户")
        RECOMMENDED_STORE = "recommended_store", _("党组织推荐放心店")
        # Civility practice: 中心（县）、所（乡镇街道）、站（村社区）.
        PRACTICE_CENTER = "practice_center", _("新时代文明实践中心")
        PRACTICE_INSTITUTE = "practice_institute", _("新时代文明实践所")
        PRACTICE_STATION = "practice_station", _("新时代文明实践站")

    # Which levels each kind takes ("" = the kind has no levels), and the grid
    # levels a point of that level may hang from. The services enforce the unit
    # levels; the database holds the kind/level pairs (see Meta.constraints).
    KIND_LEVELS: dict[str, tuple[str, ...]] = {
        Kind.PARTY_CENTER: (Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE, Level.COMMUNITY),
        Kind.STUDIO: ("",),
        Kind.WORKSTATION: ("",),
        Kind.RED_STATION: ("",),
        Kind.THEME_PARK: (Level.CITY_PARK, Level.PLAZA, Level.MICRO_PARK),
        Kind.TRUSTED_STORE: (Level.PARTY_MEMBER_BUSINESS, Level.RECOMMENDED_STORE),
        Kind.CIVILITY: (Level.PRACTICE_CENTER, Level.PRACTICE_INSTITUTE, Level.PRACTICE_STATION),
    }
    _L = GridUnit.Level
    UNIT_LEVELS: dict[str, tuple[int, ...]] = {
        Level.CITY: (_L.CITY,),
        Level.COUNTY: (_L.DISTRICT,),
        Level.TOWNSHIP: (_L.STREET,),
        Level.VILLAGE: (_L.COMMUNITY,),
        Level.COMMUNITY: (_L.COMMUNITY,),
        Level.CITY_PARK: (_L.CITY, _L.DISTRICT),
        Level.PLAZA: (_L.STREET, _L.COMMUNITY),
        Level.MICRO_PARK: (_L.COMMUNITY, _L.AREA, _L.COMPOUND),
        Level.PARTY_MEMBER_BUSINESS: (_L.STREET, _L.COMMUNITY, _L.AREA, _L.COMPOUND),
        Level.RECOMMENDED_STORE: (_L.STREET, _L.COMMUNITY, _L.AREA, _L.COMPOUND),
        Level.PRACTICE_CENTER: (_L.CITY, _L.DISTRICT),
        Level.PRACTICE_INSTITUTE: (_L.STREET,),
        Level.PRACTICE_STATION: (_L.COMMUNITY, _L.AREA, _L.COMPOUND),
        "": (_L.DISTRICT, _L.STREET, _L.COMMUNITY, _L.AREA, _L.COMPOUND),
    }
    del _L

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    level = models.CharField(_("级别/类别"), max_length=24, choices=Level.choices, blank=True, default="")
    unit = models.ForeignKey(
        GridUnit, verbose_name=_("所属单元"), on_delete=models.PROTECT, related_name="service_points"
    )
    name = models.CharField(_("名称"), max_length=120)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    floor_area = models.DecimalField(
        _("面积（平方米）"), max_digits=9, decimal_places=1, null=True, blank=True, help_text=_("场所建筑面积")
    )
    opening_hours = models.CharField(_("开放时间"), max_length=120, blank=True)
    # Short lists that belong to the point and are only ever read with it: JSON
    # lists of codes (functions, organisations) or of names (zones, items).
    functions = models.JSONField(_("六大功能"), default=list, blank=True)
    zones = models.JSONField(_("功能区"), default=list, blank=True, help_text=_("如党群业务办理区、党建工作展示区"))
    resident_organisations = models.JSONField(_("进驻群团组织"), default=list, blank=True)
    service_items = models.JSONField(_("一站式服务事项"), default=list, blank=True)
    menu = models.ManyToManyField(
        "ServiceKind", verbose_name=_("服务菜单"), blank=True, related_name="points", help_text=_("旅游红色驿站")
    )
    description = models.TextField(_("简介"), blank=True)
    # Personal data of the contact person: shown to staff only, never on public pages or the public API.
    contact_name = models.CharField(_("联系人"), max_length=60, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    opened_on = models.DateField(_("建成日期"), null=True, blank=True, help_text=_("工作站考核从建成当月算起"))
    is_active = models.BooleanField(_("开放中"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ServicePointQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务阵地")
        verbose_name_plural = _("服务阵地")
        ordering = ["kind", "level", "name", "pk"]
        indexes = [
            models.Index(fields=["kind", "level"], name="svcpoint_kind_level"),
            models.Index(fields=["is_active", "kind", "level"], name="svcpoint_active_kind_level"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(floor_area__isnull=True) | Q(floor_area__gt=0), name="svcpoint_floor_area_positive"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="svcpoint_coordinates_pair",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="party_center", level__in=["city", "county", "township", "village", "community"])
                    | Q(kind__in=["studio", "workstation", "red_station"], level="")
                    | Q(kind="theme_park", level__in=["city_park", "plaza", "micro_park"])
                    | Q(kind="trusted_store", level__in=["party_member_business", "recommended_store"])
                    | Q(kind="civility", level__in=["practice_center", "practice_institute", "practice_station"])
                ),
                name="svcpoint_level_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        if self.level:
            return self.get_level_display()
        return self.get_kind_display()

    def function_labels(self) -> list[str]:
        return [SixFunction(code).label for code in self.functions if code in SixFunction.values]

    def organisation_labels(self) -> list[str]:
        return [
            ResidentOrganisation(code).label
            for code in self.resident_organisations
            if code in ResidentOrganisation.values
        ]


class ServicePointStaff(models.Model):
    """A person who works at one point (a red station's duty staff, say): they see and log for that point only."""

    class Role(models.TextChoices):
        MANAGER = "manager", _("负责人")
        STAFF = "staff", _("工作人员")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="service_point_posts"
    )
    point = models.ForeignKey(ServicePoint, verbose_name=_("服务阵地"), on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(_("岗位"), max_length=16, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("阵地工作人员")
        verbose_name_plural = _("阵地工作人员")
        constraints = [models.UniqueConstraint(fields=["user", "point"], name="svcstaff_unique_user_point")]

    def __str__(self) -> str:
        return f"{self.user} · {self.point}"


# ---------------------------------------------------------------------------
# Star rating 评星定级 against the “six standardizations” (六化)
# ---------------------------------------------------------------------------
class StarRating(models.Model):
    """One year's rating of a service point or of a compound's party organisation.

    A re-rating of the same target and year adds a row and retires the old one
    (`is_current=False`), so every rating ever given stays on record.
    """

    MAX_SCORE = 10  # each criterion is scored 0..10
    CRITERIA = (
        ("score_organisation", _("组织建设标准化")),
        ("score_venue", _("阵地建设规范化")),
        ("score_service", _("管理服务精细化")),
        ("score_team", _("服务队伍专业化")),
        ("score_democracy", _("民主建设常态化")),
        ("score_support", _("工作保障制度化")),
    )
    # Stars from the total of the six scores (out of 60): policy thresholds, in one place.
    STAR_THRESHOLDS = ((54, 5), (48, 4), (42, 3), (36, 2), (30, 1))

    year = models.PositiveSmallIntegerField(_("年度"))
    point = models.ForeignKey(
        ServicePoint,
        verbose_name=_("服务阵地"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="ratings",
    )
    compound = models.ForeignKey(
        GridUnit,
        verbose_name=_("小区党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="star_ratings",
        help_text=_("小区一级的网格单元（党小组）"),
    )
    # The unit the rating belongs to (the point's unit, or the compound): what jurisdiction scopes by.
    unit = models.ForeignKey(GridUnit, verbose_name=_("单元"), on_delete=models.PROTECT, related_name="+")
    score_organisation = models.PositiveSmallIntegerField(_("组织建设标准化"))
    score_venue = models.PositiveSmallIntegerField(_("阵地建设规范化"))
    score_service = models.PositiveSmallIntegerField(_("管理服务精细化"))
    score_team = models.PositiveSmallIntegerField(_("服务队伍专业化"))
    score_democracy = models.PositiveSmallIntegerField(_("民主建设常态化"))
    score_support = models.PositiveSmallIntegerField(_("工作保障制度化"))
    total = models.PositiveSmallIntegerField(_("总分"))
    stars = models.PositiveSmallIntegerField(_("星级"))
    note = models.CharField(_("评语"), max_length=300, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评定人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    rated_at = models.DateTimeField(_("评定时间"))
    is_current = models.BooleanField(_("当前有效"), default=True)

    class Meta:
        verbose_name = _("星级评定")
        verbose_name_plural = _("星级评定")
        ordering = ["-year", "-rated_at", "-pk"]
        indexes = [models.Index(fields=["year", "is_current", "stars"], name="rating_year_current_stars")]
        constraints = [
            models.CheckConstraint(
                condition=Q(point__isnull=False, compound__isnull=True) | Q(point__isnull=True, compound__isnull=False),
                name="rating_one_target",
            ),
            models.CheckConstraint(
                condition=Q(score_organisation__lte=10)
                & Q(score_venue__lte=10)
                & Q(score_service__lte=10)
                & Q(score_team__lte=10)
                & Q(score_democracy__lte=10)
                & Q(score_support__lte=10),
                name="rating_scores_in_range",
            ),
            models.CheckConstraint(condition=Q(stars__lte=5), name="rating_stars_in_range"),
            models.UniqueConstraint(
                fields=["point", "year"], condition=Q(is_current=True), name="rating_one_current_per_point_year"
            ),
            models.UniqueConstraint(
                fields=["compound", "year"], condition=Q(is_current=True), name="rating_one_current_per_compound_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.point or self.compound} · {self.stars}★"

    @property
    def target(self):
        return self.point or self.compound

    def scores(self) -> list[tuple[str, int]]:
        return [(label, getattr(self, field)) for field, label in self.CRITERIA]


# ---------------------------------------------------------------------------
# Pioneer alliance workstations 先锋联盟工作站
# ---------------------------------------------------------------------------
class HonourLevel(models.TextChoices):
    """Who gave an honour: the report takes members honoured at county level or above (县市区级以上)."""

    COUNTY = "county", _("县（市、区）级")
    CITY = "city", _("市级")
    REGION = "region", _("自治区级")
    NATIONAL = "national", _("国家级")


class WorkstationMember(models.Model):
    """A vanguard model (党员先锋模范) enrolled in a workstation. Personal data: staff pages only."""

    point = models.ForeignKey(ServicePoint, verbose_name=_("工作站"), on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=60)
    organisation = models.CharField(_("工作单位"), max_length=120, blank=True)
    joined_on = models.DateField(_("编入日期"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("工作站成员")
        verbose_name_plural = _("工作站成员")
        ordering = ["point", "joined_on", "pk"]

    def __str__(self) -> str:
        return self.name


class MemberHonour(models.Model):
    member = models.ForeignKey(
        WorkstationMember, verbose_name=_("成员"), on_delete=models.CASCADE, related_name="honours"
    )
    title = models.CharField(_("荣誉称号"), max_length=120)
    level = models.CharField(_("授予级别"), max_length=12, choices=HonourLevel.choices)
    year = models.PositiveSmallIntegerField(_("获得年份"))

    class Meta:
        verbose_name = _("成员荣誉")
        verbose_name_plural = _("成员荣誉")
        ordering = ["-year", "pk"]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_level_display()}，{self.year}）"


class ActivityCategory(models.TextChoices):
    """The report's monthly activities: 环境保护、爱心帮困、社会公益等."""

    ENVIRONMENT = "environment", _("环境保护")
    CARE = "care", _("爱心帮困")
    PUBLIC_WELFARE = "public_welfare", _("社会公益")
    OTHER = "other", _("其他")


class WorkstationActivity(models.Model):
    """One activity a workstation held; compliance wants at least one in every month."""

    point = models.ForeignKey(
        ServicePoint, verbose_name=_("工作站"), on_delete=models.CASCADE, related_name="workstation_activities"
    )
    held_on = models.DateField(_("活动日期"))
    title = models.CharField(_("活动名称"), max_length=120)
    category = models.CharField(_("类别"), max_length=20, choices=ActivityCategory.choices)
    participants = models.PositiveIntegerField(_("参加人数"), default=0)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("工作站活动")
        verbose_name_plural = _("工作站活动")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["point", "held_on"], name="wsactivity_point_date")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class DeliberationMeeting(models.Model):
    """A workstation's deliberation meeting (集中议事): at least six a year."""

    point = models.ForeignKey(ServicePoint, verbose_name=_("工作站"), on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField(_("议事日期"))
    topic = models.CharField(_("议题"), max_length=200)
    attendees = models.CharField(_("参加人员"), max_length=300, help_text=_("如：辖区党员12人、居民代表8人"))
    attendee_count = models.PositiveIntegerField(_("参加人数"))
    decisions = models.TextField(_("议定事项"))
    follow_up = models.TextField(_("后续跟进"), blank=True, help_text=_("交办、转办的群众诉求及其编号，办理情况"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("集中议事")
        verbose_name_plural = _("集中议事")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["point", "held_on"], name="meeting_point_date")]
        constraints = [models.CheckConstraint(condition=Q(attendee_count__gt=0), name="meeting_has_attendees")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"


# ---------------------------------------------------------------------------
# Tourism red stations 旅游红色驿站
# ---------------------------------------------------------------------------
class ServiceKind(models.Model):
    """A service on a red station's menu: consultation, medical help, rescue, mediation and others, as data."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("驿站服务项目")
        verbose_name_plural = _("驿站服务项目")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.name


class RedStationService(models.Model):
    """One service given at a red station, logged with one tap by its staff."""

    point = models.ForeignKey(
        ServicePoint, verbose_name=_("驿站"), on_delete=models.CASCADE, related_name="services_given"
    )
    service_kind = models.ForeignKey(
        ServiceKind, verbose_name=_("服务项目"), on_delete=models.PROTECT, related_name="+"
    )
    served_at = models.DateTimeField(_("服务时间"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("为空表示历史台账导入"),
    )
    logged_at = models.DateTimeField(_("登记时间"))
    # Set by the phone page: a second tap or a retried request with the same key logs nothing new.
    client_key = models.UUIDField(_("客户端标识"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("驿站服务记录")
        verbose_name_plural = _("驿站服务记录")
        ordering = ["-served_at", "-pk"]
        indexes = [
            models.Index(fields=["point", "served_at"], name="redservice_point_time"),
            models.Index(fields=["served_at"], name="redservice_time"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["point", "client_key"], name="redservice_unique_client_key"),
        ]

    def __str__(self) -> str:
        return f"{self.point} · {self.service_kind} · {self.served_at:%Y-%m-%d %H:%M}"


class JobOffer(models.Model):
    """Posts a red station offers to low-income households (导游、票务、保安等岗位)."""

    class Role(models.TextChoices):
        GUIDE = "guide", _("导游")
        TICKETING = "ticketing", _("票务")
        SECURITY = "security", _("保安")
        ECOMMERCE = "ecommerce", _("电商")
        CLEANING = "cleaning", _("保洁")
        OTHER = "other", _("其他")

    point = models.ForeignKey(ServicePoint, verbose_name=_("驿站"), on_delete=models.CASCADE, related_name="job_offers")
    role = models.CharField(_("岗位"), max_length=16, choices=Role.choices)
    positions = models.PositiveIntegerField(_("岗位数"))
    offered_on = models.DateField(_("提供日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("帮扶岗位")
        verbose_name_plural = _("帮扶岗位")
        ordering = ["-offered_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(positions__gt=0), name="joboffer_positions_positive")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} × {self.positions}"


class LocalProduct(models.Model):
    """A local product shown at a red station (产品展示区、第一书记推荐区)."""

    class Category(models.TextChoices):
        FARM = "farm", _("乡村特色农产品")
        SPECIALTY = "specialty", _("土特产")
        SOUVENIR = "souvenir", _("旅游纪念品")

    point = models.ForeignKey(ServicePoint, verbose_name=_("驿站"), on_delete=models.CASCADE, related_name="products")
    name = models.CharField(_("产品名称"), max_length=80)
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    producer = models.CharField(_("生产者"), max_length=80, help_text=_("合作社、企业或农户"))
    origin = models.ForeignKey(
        GridUnit, verbose_name=_("产地"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    first_secretary_pick = models.BooleanField(_("第一书记推荐"), default=False)

    class Meta:
        verbose_name = _("特色产品")
        verbose_name_plural = _("特色产品")
        ordering = ["-first_secretary_pick", "name", "pk"]

    def __str__(self) -> str:
        return self.name
