"""The append-only audit trail (rule R7): one row per write, login, denial and unmask."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit row."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit entries cannot be deleted")


class Outcome(models.TextChoices):
    OK = "ok", _("succeeded")
    DENIED = "denied", _("denied")
    FAILED = "failed", _("failed")


class AuditEntry(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    user_id_ref = models.BigIntegerField(null=True, blank=True, db_index=True)
    username = models.CharField(max_length=150, blank=True)
    organisation = models.CharField(max_length=32, blank=True)
    role = models.CharField(max_length=16, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.OK)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # the auditor's console filters (docs/audit.md, "The auditor's console"): each filter
            # is answered from an index, newest first by id where the filter is one value
            models.Index(fields=["username", "id"], name="audit_entry_username_idx"),
            models.Index(fields=["ip", "id"], name="audit_entry_ip_idx"),
            models.Index(fields=["outcome", "id"], name="audit_entry_outcome_idx"),
            models.Index(fields=["object_id"], name="audit_entry_object_id_idx"),
        ]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.outcome}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries cannot be deleted")


class AuditChainHead(models.Model):
    """One row holding the newest hash; locking it orders concurrent writers of the chain.

    ``mac`` is an HMAC with the audit key over (count, last_id, last_hash), rewritten with each
    entry, so the head anchors the chain's length and end (docs/audit.md).
    """

    last_hash = models.CharField(max_length=64)
    count = models.PositiveBigIntegerField(default=0)
    last_id = models.BigIntegerField(default=0)  # 0: the chain has no row yet
    mac = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return self.last_hash
