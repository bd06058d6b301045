"""Bulk imports of labour-bureau wage-arrears lists (C14): the job, its rejected rows, and the
ledger of rows already imported that makes a second import of the same list a no-op."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhichi.accounts.models import Department, Organisation, Role
from zhichi.intake.models import Lead
from zhichi.intake.rules import can_create_lead


class ImportStatus(models.TextChoices):
    MAPPING = "mapping", _("Columns to confirm")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class FileKind(models.TextChoices):
    XLSX = "xlsx", "Excel (.xlsx)"
    XLS = "xls", "Excel 97-2003 (.xls)"
    CSV = "csv", "CSV"


def can_import(user) -> bool:
    """Whoever may file a lead may import a list of them (C14): the procuratorate's officers,
    heads and chief procurator (the leads land in its civil intake department, as a lead filed
    by hand does), and the partner agencies (a labour bureau imports its own lists, which reach
    the procuratorate as leads it referred)."""
    return can_create_lead(user)


def job_scope(user) -> Q | None:
    """The imports ``user`` sees: those of their organisation (for the procuratorate's staff,
    also the partners' imports that sent it leads, without their error reports)."""
    if not can_import(user):
        return None
    q = Q(organisation_id=user.organisation_id)
    if user.role != Role.PARTNER:
        q |= Q(receiver_id=user.organisation_id)
    return q


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The imports ``user`` may see (``job_scope``)."""
        q = job_scope(user)
        return self.none() if q is None else self.filter(q)


class ImportJob(models.Model):
    """One uploaded list and what became of each of its rows.

    The rows are read again from the stored file whenever the job runs (``running.run_import``),
    so a job killed half-way resumes from ``units_done``: the units (one per employer's group of
    rows, one per rejected row, in a fixed order) before it were written in committed batches.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="imports",
        verbose_name=_("imported by"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # where the leads go: the receiving procuratorate and its intake department
    receiver = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="imports_received"
    )
    receiver_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    referring_org = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handed over by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="imports"
    )
    created_at = models.DateTimeField(default=timezone.now)
    language = models.CharField(max_length=16, default="zh-hans")

    file_name = models.CharField(_("file"), max_length=200)
    file_kind = models.CharField(max_length=8, choices=FileKind.choices)
    encoding = models.CharField(max_length=16, blank=True, default="")
    file_size = models.PositiveBigIntegerField(default=0)
    file_sha256 = models.CharField(max_length=64)
    source_name = models.CharField(max_length=255, blank=True, default="")  # sealed, private

    sheet = models.CharField(max_length=100, blank=True, default="")
    header_row = models.PositiveIntegerField(default=0)  # 0-based; data starts after header_rows
    header_rows = models.PositiveSmallIntegerField(default=1)
    columns = models.JSONField(default=list)  # the header texts as read
    mapping = models.JSONField(default=dict)  # field code → column index

    status = models.CharField(
        _("status"), max_length=8, choices=ImportStatus.choices, default=ImportStatus.MAPPING
    )
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True, default="")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    units_total = models.PositiveIntegerField(default=0)
    units_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_ok = models.PositiveIntegerField(_("rows imported"), default=0)
    rows_failed = models.PositiveIntegerField(_("rows rejected"), default=0)
    rows_already = models.PositiveIntegerField(_("rows imported before"), default=0)
    rows_known = models.PositiveIntegerField(_("workers already on a lead"), default=0)
    leads_created = models.PositiveIntegerField(_("leads created"), default=0)
    leads = models.ManyToManyField(Lead, related_name="+", blank=True)

    report_name = models.CharField(max_length=255, blank=True, default="")  # the error report
    report_size = models.PositiveBigIntegerField(default=0)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "-created_at", "-id"]),
            models.Index(fields=["receiver", "-created_at", "-id"]),
            models.Index(fields=["status", "heartbeat_at"]),
        ]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("imports:detail", args=[self.pk])

    @property
    def active(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)


class ImportFailure(models.Model):
    """One problem of a rejected row: the sheet's row number, the field and a stable code (the
    words are chosen when shown, ``columns.failure_message``)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="failures")
    row = models.PositiveIntegerField()  # 1-based, as the spreadsheet numbers it
    field = models.CharField(max_length=24)
    code = models.CharField(max_length=32)
    other_row = models.PositiveIntegerField(null=True, blank=True)  # the row it duplicates

    class Meta:
        ordering = ["row", "id"]
        indexes = [models.Index(fields=["job", "row"])]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row} {self.field} {self.code}"


class ImportedRow(models.Model):
    """A worker's claim imported once: a digest (SHA-256) of the receiving procuratorate, the
    employer and the person as on record (their ids), the amount and the period. The same row
    imported again finds its digest here and creates nothing (C14: idempotent); ids, not the
    identifiers, so the digest stays the same when the encryption keys rotate."""

    key = models.CharField(max_length=64, unique=True)
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="+")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.CheckConstraint(condition=~Q(key=""), name="imported_row_key")]

    def __str__(self) -> str:
        return self.key[:12]
