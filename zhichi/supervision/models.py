"""Procuratorial suggestions (检察建议, C10): drafted on a case, approved by the chief
procurator, served on the recipient, answered within two months of receipt (rule TL-9)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhichi.accounts.models import Organisation
from zhichi.cases import scope
from zhichi.cases.models import Approval, Case


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("suggestion status", "Waiting for approval")
    RETURNED = "returned", pgettext_lazy("suggestion status", "Returned for revision")
    APPROVED = "approved", pgettext_lazy("suggestion status", "Approved, not served")
    SERVED = "served", pgettext_lazy("suggestion status", "Served, waiting for the reply")
    REPLIED = "replied", pgettext_lazy("suggestion status", "Replied")
    ESCALATED = "escalated", pgettext_lazy("suggestion status", "Escalated")
    CLOSED = "closed", pgettext_lazy("suggestion status", "Closed")
    WITHDRAWN = "withdrawn", pgettext_lazy("suggestion status", "Withdrawn")


# the states in which the recipient owes a reply (once served; rule TL-9)
AWAITING_REPLY = (SuggestionStatus.SERVED, SuggestionStatus.ESCALATED)
# the states after service: the reply deadline runs or has been met
AFTER_SERVICE = (
    SuggestionStatus.SERVED,
    SuggestionStatus.REPLIED,
    SuggestionStatus.ESCALATED,
    SuggestionStatus.CLOSED,
)
# before service the drafter may still withdraw it (not while the chief procurator decides)
WITHDRAWABLE = (SuggestionStatus.RETURNED, SuggestionStatus.APPROVED)


class ServiceMethod(models.TextChoices):
    DIRECT = "direct", _("In person (direct or announced service)")
    POST = "post", _("By post")
    ELECTRONIC = "electronic", _("Electronically")
    OTHER = "other", _("Other")


class Adoption(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    PARTLY_ADOPTED = "partly_adopted", _("Partly adopted")
    NOT_ADOPTED = "not_adopted", _("Not adopted")


class EscalationTarget(models.TextChoices):
    SUPERIOR_PROCURATORATE = "superior_procuratorate", _("The superior procuratorate")
    COMPETENT_AUTHORITY = "competent_authority", _("The recipient's competent authority")
    PARTY_COMMITTEE_OR_CONGRESS = (
        "party_committee_or_congress",
        _("The Party committee or the people's congress"),
    )


class SuggestionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Suggestions are the procuratorate's own work: those on the cases internal to
        ``user``. Partner agencies never see them, not even on a case shared with them."""
        if not scope.may_see_internal(user):
            return self.none()
        return self.filter(case__in=Case.objects.internal_to(user).values("pk"))

    def overdue(self, today):
        """Served, no reply yet, and the reply date has passed (rule TL-9)."""
        return self.filter(status__in=AWAITING_REPLY, replied_on__isnull=True, reply_due__lt=today)

    def register_filter(self, *, today, status: str = "", overdue: bool | None = None, q: str = ""):
        """The register's filters, shared by the page and the API: status, overdue or not, and a
        search by number, recipient or case number."""
        qs = self
        if status:
            qs = qs.filter(status=status)
        if overdue is True:
            qs = qs.overdue(today)
        elif overdue is False:
            qs = qs.exclude(pk__in=Suggestion.objects.overdue(today).values("pk"))
        q = (q or "").strip()
        if q:
            qs = qs.filter(
                models.Q(number__icontains=q)
                | models.Q(to_org_name__icontains=q)
                | models.Q(case__number__icontains=q)
            )
        return qs


class Suggestion(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="suggestions")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="suggestions_issued"
    )
    number = models.CharField(_("number"), max_length=64, blank=True, default="")
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SuggestionStatus.choices,
        default=SuggestionStatus.PENDING,
        db_index=True,
    )
    to_org_name = models.CharField(_("recipient"), max_length=200)
    to_org = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="suggestions_received",
        verbose_name=_("recipient on the platform"),
    )
    issue = models.TextField(_("problem found"))
    recommendations = models.TextField(_("recommendations"))
    legal_basis = models.TextField(_("legal basis"), blank=True, default="")
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField(default=timezone.now)
    # the current (latest) approval; earlier ones stay in the case's approvals
    approval = models.ForeignKey(
        Approval, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True, default="")
    # planned before service, actual once service is recorded
    served_on = models.DateField(_("served on"), null=True, blank=True)
    method = models.CharField(
        _("method of service"), max_length=12, choices=ServiceMethod.choices, blank=True
    )
    received_on = models.DateField(_("received on"), null=True, blank=True)
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reply_due = models.DateField(_("reply due"), null=True, blank=True)
    reply_due_custom = models.BooleanField(_("shorter period for an urgent matter"), default=False)
    calendar_complete = models.BooleanField(default=True)
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    reply_text = models.TextField(_("reply"), blank=True, default="")
    adoption = models.CharField(
        _("adoption"), max_length=16, choices=Adoption.choices, blank=True, default=""
    )
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    close_note = models.TextField(_("closing note"), blank=True, default="")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdraw_reason = models.TextField(_("reason for withdrawing"), blank=True, default="")
    version = models.PositiveIntegerField(default=1)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["-drafted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "number"],
                condition=~models.Q(number=""),
                name="suggestion_number_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "-id"]),
            models.Index(fields=["status", "reply_due"]),
        ]
        verbose_name = _("procuratorial suggestion")
        verbose_name_plural = _("procuratorial suggestions")

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:detail", args=[self.pk])

    @property
    def served(self) -> bool:
        return self.status in AFTER_SERVICE

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return (
            self.status in AWAITING_REPLY
            and self.replied_on is None
            and self.reply_due is not None
            and self.reply_due < today
        )

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    @property
    def tone(self) -> str:
        """The badge colour: the same four meanings everywhere (UI.md)."""
        if self.overdue:
            return "overdue"
        if self.status in (SuggestionStatus.REPLIED, SuggestionStatus.CLOSED):
            return "done"
        if self.status in (SuggestionStatus.RETURNED, SuggestionStatus.ESCALATED):
            return "warning"
        if self.status == SuggestionStatus.WITHDRAWN:
            return "neutral"
        return "active"


class SuggestionEscalation(models.Model):
    """Non-compliance reported upward (rule TL-9): to the superior procuratorate, the competent
    authority, or the Party committee / people's congress."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="escalations")
    escalated_on = models.DateField(_("escalated on"))
    to = models.CharField(_("escalated to"), max_length=32, choices=EscalationTarget.choices)
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["escalated_on", "id"]

    def __str__(self) -> str:
        return f"{self.suggestion_id} → {self.to}"
