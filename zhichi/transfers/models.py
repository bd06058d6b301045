"""Transfers (线索移送) between agencies and between departments, both directions (C7)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhichi.accounts.models import Department, Organisation, Role
from zhichi.accounts.rules import is_member
from zhichi.cases import scope
from zhichi.cases.models import Case, ShareBasis
from zhichi.evidence.models import Attachment
from zhichi.intake.models import Lead


class TransferKind(models.TextChoices):
    CRIMINAL_LEAD = "criminal_lead", _("Criminal lead (refusal to pay wages)")
    LABOUR_INSPECTION = "labour_inspection", _("Labour inspection (order to pay)")
    LEGAL_AID = "legal_aid", _("Legal aid")
    CIVIL_SUPPORT = "civil_support", _("Civil support")
    MEDIATION = "mediation", _("Mediation")
    OTHER = "other", _("Other")


class TransferStatus(models.TextChoices):
    SENT = "sent", pgettext_lazy("transfer status", "Sent")
    RECEIVED = "received", pgettext_lazy("transfer status", "Received")
    ACCEPTED = "accepted", pgettext_lazy("transfer status", "Accepted")
    REJECTED = "rejected", pgettext_lazy("transfer status", "Rejected")
    ANSWERED = "answered", pgettext_lazy("transfer status", "Answered")
    CLOSED = "closed", pgettext_lazy("transfer status", "Closed")


# the states in which the receiving side still has something to do
OPEN_FOR_RECEIVER = (TransferStatus.SENT, TransferStatus.RECEIVED, TransferStatus.ACCEPTED)


class FeedbackResult(models.TextChoices):
    FILED = "filed", _("Case filed (立案)")
    NOT_FILED = "not_filed", _("Not filed")
    ORDER_ISSUED = "order_issued", _("Order to pay issued")
    PAID = "paid", _("Paid")
    LAWYER_ASSIGNED = "lawyer_assigned", _("Lawyer assigned")
    MEDIATED = "mediated", _("Settled by mediation")
    SUPPORT_ACCEPTED = "support_accepted", _("Taken up for civil support")
    OTHER = "other", _("Other")


def side_label(organisation: Organisation, department: Department | None) -> str:
    """One side of a transfer as people read it: the organisation, and its department if any."""
    return f"{organisation.name} · {department.name}" if department else organisation.name


# roles that act for their side of a transfer; the registrar reads, administrators never see
ACTING_ROLES = frozenset({Role.OFFICER, Role.HEAD, Role.CHIEF, Role.PARTNER})
READING_ROLES = ACTING_ROLES | {Role.REGISTRAR}


def may_see_transfers(user) -> bool:
    """Whether ``user`` has a transfer scope at all (navigation, page sections)."""
    if not is_member(user) or user.role not in READING_ROLES:
        return False
    return user.role not in scope.DEPARTMENT_ROLES or user.department_id is not None


def side_of(user, org: str, dept: str) -> Q:
    """One side of a transfer as ``user``'s: their organisation, and for department staff their
    department (or no department named)."""
    q = Q(**{f"{org}_id": user.organisation_id})
    if user.role in scope.DEPARTMENT_ROLES:
        q &= Q(**{f"{dept}__isnull": True}) | Q(**{f"{dept}_id": user.department_id})
    return q


class TransferQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Both sides see a transfer: the sending department (or agency) and the receiving one."""
        if not may_see_transfers(user):
            return self.none()
        return self.filter(
            side_of(user, "from_org", "from_department") | side_of(user, "to_org", "to_department")
        )

    def inbox_of(self, user):
        """The transfers ``user``'s side receives."""
        if not may_see_transfers(user):
            return self.none()
        return self.filter(side_of(user, "to_org", "to_department"))

    def outbox_of(self, user):
        """The transfers ``user``'s side sent."""
        if not may_see_transfers(user):
            return self.none()
        return self.filter(side_of(user, "from_org", "from_department"))

    def box_filter(self, *, status: str = "", kind: str = ""):
        """The inbox's and outbox's filters, shared by the pages, the API and the Excel export."""
        qs = self
        if status:
            qs = qs.filter(status=status)
        if kind:
            qs = qs.filter(kind=kind)
        return qs


