"""API keys of statistics clients and the log of their calls; the roll-ups dashboards read at scale."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.models import PATH_STEP, GridUnit
from grids.models.tree import TreePathField
from guilin_portal.api_keys import ApiKey
from issues.models import Issue


class StatsApiKey(ApiKey):
    """A read-only key for one unit's subtree, until it expires or is revoked. Only a hash of the secret is kept."""

    unit = models.ForeignKey(
        "grids.GridUnit", verbose_name=_("可见范围"), on_delete=models.PROTECT, related_name="stats_api_keys"
    )
    expires_at = models.DateTimeField(_("过期时间"))
    # Empty: the default rate (REST_FRAMEWORK DEFAULT_THROTTLE_RATES["stats_key"], sized in the README).
    requests_per_hour = models.PositiveIntegerField(
        _("每小时请求数"),
        null=True,
        blank=True,
        help_text=_("这个密钥每小时最多可以调用多少次统计接口；留空使用默认值。"),
    )

    class Meta(ApiKey.Meta):
        verbose_name = _("统计接口密钥")
        verbose_name_plural = _("统计接口密钥")


class StatsApiCall(models.Model):
    """One request made with a key: who (the key), when, what, and the answer's status."""

    key = models.ForeignKey(StatsApiKey, verbose_name=_("密钥"), on_delete=models.CASCADE, related_name="calls")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    method = models.CharField(max_length=8)
    path = models.CharField(_("路径"), max_length=500)
    status = models.PositiveSmallIntegerField(_("状态码"))

    class Meta:
        verbose_name = _("统计接口调用")
        verbose_name_plural = _("统计接口调用")
        ordering = ["-at"]
        indexes = [models.Index(fields=["key", "at"], name="statsapicall_key_at")]

    def __str__(self) -> str:
        return f"{self.key_id} {self.method} {self.path} {self.status}"


class IssueMonthlyRollupQuerySet(models.QuerySet):
    def in_subtree(self, unit) -> IssueMonthlyRollupQuerySet:
        """Rows of the streets inside `unit`'s subtree (every row for the city)."""
        if unit.level == unit.Level.CITY:
            return self
        return self.filter(street_path__startswith=unit.path)


