"""Dated, sourced configuration the law library reads (rules are data: PRODUCT.md principles).

Nothing here is edited in place: a new figure is a new row with its own effective date and source,
so every result can say which figure it used and where that figure came from.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class HolidayYear(models.Model):
    """One year's official holiday notice (State Council), loaded as data (rule TL-1)."""

    year = models.PositiveIntegerField(_("year"), unique=True)
    notice_title = models.CharField(_("notice title"), max_length=200)
    notice_number = models.CharField(_("document number"), max_length=100, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("holiday notice")
        verbose_name_plural = _("holiday notices")

    def __str__(self) -> str:
        return f"{self.year}: {self.notice_title}"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Day off (statutory holiday)")
    WORKDAY = "workday", _("Make-up working day")


class CalendarDay(models.Model):
    year = models.ForeignKey(HolidayYear, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=DayKind.choices)
    name = models.CharField(_("holiday"), max_length=60)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.kind} {self.name}"


class CriminalThreshold(models.Model):
    """A province's 数额较大 figures for refusing to pay wages (rule CR-4).

    ``province`` is the GB/T 2260 two-digit code; ``00`` holds the national range of 法释〔2013〕3号
    (floor in ``individual``/``collective``, ceiling in ``individual_ceiling``/``collective_ceiling``).
    """

    NATIONAL = "00"

    province = models.CharField(_("province code"), max_length=2, db_index=True)
    individual = models.DecimalField(_("one worker (yuan)"), max_digits=14, decimal_places=2)
    collective = models.DecimalField(
        _("ten or more workers (yuan)"), max_digits=14, decimal_places=2
    )
    individual_ceiling = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    collective_ceiling = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    effective_from = models.DateField(_("effective from"))
    source = models.CharField(_("source"), max_length=300)
    note = models.CharField(_("note"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["province", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "effective_from"], name="criminal_threshold_unique"
            )
        ]
        verbose_name = _("criminal threshold")
        verbose_name_plural = _("criminal thresholds")

    def __str__(self) -> str:
        return f"{self.province} {self.individual}/{self.collective} from {self.effective_from}"


class WageSeries(models.TextChoices):
    ON_POST = (
        "urban_non_private_on_post",
        _("Urban non-private units, on-post employees (在岗职工)"),
    )
    EMPLOYED = "urban_non_private_employed", _("Urban non-private units, all employed (就业人员)")


class AverageWage(models.Model):
    """A province's published average wage for a statistical year (rules JA-4, JA-5, LA-5)."""

    province = models.CharField(_("province code"), max_length=2)
    wage_year = models.PositiveIntegerField(_("statistical year"))
    series = models.CharField(_("series"), max_length=40, choices=WageSeries.choices)
    annual = models.DecimalField(_("annual average (yuan)"), max_digits=14, decimal_places=2)
    published_on = models.DateField(_("published on"))
    source = models.CharField(_("source"), max_length=300)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["province", "-wage_year", "series"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "wage_year", "series"], name="average_wage_unique"
            )
        ]
        verbose_name = _("average wage")
        verbose_name_plural = _("average wages")

    def __str__(self) -> str:
        return f"{self.province} {self.wage_year} {self.series}: {self.annual}"


class CampaignWindow(models.Model):
    """rule EW-2: one winter campaign against wage arrears (治理欠薪冬季行动), as the State Council
    or the province announced it, from its first day to its last (the Spring Festival)."""

    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"), unique=True)
    source = models.CharField(_("source"), max_length=300)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-ends_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="campaign_window_ends_after_it_starts",
            )
        ]
        verbose_name = _("winter campaign")
        verbose_name_plural = _("winter campaigns")

    def __str__(self) -> str:
        return f"{self.starts_on}–{self.ends_on}"


class RuleSetting(models.Model):
    """A named choice the rules depend on, e.g. which wage series JA-4 uses (JA-5: unverified)."""

    key = models.CharField(max_length=60, unique=True)
    value = models.CharField(max_length=200)
    source = models.CharField(max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.key}={self.value}"

    def get_value_label(self) -> str:
        if self.key == "assistance_wage_series":
            try:
                return str(WageSeries(self.value).label)
            except ValueError:
                pass
        return self.value
