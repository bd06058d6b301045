"""Cases, their parties and their timeline (C3)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhichi.accounts.models import Department, Organisation
from zhichi.core import stages
from zhichi.parties.models import Party


class Category(models.TextChoices):
    WAGES = "wages", _("Unpaid wages")
    WORK_INJURY = "work_injury", _("Work injury")
    SUPPORT_PAYMENT = "support_payment", _("Support payments")
    DOMESTIC_VIOLENCE = "domestic_violence", _("Domestic violence")
    PERSONAL_INJURY = "personal_injury", _("Personal injury")
    GUARDIANSHIP = "guardianship", _("Guardianship")
    OTHER = "other", _("Other")


class Source(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    HOTLINE = "hotline", _("12309 hotline")
    PORTAL = "portal", _("Public portal")
    AGENCY = "agency", _("Partner agency")
    INTERNAL = "internal", _("Internal department")
    EX_OFFICIO = "ex_officio", _("Ex officio")
    IMPORT = "import", _("Bulk import")


class LabourRelationship(models.TextChoices):
    EMPLOYEE = "employee", _("Employee of the employer")
    CONTRACTOR_CREW = "contractor_crew", _("Crew hired by a contractor (包工头)")
    NONE = "none", _("No labour relationship")
    UNKNOWN = "unknown", _("Not yet known")


class Evasion(models.TextChoices):
    # rule CR-3
    TRANSFERRED_ASSETS = "transferred_assets", _("Transferred or hid assets")
    ABSCONDED = "absconded", _("Absconded or hid")
    DESTROYED_RECORDS = "destroyed_records", _("Hid or destroyed wage records")
    REFUSED_SUMMONS = "refused_summons", _("Ignored a summons from labour inspection")


class Stage(models.TextChoices):
    REVIEW = stages.REVIEW, _("Review")
    PRE_LITIGATION = stages.PRE_LITIGATION, _("Pre-litigation")
    LITIGATION = stages.LITIGATION, _("Litigation")
    POST_LITIGATION = stages.POST_LITIGATION, _("Post-litigation")
    CLOSED = stages.CLOSED, _("Closed")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Flag(models.TextChoices):
    CRIMINAL_LEAD_CANDIDATE = "criminal_lead_candidate", _("Criminal-lead candidate")
    MASS_DISPUTE_RISK = "mass_dispute_risk", _("Mass-dispute risk")
    ARBITRATION_FIRST = "arbitration_first", _("Arbitration first")


class PartyRole(models.TextChoices):
    CLAIMANT = "claimant", _("Claimant")
    RESPONDENT = "respondent", _("Respondent")


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=CaseStatus.OPEN)

    def search(self, q: str):
        """Number, party names and summary; any Chinese substring, 1 character upwards."""
        q = q.strip()
        if not q:
            return self
        return self.filter(search_text__contains=q.lower())


class Case(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="cases", null=True, blank=True
    )
    number = models.CharField(_("case number"), max_length=64)
    year = models.PositiveIntegerField()
    serial = models.PositiveIntegerField()
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    summary = models.TextField(_("summary"), blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    received_on = models.DateField(_("received on"))
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.REVIEW, db_index=True
    )
    status = models.CharField(
        _("status"), max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    level = models.PositiveSmallIntegerField(_("level"), null=True, blank=True)
    level_reasons = models.JSONField(default=list, blank=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cases_handled",
        null=True,
        blank=True,
        verbose_name=_("officer"),
    )
    flags = models.JSONField(default=list, blank=True)
    # the facts of the lead, carried onto the case
    voluntary = models.BooleanField(_("applied voluntarily"), default=False)
    consent_to_share = models.BooleanField(_("consents to sharing"), default=False)
    labour_relationship = models.CharField(
        _("labour relationship"),
        max_length=16,
        choices=LabourRelationship.choices,
        default=LabourRelationship.UNKNOWN,
    )
    has_iou = models.BooleanField(_("holds a wage IOU"), default=False)
    payment_order_authority = models.CharField(max_length=200, blank=True, default="")
    payment_order_issued_on = models.DateField(null=True, blank=True)
    payment_order_deadline = models.DateField(null=True, blank=True)
    evasion = models.JSONField(default=list, blank=True)
    referring_org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    search_text = models.TextField(blank=True, default="", editable=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="case_number_unique"),
            models.UniqueConstraint(
                fields=["organisation", "year", "serial"], name="case_serial_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "department", "-opened_on", "-id"]),
            models.Index(fields=["officer", "-opened_on"]),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.number

    def money_claimed(self) -> Decimal:
        total = self.parties.filter(role=PartyRole.CLAIMANT).aggregate(t=Sum("amount_claimed"))["t"]
        return total or Decimal("0.00")

    def has_flag(self, flag: str) -> bool:
        return flag in (self.flags or [])


class CaseParty(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="case_roles")
    role = models.CharField(max_length=16, choices=PartyRole.choices)
    position = models.PositiveSmallIntegerField(default=0)
    groups = models.JSONField(default=list, blank=True)
    vulnerability_basis = models.JSONField(default=list, blank=True)
    amount_claimed = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    months_unpaid = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["role", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "party", "role"], name="case_party_unique"),
            models.CheckConstraint(
                condition=Q(amount_claimed__isnull=True) | Q(amount_claimed__gte=0),
                name="case_party_amount_nonnegative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number}: {self.party.name} ({self.role})"


class TimelineEvent(models.Model):
    """One line in the case's history: every service call that touched the case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary = models.TextField()
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at", "id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"
