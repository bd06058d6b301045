"""The statistics app's own records. The figures themselves are read from the trusted record (the
cases, the ledger's entries and payments, reversals included): never from a second copy."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhichi.documents.models import ExportStatus


class ExportList(models.TextChoices):
    """The lists that export to Excel (API.md: ``GET /api/v1/exports/{list}.xlsx``)."""

    LEADS = "leads", _("Leads")
    CASES = "cases", _("Cases")
    TRANSFERS = "transfers", _("Transfers")
    ASSISTANCE = "assistance", _("Judicial assistance register")
    SUGGESTIONS = "suggestions", _("Procuratorial suggestions register")
    EMPLOYERS = "employers", _("Employers")


class ListExport(models.Model):
    """An Excel export of a list too large to write during the request: written in the background
    (progress in percent) for the user who asked, with the filters they gave, and kept sealed in
    the private store like a case file. Only large exports have a row; each export is audited."""

    list_name = models.CharField(max_length=16, choices=ExportList.choices)
    # the list's filters as they were asked (query parameter → values), applied again when the
    # file is written, within what the requester may see then
    filters = models.JSONField(default=dict, blank=True)
    # the headers' language: the reader's when they asked
    language = models.CharField(max_length=10, default="zh-hans")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    storage_name = models.CharField(max_length=255, blank=True, default="")
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    error = models.TextField(blank=True, default="")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("list export")
        verbose_name_plural = _("list exports")

    def __str__(self) -> str:
        return f"{self.list_name} {self.status} {self.progress}%"
