"""The choice lists of cases and their records: the stored codes and their labels.

Read by the models' fields and by what puts a case into words (``words``), which the models
themselves use; so they live below both.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhichi.core import stages


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


class RiskSignal(models.TextChoices):
    """What is known about the dispute that raises its risk (rule EW-3) or, with an unmet order
    to pay, makes the employer a blacklist candidate (rule EW-1 (ii))."""

    CONSTRUCTION = "construction", _("Construction project (工程建设领域)")
    PROJECT_CLOSING = "project_closing", _("Project finished or company closing")
    PAST_PETITIONS = "past_petitions", _("Past collective petitions, sit-ins or blockades")
    SELF_HARM_THREATS = "self_harm_threats", _("Threats of self-harm or other extreme acts")
    MASS_INCIDENT = (
        "mass_incident",
        _("The arrears caused a mass or extreme incident with serious social impact"),
    )


def risk_inputs(signals) -> dict[str, bool]:
    """The EW-3 scoring's inputs (``core.grading.Facts``) from the signals recorded: an incident
    that already happened weighs as past petitions or blockades do (+3)."""
    found = set(signals or ())
    return {
        "construction": RiskSignal.CONSTRUCTION in found,
        "project_finished_or_closing": RiskSignal.PROJECT_CLOSING in found,
        "past_petitions": bool(found & {RiskSignal.PAST_PETITIONS, RiskSignal.MASS_INCIDENT}),
        "self_harm_threats": RiskSignal.SELF_HARM_THREATS in found,
    }


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
    # rule CR-4: the amount lies between the national floor and ceiling and the province's
    # figures are not entered, so the check cannot decide (not a candidate, not cleared)
    CRIMINAL_THRESHOLD_UNKNOWN = (
        "criminal_threshold_unknown",
        _("Criminal check depends on the province's threshold"),
    )
    MASS_DISPUTE_RISK = "mass_dispute_risk", _("Mass-dispute risk")
    ARBITRATION_FIRST = "arbitration_first", _("Arbitration first")


class PartyRole(models.TextChoices):
    CLAIMANT = "claimant", _("Claimant")
    RESPONDENT = "respondent", _("Respondent")


class Outcome(models.TextChoices):
    RECOVERED_IN_FULL = "recovered_in_full", _("Recovered in full")
    PARTLY_RECOVERED = "partly_recovered", _("Partly recovered")
    NOT_RECOVERED = "not_recovered", _("Not recovered")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    TRANSFERRED = "transferred", _("Transferred")


class MediationOutcome(models.TextChoices):
    AGREEMENT = "agreement", _("Agreement reached")
    # its own context: "Failed" alone is a state of imports, deliveries and documents
    FAILED = "failed", pgettext_lazy("mediation outcome", "Failed")
    ADJOURNED = "adjourned", _("Adjourned")


class SessionKind(models.TextChoices):
    MEDIATION = "mediation", _("Mediation (by a mediator)")
    RECONCILIATION = "reconciliation", _("Reconciliation (between the parties)")


class AppointmentStatus(models.TextChoices):
    """Where a planned mediation session stands: set for a date, held (a mediation was recorded
    on or after it), or called off with a reason."""

    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class ApprovalKind(models.TextChoices):
    SUPPORT_DECISION = "support_decision", _("Support decision")
    ASSISTANCE = "assistance", _("Judicial assistance")
    SUGGESTION = "suggestion", _("Procuratorial suggestion")
    REOPENING = "reopening", _("Reopening a closed case")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CourtEventKind(models.TextChoices):
    FILED = "filed", _("Suit filed")
    HEARING = "hearing", _("Hearing attended")
    JUDGMENT = "judgment", _("Judgment")
    RULING = "ruling", _("Ruling")
    PRESERVATION = "preservation", _("Property preservation")
    ENFORCEMENT_FILED = "enforcement_filed", _("Enforcement applied for")
    ARBITRATION_AWARD = "arbitration_award", _("Labour arbitration award")


class LedgerEntryKind(models.TextChoices):
    AGREED = "agreed", _("Agreed")
    AWARDED = "awarded", _("Awarded")


class VisitTarget(models.TextChoices):
    CLAIMANT = "claimant", _("Claimant")
    EMPLOYER = "employer", _("Employer")


class VisitMethod(models.TextChoices):
    PHONE = "phone", _("Phone")
    VISIT = "visit", _("In person")
    VIDEO = "video", _("Video")


class DeadlineStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("No longer needed (case closed)")


class ShareReason(models.TextChoices):
    TRANSFER = "transfer", _("Transfer")
    JOINT_ACTION = "joint_action", _("Joint action")


class ShareBasis(models.TextChoices):
    INTERNAL = "internal", _("Within the procuratorate")
    CONSENT = "consent", _("The person's consent")
    LEGAL_BASIS = "legal_basis", _("A legal basis")
