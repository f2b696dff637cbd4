"""Service points of every kind, and the staff of each point."""

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

    # Who gave or took away the standing, and when (a removal leaves its history row too).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("阵地工作人员")
        verbose_name_plural = _("阵地工作人员")
        constraints = [models.UniqueConstraint(fields=["user", "point"], name="svcstaff_unique_user_point")]

    def __str__(self) -> str:
        return f"{self.user} · {self.point}"
