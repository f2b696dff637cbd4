"""Party organisations, their regular organisational life (三会一课), brands and pioneer posts.

The organisations the grid tree stands for (DESIGN.md, "party organisations"): the community's
party committee 社区大党委, a branch 党支部 for each area, a group 党小组 for each compound; and the
organ 机关 and sector (health, public security, transport, tourism...) organisations of dual
registration. Each is scoped by the grid unit it stands for or is registered at (`unit`), like every
other row: a viewer sees it when that unit lies in their jurisdiction.

三会一课: what is due is data (`MeetingRule`: a meeting kind, the organisations it applies to, how
many per period and the period's length); a `Meeting` answers for one period of its rule
(`period_start`, `due_on`: kept by party.services, recomputed when a rule changes). Timeliness =
meetings held by the due date / meetings due (party.selectors.timeliness).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Sector(models.TextChoices):
    COMMUNITY = "community", _("社区")
    ORGAN = "organ", _("机关")
    HEALTH = "health", _("卫生健康")
    PUBLIC_SECURITY = "public_security", _("公安")
    TRANSPORT = "transport", _("交通运输")
    TOURISM = "tourism", _("旅游")
    EDUCATION = "education", _("教育")
    ENTERPRISE = "enterprise", _("非公企业")
    OTHER = "other", _("其他")


class OrganisationKind(models.TextChoices):
    COMMITTEE = "committee", _("党委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    GROUP = "group", _("党小组")


class MeetingKind(models.TextChoices):
    GENERAL = "general", _("支部党员大会")
    COMMITTEE = "committee", _("支部委员会")
    GROUP = "group", _("党小组会")
    LECTURE = "lecture", _("党课")


class PartyOrganisationQuerySet(models.QuerySet):
    def active(self) -> PartyOrganisationQuerySet:
        return self.filter(is_active=True)

    def tracked(self) -> PartyOrganisationQuerySet:
        """Those whose organisational life is recorded here (due meetings count from `records_from`)."""
        return self.filter(is_active=True, records_from__isnull=False)


class PartyOrganisation(models.Model):
    """A party organisation, scoped by the grid unit it stands for (or is registered at)."""

    Kind = OrganisationKind

    name = models.CharField(_("党组织名称"), max_length=120)
    kind = models.CharField(_("类别"), max_length=20, choices=OrganisationKind.choices)
    sector = models.CharField(_("领域"), max_length=20, choices=Sector.choices, default=Sector.COMMUNITY)
    unit = models.ForeignKey(
        "grids.GridUnit", verbose_name=_("所在单元"), on_delete=models.PROTECT, related_name="party_organisations"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("书记"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="party_secretaryships",
    )
    # The organ's record in dual registration (volunteers), where the organisation is one.
    organ = models.OneToOneField(
        "volunteers.OrganOrganisation",
        verbose_name=_("双报到机关党组织"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="party_organisation",
    )
    # Due meetings count from this day; empty: the organisation's life is not recorded in the portal.
    records_from = models.DateField(_("组织生活台账起始日期"), null=True, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = PartyOrganisationQuerySet.as_manager()
    # Who changed an organisation (its secretary above all: a hand-over on offboarding) and when.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["unit__path", "kind", "name"]
        indexes = [
            models.Index(fields=["unit", "kind"], name="partyorg_unit_kind"),
            models.Index(fields=["sector", "kind"], name="partyorg_sector_kind"),
        ]

    def __str__(self) -> str:
        return self.name


class PartyMember(models.Model):
    """A member on an organisation's roll, linked to a portal user where the person has an account."""

    class Role(models.TextChoices):
        SECRETARY = "secretary", _("书记")
        DEPUTY = "deputy", _("副书记")
        COMMITTEE = "committee", _("委员")
        MEMBER = "member", _("党员")

    organisation = models.ForeignKey(
        PartyOrganisation, verbose_name=_("党组织"), on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="party_memberships",
    )
    name = models.CharField(_("姓名"), max_length=60)
    role = models.CharField(_("职务"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    joined_on = models.DateField(_("转入日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["organisation", "role", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], condition=Q(user__isnull=False), name="partymember_one_per_user"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MeetingRule(models.Model):
    """What 三会一课 asks of one kind of organisation: `count` meetings of a kind every period."""

    class Period(models.IntegerChoices):
        MONTH = 1, _("每月")
        QUARTER = 3, _("每季度")
        HALF_YEAR = 6, _("每半年")
        YEAR = 12, _("每年")

    meeting_kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices)
    organisation_kind = models.CharField(_("适用党组织"), max_length=20, choices=OrganisationKind.choices)
    count = models.PositiveSmallIntegerField(_("每周期次数"), default=1)
    period_months = models.PositiveSmallIntegerField(_("周期"), choices=Period.choices, default=Period.QUARTER)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("三会一课规则")
        verbose_name_plural = _("三会一课规则")
        ordering = ["organisation_kind", "meeting_kind"]
        constraints = [
            models.UniqueConstraint(fields=["meeting_kind", "organisation_kind"], name="meetingrule_unique_kind"),
            models.CheckConstraint(condition=Q(count__gte=1) & Q(count__lte=31), name="meetingrule_count_range"),
            models.CheckConstraint(condition=Q(period_months__in=[1, 3, 6, 12]), name="meetingrule_period_months"),
        ]

    def __str__(self) -> str:
        return f"{self.get_organisation_kind_display()} · {self.get_meeting_kind_display()}"


class Meeting(models.Model):
    """One meeting held: the period of its rule it answers for, and who came out of the roll."""

    Kind = MeetingKind

    organisation = models.ForeignKey(
        PartyOrganisation, verbose_name=_("党组织"), on_delete=models.CASCADE, related_name="meetings"
    )
    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices)
    held_on = models.DateField(_("召开日期"))
    topic = models.CharField(_("主题"), max_length=200)
    # The period it answers for (the rule's, kept by party.services) and that period's last day.
    period_start = models.DateField(_("所属周期"))
    due_on = models.DateField(_("应召开截止日期"))
    roll = models.PositiveIntegerField(_("应到人数"), default=0)
    attended = models.PositiveIntegerField(_("实到人数"), default=0)
    attendees = models.ManyToManyField(PartyMember, verbose_name=_("出席党员"), blank=True, related_name="+")
    minutes = models.TextField(_("会议记录"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("组织生活会议")
        verbose_name_plural = _("组织生活会议")
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "kind", "period_start"], name="meeting_org_kind_period"),
            models.Index(fields=["due_on"], name="meeting_due_on"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(attended__lte=models.F("roll")), name="meeting_attended_within_roll"),
            models.CheckConstraint(condition=Q(due_on__gte=models.F("period_start")), name="meeting_due_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.held_on}"

    @property
    def is_on_time(self) -> bool:
        return self.held_on <= self.due_on


def meeting_photo_path(instance, filename: str) -> str:
    now = timezone.now()
    return f"party/meetings/{now:%Y/%m}/{filename}"


def brand_photo_path(instance, filename: str) -> str:
    now = timezone.now()
    return f"party/brands/{now:%Y/%m}/{filename}"


class MeetingPhoto(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("照片"), upload_to=meeting_photo_path, max_length=200)
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("会议照片")
        verbose_name_plural = _("会议照片")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.image.name


class MeetingReminder(models.Model):
    """A reminder sent for one period of one rule: written once, so a second run sends nothing."""

    organisation = models.ForeignKey(PartyOrganisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices)
    period_start = models.DateField(_("所属周期"))
    sent_at = models.DateTimeField(_("提醒时间"), default=timezone.now)

    class Meta:
        verbose_name = _("三会一课提醒")
        verbose_name_plural = _("三会一课提醒")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind", "period_start"], name="meetingreminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} · {self.kind} · {self.period_start}"


class Brand(models.Model):
    """A party-building brand 党建品牌: a named practice of an organisation (e.g. "党旗领航 情暖车厢")."""

    name = models.CharField(_("品牌名称"), max_length=120)
    organisation = models.ForeignKey(
        PartyOrganisation, verbose_name=_("所属党组织"), on_delete=models.PROTECT, related_name="brands"
    )
    sector = models.CharField(_("领域"), max_length=20, choices=Sector.choices)
    # Where it is practised (the owner's unit by default): scopes the row.
    unit = models.ForeignKey("grids.GridUnit", verbose_name=_("所在单元"), on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("品牌简介"), blank=True)
    year = models.PositiveSmallIntegerField(_("创建年份"))
    honours = models.TextField(_("所获荣誉"), blank=True, help_text=_("每行一项"))
    is_public = models.BooleanField(_("公开展示"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("党建品牌")
        verbose_name_plural = _("党建品牌")
        ordering = ["sector", "-year", "name"]
        indexes = [models.Index(fields=["sector", "is_public"], name="brand_sector_public")]
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=1921) & Q(year__lte=2100), name="brand_year_range"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def honour_list(self) -> list[str]:
        return [line.strip() for line in self.honours.splitlines() if line.strip()]


class BrandPhoto(models.Model):
    brand = models.ForeignKey(Brand, verbose_name=_("品牌"), on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("照片"), upload_to=brand_photo_path, max_length=200)
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("品牌照片")
        verbose_name_plural = _("品牌照片")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.image.name


class PioneerPost(models.Model):
    """A pioneer service post 先锋服务岗: a desk or window where party members serve, and where."""

    name = models.CharField(_("岗位名称"), max_length=120)
    organisation = models.ForeignKey(
        PartyOrganisation, verbose_name=_("所属党组织"), on_delete=models.PROTECT, related_name="pioneer_posts"
    )
    sector = models.CharField(_("领域"), max_length=20, choices=Sector.choices)
    unit = models.ForeignKey("grids.GridUnit", verbose_name=_("服务单元"), on_delete=models.PROTECT, related_name="+")
    place = models.CharField(_("服务地点"), max_length=200)
    services = models.TextField(_("服务内容"), blank=True)
    is_active = models.BooleanField(_("在岗"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("先锋服务岗")
        verbose_name_plural = _("先锋服务岗")
        ordering = ["sector", "name"]
        indexes = [models.Index(fields=["sector", "is_active"], name="pioneerpost_sector_active")]

    def __str__(self) -> str:
        return self.name


class PioneerTeam(models.Model):
    """A pioneer service team 先锋服务队 of an organisation, and where it serves."""

    name = models.CharField(_("服务队名称"), max_length=120)
    organisation = models.ForeignKey(
        PartyOrganisation, verbose_name=_("所属党组织"), on_delete=models.PROTECT, related_name="pioneer_teams"
    )
    sector = models.CharField(_("领域"), max_length=20, choices=Sector.choices)
    unit = models.ForeignKey("grids.GridUnit", verbose_name=_("服务单元"), on_delete=models.PROTECT, related_name="+")
    place = models.CharField(_("服务地点"), max_length=200)
    members_count = models.PositiveIntegerField(_("队员人数"), default=0)
    services = models.TextField(_("服务内容"), blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("先锋服务队")
        verbose_name_plural = _("先锋服务队")
        ordering = ["sector", "name"]
        indexes = [models.Index(fields=["sector", "is_active"], name="pioneerteam_sector_active")]

    def __str__(self) -> str:
        return self.name