class IssueMonthCells(models.Model):
    """The measures of the issue roll-ups, per calendar month, category and current status (and a place:
    a street in `IssueMonthlyRollup`, a district in `IssueDistrictMonthlyRollup`)."""

    month = models.DateField(_("月份"), help_text=_("当月第一天（北京时间）"))
    category = models.ForeignKey(
        "issues.IssueCategory", verbose_name=_("问题类别"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(_("当前状态"), max_length=20, choices=Issue.Status.choices)
    logged = models.PositiveIntegerField(_("登记数"), default=0)
    feedback = models.PositiveIntegerField(_("已评价"), default=0)
    satisfied = models.PositiveIntegerField(_("满意及基本满意"), default=0)
    resolved = models.PositiveIntegerField(_("办结数"), default=0)
    resolve_hours = models.FloatField(_("办结用时合计（小时）"), default=0)

    class Meta:
        abstract = True


class IssueMonthlyRollup(IssueMonthCells):
    """Resident issues per street, calendar month, category and current status.

    What the dashboards and the statistics API read for the city, districts
    and streets, instead of counting a million issues live. Written only by
    `dashboards.services.rollups` (set-based INSERT ... SELECT ... GROUP BY,
    idempotent). Two kinds of measures share a row:

    - logged, feedback, satisfied: issues *logged* in the month, now in `status`;
    - resolved, resolve_hours: issues *resolved* in the month, now in `status`
      (resolved or closed), and their hours from logging to resolution.
    """

    street_path = TreePathField(_("街道路径"), max_length=PATH_STEP * GridUnit.Level.STREET)

    objects = IssueMonthlyRollupQuerySet.as_manager()

    class Meta:
        verbose_name = _("问题月度统计")
        verbose_name_plural = _("问题月度统计")
        ordering = ["month", "street_path", "category", "status"]
        constraints = [
            models.UniqueConstraint(
                fields=["street_path", "month", "category", "status"], name="issuerollup_one_per_cell"
            ),
        ]
        indexes = [models.Index(fields=["month", "street_path"], name="issuerollup_month_street")]

    def __str__(self) -> str:
        return f"{self.street_path} {self.month:%Y-%m} {self.category_id} {self.status}"


class IssueDistrictMonthlyRollup(IssueMonthCells):
    """`IssueMonthlyRollup` added up per district: what the city's figures read (its children are the
    districts), a tenth of the rows (a year of the city at 1,000,000 issues: 77,000 street rows).

    Written only by `dashboards.services.rollups`, from the street rows, in the same transaction as they
    are and for the same months."""

    district_path = TreePathField(_("区县路径"), max_length=PATH_STEP * GridUnit.Level.DISTRICT)

    class Meta:
        verbose_name = _("问题月度统计（区县）")
        verbose_name_plural = _("问题月度统计（区县）")
        ordering = ["month", "district_path", "category", "status"]
        constraints = [
            models.UniqueConstraint(
                fields=["district_path", "month", "category", "status"], name="issuedistrictrollup_one_per_cell"
            ),
        ]
        indexes = [models.Index(fields=["month", "district_path"], name="issuedistrictrollup_month")]

    def __str__(self) -> str:
        return f"{self.district_path} {self.month:%Y-%m} {self.category_id} {self.status}"


class RollupState(models.Model):
    """When a roll-up was last refreshed: the "as of" time pages show, and where the next refresh starts."""

    name = models.CharField(_("名称"), max_length=40, unique=True)
    as_of = models.DateTimeField(_("数据截至"), null=True, blank=True)
    watermark = models.DateTimeField(
        _("增量起点"), null=True, blank=True, help_text=_("此后更新的问题在下次刷新时重新统计。")
    )
    rebuilt_at = models.DateTimeField(_("最近全量重建"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("最近写入行数"), default=0)
    seconds = models.FloatField(_("最近用时（秒）"), default=0)
    months = models.PositiveIntegerField(_("最近刷新月份数"), default=0)

    class Meta:
        verbose_name = _("统计刷新状态")
        verbose_name_plural = _("统计刷新状态")

    def __str__(self) -> str:
        return f"{self.name} @ {self.as_of}"


class IssueFact(models.Model):
    """One issue as the dashboards count it: its unit's path, category, status, times, hours and feedback.

    A narrow copy of `issues.Issue` (no foreign keys, so nothing in the grids app
    changes), kept with the roll-up by `dashboards.services.rollups`: the odd days
    of a custom period, everything below a street and the median hours are read
    here through path-and-time indexes, instead of joining a million issues to
    their units. As fresh as the roll-up ("as of").
    """

    issue_id = models.BigIntegerField(_("问题"), primary_key=True)
    # The street's path leads the indexes: a district's or a street's rows of a time window are read as
    # one bounded index range per street (a path prefix would scan the whole subtree's history).
    street_path = TreePathField(_("街道路径"), max_length=PATH_STEP * GridUnit.Level.STREET)
    unit_path = TreePathField(_("网格路径"), max_length=PATH_STEP * GridUnit.Level.ZONE)
    category_id = models.BigIntegerField(_("问题类别"))
    status = models.CharField(_("当前状态"), max_length=20, choices=Issue.Status.choices)
    created_at = models.DateTimeField(_("登记时间"))
    resolved_at = models.DateTimeField(_("办结时间"), null=True)
    hours = models.FloatField(_("办结用时（小时）"), null=True)
    feedback = models.BooleanField(_("已评价"), default=False)
    satisfied = models.BooleanField(_("满意或基本满意"), default=False)

    class Meta:
        verbose_name = _("问题统计明细")
        verbose_name_plural = _("问题统计明细")
        indexes = [
            models.Index(fields=["street_path", "created_at"], name="issuefact_street_created"),
            models.Index(fields=["street_path", "resolved_at", "hours"], name="issuefact_street_resolved"),
            models.Index(fields=["created_at"], name="issuefact_created"),
            models.Index(fields=["resolved_at", "hours"], name="issuefact_resolved"),
        ]

    def __str__(self) -> str:
        return f"#{self.issue_id} {self.status}"


class FigureMonthlyRollupQuerySet(models.QuerySet):
    def in_subtree(self, unit) -> FigureMonthlyRollupQuerySet:
        """Rows of the streets inside `unit`'s subtree (every row for the city)."""
        if unit.level == unit.Level.CITY:
            return self
        return self.filter(street_path__startswith=unit.path)


class FigureMonthlyRollup(models.Model):
    """The other domains' dated figures per street, calendar month and key, as the issue roll-up keeps issues.

    What the dashboards and the statistics API read for the city, districts and streets instead of
    aggregating every service record and red-station service live. Written only by
    `dashboards.services.figures` (INSERT ... SELECT ... GROUP BY, idempotent), in the same refresh as
    the issue roll-up, so both share one "as of". A row's unit is the street its unit lies in (or the
    unit itself above a street):

    - service: verified volunteer service records by the month they started, key = service category id:
      n records, their hours, how many solved a difficulty, how many were given by people registered
      with a community (双报到) at the time of the refresh;
    - red_station: services logged at the red stations by the month served, key = menu item id: n;
    - activity: volunteer activities not cancelled, by the month they start, code = their team's kind: n;
    - district_service, district_activity: the service and activity rows added up per district (the row's
      unit a district, or the city's own), what the city reads (its children are the districts): a tenth
      of the rows.

    Snapshots of the refresh's moment (month empty), what the pages call "today's":
    - team: active teams, code = kind: n;
    - registered, organisations: active dual registrations of members and of organisations: n;
    - balance: personal time-bank and points accounts, code = currency: n holders (balance > 0), amount;
    - point: active service points, code = "kind:level": n, n2 with a floor area, amount = floor area;
    - median: the median hours from logging to resolution of the issues resolved in a calendar month,
      quarter or year (code, starting on `month`) in the subtree of the row's unit (the city, each
      district, each street): amount, of n issues; kept for the periods a refresh touched;
    - members: distinct people on the active rosters of active teams in the subtree of the row's unit,
      one row per node (the city, each district, each street: people are not added up across units);
      members_own: of the teams at the node itself (a city's or a district's own teams);
    - units: the grid's units below the street, code = level: n, n2 of them property-managed (物业小区);
    - grid_people: distinct people holding a post in the subtree of the row's unit, one row per node
      as members: n grid leaders and workers, n2 party instructors;
    - timeliness: 三会一课 of the tracked organisations of each street (or of the unit itself above a
      street) by the month of the due date, code = sector: n due, n2 held on time, every due date before
      the day of the refresh (party.selectors.timeliness_by_due_month);
    - jobs: the posts offered by the active red stations: n positions;
    - renovation: the renovation projects, code = "kind:status": n;
    - micro_parks: distinct theme micro-parks produced by finished renovation projects in the subtree of
      the row's unit, one row per node as members (a park two projects produced counts once): n;
    - contracts: co-building contracts by their community's street, code = "year:status:stage" (stage
      empty before the evaluation starts): n;
    - commitments: the committed service items of counted (not draft) contracts, code = the year: n;
    - contract_units: distinct co-building units with a counted contract in the subtree of the row's unit,
      one row per node as members, code = the contract year, or empty for all years: n.
    """

    class Figure(models.TextChoices):
        SERVICE = "service", _("志愿服务记录")
        RED_STATION = "red_station", _("红色驿站服务")
        ACTIVITY = "activity", _("志愿服务活动")
        TEAM = "team", _("服务队")
        MEMBERS = "members", _("在册队员")
        MEMBERS_OWN = "members_own", _("本级服务队在册队员")
        REGISTERED = "registered", _("报到党员")
        ORGANISATIONS = "organisations", _("报到党组织")
        BALANCE = "balance", _("个人账户余额")
        POINT = "point", _("服务阵地")
        MEDIAN = "median", _("办结用时中位数")
        UNITS = "units", _("网格单元")
        GRID_PEOPLE = "grid_people", _("网格员和党建指导员")
        TIMELINESS = "timeliness", _("“三会一课”按时开展")
        JOBS = "jobs", _("红色驿站提供岗位")
        RENOVATION = "renovation", _("改造提升项目")
        MICRO_PARKS = "micro_parks", _("改造中建成的党建主题微公园")
        DISTRICT_SERVICE = "district_service", _("志愿服务记录（区县）")
        DISTRICT_ACTIVITY = "district_activity", _("志愿服务活动（区县）")
        CONTRACTS = "contracts", _("共建契约")
        COMMITMENTS = "commitments", _("共建契约承诺事项")
        CONTRACT_UNITS = "contract_units", _("签约共建单位")

    figure = models.CharField(_("指标"), max_length=24, choices=Figure.choices)
    street_path = TreePathField(_("街道路径"), max_length=PATH_STEP * GridUnit.Level.STREET)
    month = models.DateField(_("月份"), null=True, blank=True, help_text=_("当月第一天（北京时间）；空：刷新时的现状"))
    key = models.BigIntegerField(_("分组"), default=0)
    code = models.CharField(_("分组代码"), max_length=40, blank=True, default="")
    n = models.PositiveIntegerField(_("数量"), default=0)
    n2 = models.PositiveIntegerField(_("数量二"), default=0)
    amount = models.DecimalField(_("合计（面积、余额）"), max_digits=16, decimal_places=2, default=0)
    hours = models.DecimalField(_("时长（小时）"), max_digits=14, decimal_places=2, default=0)
    difficulties = models.PositiveIntegerField(_("解决困难事项"), default=0)
    registered = models.PositiveIntegerField(_("报到党员服务"), default=0)

    objects = FigureMonthlyRollupQuerySet.as_manager()

    class Meta:
        verbose_name = _("其他指标月度统计")
        verbose_name_plural = _("其他指标月度统计")
        ordering = ["figure", "month", "street_path", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["figure", "street_path", "month", "key", "code"], name="figurerollup_one_per_cell"
            ),
        ]
        indexes = [models.Index(fields=["figure", "month", "street_path"], name="figurerollup_month_street")]

    def __str__(self) -> str:
        month = f"{self.month:%Y-%m}" if self.month else "-"
        return f"{self.figure} {self.street_path} {month} {self.key}{self.code}"
