"""The public portal (C15): a person's application while it is being written (``Draft``), what the
portal kept of a filed one (``Filing``: who filed, their consents, how to reach them), what the
person is told of each step (``Notice``), and the per-address request counters (``RateBucket``).

Everything a person typed is personal information: a draft's answers and the phones are kept
encrypted (``parties.crypto``); the status lookup compares a keyed hash of the receipt code and
the phone's last 4 digits, never the digits themselves.
"""

from __future__ import annotations

import json
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhichi.evidence.models import Kind as EvidenceKind
from zhichi.intake.models import Lead, new_receipt_code
from zhichi.parties import crypto


def grouped(code: str) -> str:
    """A 10-character code as it is shown and read aloud: two groups of five (ABCDE-FGHJK)."""
    return f"{code[:5]}-{code[5:]}"


def default_expiry():
    """An unfinished application is kept this long after its last change."""
    return timezone.now() + timedelta(days=settings.ZHICHI["PORTAL_DRAFT_DAYS"])


class DraftQuerySet(models.QuerySet):
    def live(self):
        return self.filter(expires_at__gt=timezone.now())


class Draft(models.Model):
    """An application being written: the answers of each step so far, kept encrypted, resumable
    with ``code`` until ``expires_at``. Once submitted it points at its lead and is read-only."""

    # made as a receipt code is (10 of 32 characters: about 10**15), and tries are rate-limited
    code = models.CharField(max_length=16, unique=True, default=new_receipt_code)
    step = models.PositiveSmallIntegerField(default=1)  # the furthest step reached
    answers_enc = models.TextField(blank=True, default="")
    language = models.CharField(max_length=8, default="zh-hans")
    # the privacy notice the person agreed to, and when, before anything they typed was kept
    # (PIPL art. 29: separate consent for sensitive personal information)
    privacy_notice = models.CharField(max_length=16)
    consented_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=default_expiry, db_index=True)
    lead = models.OneToOneField(
        Lead, on_delete=models.SET_NULL, null=True, blank=True, related_name="portal_draft"
    )

    objects = DraftQuerySet.as_manager()

    class Meta:
        verbose_name = _("portal draft")
        verbose_name_plural = _("portal drafts")

    def __str__(self) -> str:
        return _("Draft %(code)s") % {"code": self.code}

    @property
    def code_shown(self) -> str:
        return grouped(self.code)

    @property
    def answers(self) -> dict:
        return json.loads(crypto.decrypt(self.answers_enc)) if self.answers_enc else {}

    def set_answers(self, answers: dict) -> None:
        self.answers_enc = crypto.encrypt(json.dumps(answers, ensure_ascii=False, sort_keys=True))


class DraftFile(models.Model):
    """An evidence photo or scan added to a draft, stored sealed in the evidence store; it
    becomes an attachment of the lead when the application is filed."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=16, choices=EvidenceKind.choices)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=8)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class FiledBy(models.TextChoices):
    SELF = "self", _("The person themselves")
    HELPER = "helper", _("A helper on the person's behalf")


class HelperRelation(models.TextChoices):
    RELATIVE = "relative", _("Relative")
    COMMUNITY_WORKER = "community_worker", _("Community or village worker")
    COWORKER = "coworker", _("Co-worker")
    SOCIAL_WORKER = "social_worker", _("Social worker or volunteer")
    OTHER = "other", _("Other")


class Filing(models.Model):
    """What the portal keeps of a filed application besides the lead: who filed it, the consents
    given (PIPL art. 29 and 31; rule SP-5's voluntary application), how to reach the person, and
    the key the status lookup compares."""

    lead = models.OneToOneField(Lead, on_delete=models.PROTECT, related_name="portal_filing")
    filed_by = models.CharField(_("filed by"), max_length=8, choices=FiledBy.choices)
    helper_name = models.CharField(_("helper's name"), max_length=100, blank=True, default="")
    helper_relation = models.CharField(
        _("helper's relation"), max_length=20, choices=HelperRelation.choices, blank=True
    )
    helper_phone_enc = models.TextField(blank=True, default="")
    # the person's own consent, as the helper confirmed it (issue 18 item 3)
    helper_confirms_consent = models.BooleanField(default=False)
    phone_enc = models.TextField()  # the applicant's phone, for messages
    lookup_index = models.CharField(max_length=64, db_index=True)
    privacy_notice = models.CharField(_("privacy notice version"), max_length=16)
    consent_sensitive = models.BooleanField(_("consents to sensitive information"))
    consent_voluntary = models.BooleanField(_("applies voluntarily"))
    consent_sms = models.BooleanField(_("agrees to text messages"), default=False)
    consented_at = models.DateTimeField()
    language = models.CharField(max_length=8, default="zh-hans")
    # a name typed with an ID number that is on record under another name: kept for the staff
    # to check with the person, never shown to the public (rule ID-3)
    typed_name = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("portal filing")
        verbose_name_plural = _("portal filings")

    def __str__(self) -> str:
        return _("Portal filing %(code)s") % {"code": self.lead.receipt_code}

    @property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_enc) if self.phone_enc else ""

    @property
    def helper_phone(self) -> str:
        return crypto.decrypt(self.helper_phone_enc) if self.helper_phone_enc else ""


def lookup_index(receipt_code: str, last4: str) -> str:
    """The keyed hash the status lookup compares: the receipt code with the phone's last 4."""
    return crypto.blind_index("portal_lookup", f"{receipt_code.upper()}:{last4}")


class NoticeKind(models.TextChoices):
    RECEIVED = "received", _("Application received")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Not taken on")
    MEDIATION = "mediation", _("Mediation")
    SUPPORT_DECIDED = "support_decided", _("Support decided")
    NOT_SUPPORTED = "not_supported", _("Support not given")
    MONEY = "money", _("Money recorded")
    CLOSED = "closed", _("Matter closed")


class SmsStatus(models.TextChoices):
    NOT_SENT = "not_sent", _("Not sent by text")  # no consent, or no provider configured
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Notice(models.Model):
    """One step of the matter the person is told of: always on the status page, and by text
    message where they agreed and a provider is configured. Holds codes and values (a date, an
    amount, a redirect code), put into words in the person's language when shown or sent."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    data = models.JSONField(default=dict, blank=True)
    # what the notice answers to (a timeline event, a lead decision), so it is made once
    source_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    sms_status = models.CharField(
        max_length=10, choices=SmsStatus.choices, default=SmsStatus.NOT_SENT
    )
    sms_attempts = models.PositiveSmallIntegerField(default=0)
    sms_sent_at = models.DateTimeField(null=True, blank=True)
    sms_error = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["filing", "source_key"], name="portal_notice_once_per_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d}"


class RateBucket(models.Model):
    """Requests of one kind from one address in one window (the portal's rate limits): shared by
    every app process, since it is in the database."""

    key = models.CharField(max_length=120)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="portal_rate_once")
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.key} {self.window_start:%H:%M} {self.count}"
