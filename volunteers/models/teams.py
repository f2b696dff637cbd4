"""Service categories (data, not code) and the teams that serve in them."""

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ServiceCategory(models.Model):
    """One of the report's eight kinds of party-member volunteer service (基层党建类、便民服务类...)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    name_en = models.CharField(_("英文名称"), max_length=60, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("服务类别")
        verbose_name_plural = _("服务类别")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the current language (the English one only when there is one)."""
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class TeamQuerySet(models.QuerySet):
    def active(self) -> "TeamQuerySet":
        return self.filter(is_active=True)

    def led_by(self, user) -> "TeamQuerySet":
        """Teams the user leads (as leader or deputy), through their volunteer record."""
        return self.filter(
            pk__in=TeamMember.objects.filter(
                volunteer__user_id=getattr(user, "pk", None),
                role__in=TeamMember.MANAGER_ROLES,
                left_on__isnull=True,
            ).values("team_id")
        )


class Team(models.Model):
    class Kind(models.TextChoices):
        PARTY_VOLUNTEER = "party_volunteer", _("党员志愿者服务队")
        ORGAN = "organ", _("机关志愿服务队")
        RED_PROPERTY = "red_property", _("红色物业服务队（红帽子/红马甲）")
        VANGUARD = "vanguard", _("党员先锋服务队")
        COMMANDO = "commando", _("党员突击队")

    name = models.CharField(_("队名"), max_length=120)
    category = models.ForeignKey(
        ServiceCategory, verbose_name=_("服务类别"), on_delete=models.PROTECT, related_name="teams"
    )
    kind = models.CharField(_("队伍类型"), max_length=24, choices=Kind.choices, default=Kind.PARTY_VOLUNTEER)
    # Where the team is based: the staff of this unit's subtree see and supervise it.
    unit = models.ForeignKey(
        "grids.GridUnit", verbose_name=_("所在单元"), on_delete=models.PROTECT, related_name="teams"
    )
    description = models.TextField(_("简介"), blank=True)
    is_active = models.BooleanField(_("在册"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = TeamQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="team_unique_name_per_unit")]
        indexes = [
            models.Index(fields=["category", "is_active", "unit"], name="team_category_active_unit"),
            models.Index(fields=["kind", "unit"], name="team_kind_unit"),
        ]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    """A person's place in a team. Leaving sets `left_on`; the row stays as the roster's history."""

    class Role(models.TextChoices):
        LEADER = "leader", _("队长")
        DEPUTY = "deputy", _("副队长")
        MEMBER = "member", _("队员")

    # Who may manage the team: its roster, activities, and the verification of its records.
    MANAGER_ROLES = (Role.LEADER, Role.DEPUTY)

    team = models.ForeignKey(
        Team,
        verbose_name=_("服务队"),
        on_delete=models.PROTECT,
        related_name="memberships",
        db_index=False,  # teammember_team_active_role leads with it
    )
    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        verbose_name=_("志愿者"),
        on_delete=models.PROTECT,
        related_name="memberships",
        db_index=False,  # teammember_volunteer_active leads with it
    )
    role = models.CharField(_("队内职务"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    joined_on = models.DateField(_("入队日期"))
    left_on = models.DateField(_("离队日期"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("队员")
        verbose_name_plural = _("队员")
        ordering = ["team", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "volunteer"], condition=Q(left_on__isnull=True), name="teammember_one_active"
            ),
            models.UniqueConstraint(
                fields=["team"], condition=Q(left_on__isnull=True, role="leader"), name="teammember_one_leader"
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="teammember_leaves_after_joining",
            ),
        ]
        indexes = [
            models.Index(fields=["volunteer", "left_on"], name="teammember_volunteer_active"),
            models.Index(fields=["team", "left_on", "role"], name="teammember_team_active_role"),
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.volunteer} · {self.get_role_display()}"
