"""Judicial assistance (国家司法救助, rules JA-1 … JA-6) and legal aid referrals (C9)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhichi.cases import scope
from zhichi.cases.models import Approval, Case, CaseParty
from zhichi.core.calendar import Deadline, HolidayCalendar, compute
from zhichi.transfers.models import Transfer


class Situation(models.TextChoices):
    """rule JA-2: the eligible situations (细则 art. 7)."""

    CRIME_INJURY = "crime_injury", _("Crime victim seriously injured or disabled (art. 7(1))")
    CRIME_TREATMENT = "crime_treatment", _("Crime victim urgently needing treatment (art. 7(2))")
    CRIME_DEPENDANTS = (
        "crime_dependants",
        _("Dependants of a victim who died or cannot work (art. 7(3))"),
    )
    CRIME_PROPERTY = "crime_property", _("Crime victim with major property loss (art. 7(4))")
    RETALIATION = (
        "retaliation",
        _("Whistle-blower, witness or expert retaliated against (art. 7(5))"),
    )
    CIVIL_TORT = (
        "civil_tort",
        _("Injured by a traffic accident or other civil tort, no compensation (art. 7(6))"),
    )
    OTHER = "other", _("Other case the procuratorate finds warrants aid (art. 7(7))")


class Exclusion(models.TextChoices):
    """rule JA-3: aid is not given (细则 art. 8)."""

    SERIOUS_FAULT = "serious_fault", _("The applicant was seriously at fault")
    REFUSED_COOPERATION = "refused_cooperation", _("Refused to cooperate without good reason")
    FALSE_STATEMENTS = "false_statements", _("Made false statements or forged evidence")
    WAIVED_COMPENSATION = "waived_compensation", _("Waived or refused compensation")
    NOT_CAUSED_BY_CASE = "not_caused_by_case", _("The hardship was not caused by the case")
    ALREADY_COMPENSATED = (
        "already_compensated",
        _("Already reasonably compensated or aided through social assistance"),
    )


class ApplicationForm(models.TextChoices):
    WRITTEN = "written", _("Written application")
    ORAL = "oral", _("Oral application (recorded)")


class Proposal(models.TextChoices):
    GRANT = "grant", _("Grant aid")
    REFUSE = "refuse", _("Refuse aid")


class AssistanceStatus(models.TextChoices):
    RECEIVED = "received", _("Received, under verification")
    IN_APPROVAL = "in_approval", _("Waiting for approval")
    GRANTED = "granted", _("Aid granted")
    REFUSED = "refused", _("Aid refused")
    PAID = "paid", _("Paid")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# an application that blocks another one by the same applicant on the same case (JA-4)
ACTIVE_STATUSES = (
    AssistanceStatus.RECEIVED,
    AssistanceStatus.IN_APPROVAL,
    AssistanceStatus.GRANTED,
    AssistanceStatus.PAID,
)


class Step(models.TextChoices):
    REVIEW = "review", _("Department head's review")
    DECISION = "decision", _("Chief procurator's decision")
    SPECIAL = "special", _("Special approval above the cap")


class PaymentMethod(models.TextChoices):
    BANK = "bank_transfer", _("Bank transfer")
    CASH = "cash", _("Cash against receipt")
    OTHER = "other", _("Other")


class NoticeMethod(models.TextChoices):
    PHONE = "phone", _("Phone")
    IN_PERSON = "in_person", _("In person")
    LETTER = "letter", _("Letter")
    MESSAGE = "message", _("Text message")


class AssistanceApplicationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Assistance records (hardship, family finances, money) stay inside the procuratorate
        that handles the case: the applications on the cases internal to ``user`` (C8)."""
        if not scope.may_see_internal(user):
            return self.none()
        return self.filter(case__in=Case.objects.internal_to(user).values("pk"))

    def register_filter(self, *, status: str = "", q: str = ""):
        """The register's filters, shared by the page, the API and the Excel export: the status,
        and a search by case number or the applicant's name."""
        qs = self
        if status:
            qs = qs.filter(status=status)
        q = (q or "").strip()
        if q:
            qs = qs.filter(
                models.Q(case__number__icontains=q) | models.Q(applicant__party__name__icontains=q)
            )
        return qs