class Transfer(models.Model):
    number = models.CharField(_("number"), max_length=64)
    kind = models.CharField(_("kind"), max_length=20, choices=TransferKind.choices)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="transfers"
    )
    lead = models.ForeignKey(
        Lead, on_delete=models.PROTECT, null=True, blank=True, related_name="transfers"
    )
    from_org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="transfers_sent"
    )
    from_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="transfers_received"
    )
    to_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"))
    basis = models.CharField(_("basis for sharing"), max_length=16, choices=ShareBasis.choices)
    legal_basis = models.TextField(_("legal basis"), blank=True, default="")
    # the criminal-lead evaluator's answer when the transfer was sent (rules CR-1 … CR-8)
    criminal_check = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=TransferStatus.choices,
        default=TransferStatus.SENT,
        db_index=True,
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    receipt_due = models.DateField(_("receipt due"))
    feedback_due = models.DateField(_("answer due"))
    received_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reject_reason = models.TextField(_("reason for rejecting"), blank=True, default="")
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    feedback_text = models.TextField(_("answer"), blank=True, default="")
    feedback_result = models.CharField(
        _("result"), max_length=20, choices=FeedbackResult.choices, blank=True, default=""
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    close_note = models.TextField(_("closing note"), blank=True, default="")
    # the evidence package: the attachments of the case or lead the sender chose to send
    evidence = models.ManyToManyField(
        Attachment, blank=True, related_name="transfers", verbose_name=_("evidence package")
    )
    version = models.PositiveIntegerField(default=1)

    objects = TransferQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(case__isnull=False) & Q(lead__isnull=True))
                | (Q(case__isnull=True) & Q(lead__isnull=False)),
                name="transfer_has_one_subject",
            ),
            models.UniqueConstraint(fields=["from_org", "number"], name="transfer_number_unique"),
        ]
        indexes = [
            models.Index(fields=["to_org", "status", "-sent_at"]),
            models.Index(fields=["from_org", "status", "-sent_at"]),
            # the inbox and the outbox, newest first, whatever the status (issue 19)
            models.Index(fields=["to_org", "-sent_at", "-id"], name="transfer_inbox_sent"),
            models.Index(fields=["from_org", "-sent_at", "-id"], name="transfer_outbox_sent"),
            models.Index(fields=["status", "receipt_due"]),
            models.Index(fields=["status", "feedback_due"]),
        ]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("transfers:detail", args=[self.pk])

    @property
    def subject(self):
        return self.case if self.case_id else self.lead

    @property
    def sender_label(self) -> str:
        """Who sent it: the sending organisation and the sender's own department (issue 13
        item 5), e.g. "五华区人民检察院 · 刑事检察部"."""
        return side_label(self.from_org, self.from_department)

    @property
    def receiver_label(self) -> str:
        return side_label(self.to_org, self.to_department)

    @property
    def share_source(self) -> str:
        return f"transfer:{self.pk}"

    @property
    def open_for_receiver(self) -> bool:
        """The receiving side may read the subject and its evidence until rejected or closed."""
        return self.status not in (TransferStatus.REJECTED, TransferStatus.CLOSED)

    @property
    def next_due(self) -> date | None:
        """What the receiver must do by when: the receipt while it is sent, the answer while it
        is received or accepted; None once answered, rejected or closed."""
        if self.status == TransferStatus.SENT:
            return self.receipt_due
        if self.status in (TransferStatus.RECEIVED, TransferStatus.ACCEPTED):
            return self.feedback_due
        return None

    @property
    def overdue(self) -> str:
        """ "receipt" or "answer" when that date has passed with nothing done, else ""."""
        due = self.next_due
        if due is None or due >= timezone.localdate():
            return ""
        return "receipt" if self.status == TransferStatus.SENT else "answer"

    @property
    def tone(self) -> str:
        """The badge colour: the same four meanings everywhere (UI.md)."""
        if self.overdue:
            return "overdue"
        if self.status in (TransferStatus.ANSWERED, TransferStatus.CLOSED):
            return "done"
        if self.status == TransferStatus.REJECTED:
            return "neutral"
        return "active"


class TransferAction(models.TextChoices):
    SEND = "send", pgettext_lazy("transfer status", "Sent")
    RECEIVE = "receive", _("Receipt confirmed")
    ACCEPT = "accept", pgettext_lazy("transfer status", "Accepted")
    REJECT = "reject", pgettext_lazy("transfer status", "Rejected")
    ANSWER = "answer", pgettext_lazy("transfer status", "Answered")
    CLOSE = "close", pgettext_lazy("transfer status", "Closed")


class TransferEvent(models.Model):
    """One step in a transfer's life, seen by both sides."""

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=20, choices=TransferAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.transfer_id} {self.action}"


class SenderCorrection(models.Model):
    """A transfer recorded as coming from its case's or lead's department although someone of
    another department sent it, set right to the sender's own department by migration 0002
    (issue 13 item 5). It keeps what was recorded before, so the correction can be read in the
    database and undone by reversing the migration."""

    transfer = models.OneToOneField(
        Transfer, on_delete=models.CASCADE, related_name="sender_correction"
    )
    recorded_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    corrected_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.transfer_id}: {self.recorded_department_id} → {self.corrected_department_id}"
