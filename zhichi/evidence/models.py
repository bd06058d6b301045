"""Evidence attachments on leads and cases: the file's facts (type by content, size, SHA-256) and
where it is stored. Attachments are never deleted or changed: evidence is kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhichi.accounts.models import Organisation
from zhichi.cases import scope
from zhichi.cases.models import Case
from zhichi.evidence.sniff import download_name
from zhichi.intake.models import Lead


class Kind(models.TextChoices):
    CONTRACT = "contract", _("Labour contract or agreement")
    IOU = "iou", _("IOU")
    WAGE_RECORD = "wage_record", _("Wage sheet or attendance record")
    CHAT_LOG = "chat_log", _("Chat log")
    ID_DOCUMENT = "id_document", _("Identity document")
    PAYMENT_ORDER = "payment_order", _("Order to pay")
    JUDGMENT = "judgment", _("Judgment or ruling")
    MEDICAL = "medical", _("Medical certificate")
    PHOTO = "photo", _("Photo")
    AUDIO = "audio", _("Audio recording")
    OTHER = "other", _("Other")


def may_see_attachments(user) -> bool:
    """Procuratorate staff and partner agencies; the three administrators never (rule R5)."""
    return scope.may_see_cases(user)


class AttachmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Procuratorate staff see the attachments of the cases and leads they can see (a case's
        include those of the lead it was accepted from); a partner only what its own
        organisation uploaded there."""
        if not may_see_attachments(user):
            return self.none()
        cases = Case.objects.visible_to(user).values("pk")
        leads = Lead.objects.visible_to(user).values("pk")
        # the leads of the visible cases as a subquery on the leads' own index: joining the
        # attachments to the leads under an OR would read every attachment
        q = (
            Q(case__in=cases)
            | Q(lead__in=leads)
            | Q(lead__in=Lead.objects.filter(case__in=cases).values("pk"))
        )
        if user.role not in scope.STAFF_ROLES:
            q &= Q(organisation_id=user.organisation_id)
        return self.filter(q)

    def for_case(self, case: Case) -> AttachmentQuerySet:
        """A case's attachments, with those of the lead it was accepted from."""
        return self.filter(Q(case=case) | Q(lead__in=Lead.objects.filter(case=case).values("pk")))

    def for_lead(self, lead: Lead) -> AttachmentQuerySet:
        return self.filter(lead=lead)

    def for_display(self) -> AttachmentQuerySet:
        return self.select_related("organisation", "uploaded_by")


class Attachment(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=_("uploaded by organisation"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=_("uploaded by"),
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    lead = models.ForeignKey(
        Lead, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=500, blank=True, default="")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    extension = models.CharField(max_length=8)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    storage_name = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now, db_index=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(case__isnull=False, lead__isnull=True)
                    | Q(case__isnull=True, lead__isnull=False)
                ),
                name="evidence_attachment_on_case_or_lead",
            )
        ]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.sha256[:12]})"

    @property
    def download_name(self) -> str:
        return download_name(self.original_name, self.extension)
