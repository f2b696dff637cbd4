"""People who serve, the organ party organisations they belong to, and dual registration (双报到)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class OrganOrganisation(models.Model):
    """A party organisation of a government organ or public body (机关党组织)."""

    name = models.CharField(_("党组织名称"), max_length=120, unique=True)
    department = models.CharField(_("所属机关单位"), max_length=120, blank=True)
    # The level that runs it (a city organ hangs at the city, a county organ at its district).
    unit = models.ForeignKey(
        "grids.GridUnit", verbose_name=_("隶属单元"), on_delete=models.PROTECT, related_name="organ_organisations"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("机关党组织")
        verbose_name_plural = _("机关党组织")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class VolunteerQuerySet(models.QuerySet):
    def party_members(self) -> "VolunteerQuerySet":
        return self.filter(is_party_member=True)

    def organ_members(self) -> "VolunteerQuerySet":
        return self.filter(organisation__isnull=False)


class Volunteer(models.Model):
    """A person who serves (or an elder who draws on the time bank).

    Not every volunteer logs in: the 24,500 organ party members are people, not
    accounts; `user` links the few who do.
    """

    full_name = models.CharField(_("姓名"), max_length=60)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录用户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer",
    )
    is_party_member = models.BooleanField(_("党员"), default=False)
    organisation = models.ForeignKey(
        OrganOrganisation,
        verbose_name=_("机关党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        help_text=_("机关党员所在的党组织；非机关党员留空"),
    )
    # Where the person lives: the unit whose staff see them (jurisdiction).
    unit = models.ForeignKey(
        "grids.GridUnit",
        verbose_name=_("居住地单元"),
        on_delete=models.PROTECT,
        related_name="volunteers",
        db_index=False,  # volunteer_unit_party leads with it
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = VolunteerQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["full_name", "pk"]
        indexes = [models.Index(fields=["unit", "is_party_member"], name="volunteer_unit_party")]
        constraints = [
            # An organ party member is a party member.
            models.CheckConstraint(
                condition=Q(organisation__isnull=True) | Q(is_party_member=True), name="volunteer_organ_is_party"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def masked_phone(self) -> str:
        """The phone number with its middle digits hidden (for anyone not managing the person)."""
        if len(self.phone) < 7:
            return "*" * len(self.phone)
        return f"{self.phone[:3]}****{self.phone[-4:]}"


class OrganisationRegistration(models.Model):
    """An organ party organisation registered with a community (单位到社区报到)."""

    organisation = models.ForeignKey(
        OrganOrganisation, verbose_name=_("机关党组织"), on_delete=models.PROTECT, related_name="registrations"
    )
    community = models.ForeignKey(
        "grids.GridUnit",
        verbose_name=_("报到社区"),
        on_delete=models.PROTECT,
        related_name="organisation_registrations",
        db_index=False,  # orgreg_community_active leads with it
    )
    registered_on = models.DateField(_("报到日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("单位报到")
        verbose_name_plural = _("单位报到")
        ordering = ["-registered_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "community"],
                condition=Q(ended_on__isnull=True),
                name="orgreg_one_active_per_community",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("registered_on")),
                name="orgreg_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["community", "ended_on"], name="orgreg_community_active")]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.community}"


class MemberRegistration(models.Model):
    """An organ party member registered with the community where they live (党员到居住地社区报到)."""

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="registrations"
    )
    community = models.ForeignKey(
        "grids.GridUnit",
        verbose_name=_("报到社区"),
        on_delete=models.PROTECT,
        related_name="member_registrations",
        db_index=False,  # memberreg_community_active leads with it
    )
    registered_on = models.DateField(_("报到日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("党员报到")
        verbose_name_plural = _("党员报到")
        ordering = ["-registered_on", "pk"]
        constraints = [
            # A member reports to one community at a time.
            models.UniqueConstraint(
                fields=["volunteer"], condition=Q(ended_on__isnull=True), name="memberreg_one_active"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("registered_on")),
                name="memberreg_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["community", "ended_on"], name="memberreg_community_active")]

    def __str__(self) -> str:
        return f"{self.volunteer} → {self.community}"