class AssistanceApplication(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assistance")
    applicant = models.ForeignKey(
        CaseParty, on_delete=models.PROTECT, related_name="assistance_applications"
    )
    form = models.CharField(
        _("form of application"),
        max_length=10,
        choices=ApplicationForm.choices,
        default=ApplicationForm.WRITTEN,
    )
    received_on = models.DateField(_("application received on"))
    situation = models.CharField(_("situation (JA-2)"), max_length=20, choices=Situation.choices)
    hardship = models.TextField(_("hardship"))
    hardship_caused_by_case = models.BooleanField(_("hardship caused by the case"), default=True)
    requested_amount = models.DecimalField(_("requested amount"), max_digits=12, decimal_places=2)
    urgent = models.BooleanField(_("urgent: aid first, paperwork after"), default=False)
    urgent_reason = models.TextField(_("why it is urgent"), blank=True, default="")
    # the cap when the application was recorded (JA-4, JA-5), refreshed with the opinion;
    # null when no average wage is entered at all
    cap = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    cap_detail = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AssistanceStatus.choices,
        default=AssistanceStatus.RECEIVED,
        db_index=True,
    )
    # the officer's verification and review opinion (JA-6)
    exclusions = models.JSONField(default=dict, blank=True)
    verification = models.TextField(_("verification"), blank=True, default="")
    proposal = models.CharField(
        _("proposal"), max_length=8, choices=Proposal.choices, blank=True, default=""
    )
    proposed_amount = models.DecimalField(
        _("proposed amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    court_award_limit = models.DecimalField(
        _("amount a court would award"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    opinion = models.TextField(_("review opinion"), blank=True, default="")
    eligibility = models.JSONField(default=dict, blank=True)
    opinion_at = models.DateTimeField(null=True, blank=True)
    # the approval chain: [{"step": "review", "role": "head"}, ...] and the step now open
    steps = models.JSONField(default=list, blank=True)
    step_index = models.PositiveSmallIntegerField(default=0)
    approval = models.ForeignKey(
        Approval, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    returned_reason = models.TextField(_("returned for revision because"), blank=True, default="")
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    granted_amount = models.DecimalField(
        _("granted amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    decision_reason = models.TextField(_("reasons of the decision"), blank=True, default="")
    funds_arrived_on = models.DateField(_("funds arrived on"), null=True, blank=True)
    notified_on = models.DateField(_("applicant notified on"), null=True, blank=True)
    notice_method = models.CharField(
        _("notified by"), max_length=10, choices=NoticeMethod.choices, blank=True, default=""
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    paid_amount = models.DecimalField(
        _("amount paid"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    payment_method = models.CharField(
        _("paid by"), max_length=14, choices=PaymentMethod.choices, blank=True, default=""
    )
    payment_reference = models.CharField(
        _("receipt or transfer number"), max_length=100, blank=True
    )
    follow_up_on = models.DateField(_("followed up on"), null=True, blank=True)
    follow_up_note = models.TextField(_("follow-up"), blank=True, default="")
    withdrawn_reason = models.TextField(_("reason for withdrawing"), blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = AssistanceApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            # rule JA-4: one aid per applicant per case
            models.UniqueConstraint(
                fields=["case", "applicant"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="assistance_one_per_applicant",
            )
        ]
        indexes = [models.Index(fields=["status", "received_on"])]
        verbose_name = _("judicial assistance application")
        verbose_name_plural = _("judicial assistance applications")

    def __str__(self) -> str:
        return f"{self.case.number} {self.applicant_id} {self.status}"

    def get_absolute_url(self) -> str:
        return reverse("assistance:detail", args=[self.pk])

    # rule JA-6: the decision within 10 working days of the application, the applicant told
    # within 2 working days of the money arriving (one computation for the case's deadlines, the
    # register and the API)
    def decision_due(self, cal: HolidayCalendar) -> Deadline:
        return compute("assistance_decision", self.received_on, cal)

    def notice_due(self, cal: HolidayCalendar) -> Deadline | None:
        if not self.funds_arrived_on:
            return None
        return compute("assistance_notification", self.funds_arrived_on, cal)

    @property
    def current_step(self) -> dict | None:
        if self.status != AssistanceStatus.IN_APPROVAL or self.step_index >= len(self.steps):
            return None
        return self.steps[self.step_index]

    @property
    def needs_special_approval(self) -> bool:
        return any(s.get("step") == Step.SPECIAL for s in self.steps)

    @property
    def tone(self) -> str:
        if self.status in (AssistanceStatus.PAID,):
            return "done"
        if self.status in (AssistanceStatus.REFUSED, AssistanceStatus.WITHDRAWN):
            return "neutral"
        return "active"


class LegalAidOutcome(models.TextChoices):
    REPRESENTING = "representing", _("Lawyer representing, case ongoing")
    SETTLED = "settled", _("Settled or mediated")
    WON = "won", _("Judgment or award in the person's favour")
    LOST = "lost", _("Claim not upheld")
    WITHDRAWN = "withdrawn", _("The person withdrew")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible for legal aid")


class LegalAidReferral(models.Model):
    """The legal aid centre's part of a legal aid transfer: the lawyer assigned and the outcome."""

    transfer = models.OneToOneField(
        Transfer, on_delete=models.CASCADE, related_name="legal_aid", primary_key=True
    )
    lawyer_name = models.CharField(_("lawyer"), max_length=100)
    law_firm = models.CharField(_("law firm"), max_length=200)
    lawyer_phone = models.CharField(_("lawyer's phone"), max_length=20, blank=True)
    assigned_on = models.DateField(_("assigned on"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(
        _("outcome"), max_length=14, choices=LegalAidOutcome.choices, blank=True, default=""
    )
    outcome_on = models.DateField(_("outcome on"), null=True, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True, default="")
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("legal aid referral")
        verbose_name_plural = _("legal aid referrals")

    def __str__(self) -> str:
        return f"{self.transfer_id} {self.lawyer_name}"
