"""Issued documents (rule DOC-1): numbered, rendered as DOCX and PDF from one context, stored
with their SHA-256 so each can be produced again exactly."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhichi.accounts.models import Organisation
from zhichi.cases.models import Case
from zhichi.parties import crypto


class DocumentKind(models.TextChoices):
    ACCEPTANCE_NOTICE = "acceptance_notice", _("Notice of acceptance (受理通知书)")
    NOT_ACCEPTANCE_NOTICE = (
        "not_acceptance_notice",
        _("Notice of non-acceptance (不予受理通知书)"),
    )
    SUPPORT_OPINION = "support_opinion", _("Opinion supporting the suit (支持起诉意见书)")
    NOT_SUPPORT_DECISION = "not_support_decision", _("Decision not to support (不支持起诉决定书)")
    TRANSFER_LETTER = "transfer_letter", _("Lead transfer letter (线索移送函)")
    SUGGESTION = "suggestion", _("Procuratorial suggestion (检察建议书)")
    ASSISTANCE_DECISION = (
        "assistance_decision",
        _("Judicial assistance decision (国家司法救助决定书)"),
    )
    VISIT_RECORD = "visit_record", _("Return visit record (回访记录)")
    MEDIATION_AGREEMENT = "mediation_agreement", _("Mediation agreement (调解协议)")


class NumberPattern(models.Model):
    """An organisation's numbering of a document kind (rule DOC-1: varies locally, configurable).
    Placeholders: {short}, {year}, {seq}."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    pattern = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind"], name="number_pattern_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.kind}: {self.pattern}"


class DocumentTemplate(models.Model):
    """An administrator's DOCX template for a kind (docxtpl tags), accepted only after it rendered
    with sample data; earlier versions are kept. With no active one, the built-in is used."""

    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)
    version = models.PositiveIntegerField(_("version"))
    file = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(_("file name"), max_length=200)
    note = models.CharField(_("note"), max_length=500, blank=True, default="")
    active = models.BooleanField(_("in use"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="document_template_version"),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(active=True),
                name="document_template_one_active",
            ),
        ]
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")

    def __str__(self) -> str:
        return f"{self.kind} v{self.version}"

    @property
    def label(self) -> str:
        return f"v{self.version}"


class IssuedDocumentQuerySet(models.QuerySet):
    def listed(self) -> list:
        """For the lists (pages, API): without their bytes, newest first per kind and record,
        each marked ``is_current`` (not replaced by a re-issue) from the rows themselves."""
        rows = list(
            self.defer(*IssuedDocument.SEALED_FIELDS)
            .select_related("issued_by")
            .order_by("kind", "subject", "-issued_at", "-id")
        )
        replaced = {d.replaces_id for d in rows if d.replaces_id}
        for d in rows:
            d.is_current = d.pk not in replaced
        return rows


class IssuedDocument(models.Model):
    """One issued document. Its context and both files are sealed at rest under the encryption
    keys (rule R4): a court document carries full identifiers, and every document names people.
    A court document also keeps its masked copy (identifiers masked), rendered from the same
    context when it is issued, for whoever may not unmask (rule ID-3)."""

    # a case's document, or the notice of non-acceptance of a declined lead
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    lead = models.ForeignKey(
        "intake.Lead", on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)
    # what the document is about when a case has several (a transfer, a visit …): "visit:12"
    subject = models.CharField(max_length=40, blank=True, default="")
    number = models.CharField(_("number"), max_length=64)
    context_sealed = models.TextField(default="")
    template_version = models.CharField(max_length=40)
    template = models.ForeignKey(
        DocumentTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    docx_sealed = models.BinaryField(default=b"")
    docx_sha256 = models.CharField(max_length=64)
    pdf_sealed = models.BinaryField(default=b"")
    pdf_sha256 = models.CharField(max_length=64)
    # the masked copy of a court document (empty for every other kind: it is masked already)
    copy_docx_sealed = models.BinaryField(default=b"")
    copy_pdf_sealed = models.BinaryField(default=b"")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    reason = models.TextField(_("reason for re-issuing"), blank=True, default="")

    objects = IssuedDocumentQuerySet.as_manager()

    SEALED_FIELDS = (
        "context_sealed",
        "docx_sealed",
        "pdf_sealed",
        "copy_docx_sealed",
        "copy_pdf_sealed",
    )

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["case", "kind", "subject"])]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(case__isnull=False) & models.Q(lead__isnull=True))
                | (models.Q(case__isnull=True) & models.Q(lead__isnull=False)),
                name="issued_document_one_subject",
            )
        ]
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")

    def __str__(self) -> str:
        return f"{self.number} {self.kind}"

    @property
    def current(self) -> bool:
        """Not replaced by a re-issue."""
        try:
            return self.replaced_by is None
        except IssuedDocument.DoesNotExist:
            return True

    # --- the sealed parts ---------------------------------------------------------------------
    def seal(self, *, context: dict, docx: bytes, pdf: bytes, copy: tuple[bytes, bytes] | None):
        """Keep ``context`` and the files sealed; the digests are of the plain files."""
        self.context_sealed = crypto.encrypt(json.dumps(context, ensure_ascii=False))
        self.docx_sealed, self.docx_sha256 = crypto.seal(docx), _sha(docx)
        self.pdf_sealed, self.pdf_sha256 = crypto.seal(pdf), _sha(pdf)
        if copy is not None:
            self.copy_docx_sealed, self.copy_pdf_sealed = (crypto.seal(b) for b in copy)

    @property
    def context(self) -> dict:
        return json.loads(crypto.decrypt(self.context_sealed)) if self.context_sealed else {}

    @property
    def docx(self) -> bytes:
        return self.file("docx")

    @property
    def pdf(self) -> bytes:
        return self.file("pdf")

    @property
    def has_masked_copy(self) -> bool:
        return bool(self.copy_pdf_sealed)

    def file(self, fmt: str, *, masked: bool = False) -> bytes:
        """The document as ``fmt`` ("docx" or "pdf"); ``masked``: its masked copy when it has
        one (a court document), else the document itself (masked already)."""
        if masked and self.has_masked_copy:
            return crypto.unseal(bytes(getattr(self, f"copy_{fmt}_sealed")))
        data = crypto.unseal(bytes(getattr(self, f"{fmt}_sealed")))
        if _sha(data) != getattr(self, f"{fmt}_sha256"):
            raise crypto.SealError(f"document {self.pk} {fmt} does not match its SHA-256")
        return data


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being built")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


PENDING_EXPORT = (ExportStatus.QUEUED, ExportStatus.RUNNING)


class BuiltFile(models.Model):
    """A file built in the background for the user who asked (progress in percent) and kept
    sealed in the private store until it expires: a case file, a large list export."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    storage_name = models.CharField(max_length=255, blank=True, default="")
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    error = models.TextField(blank=True, default="")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-requested_at", "-id"]

    @staticmethod
    def percent(done: int, total: int) -> int:
        """The progress shown while building: 100 only once the file is stored."""
        return min(99, int(done * 100 / max(total, 1)))


class CaseFileExport(BuiltFile):
    """The case file (卷宗): a ZIP of the current documents and the evidence with an index PDF."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="exports")
    # with the court documents' full identifiers (only for those who may unmask, rule ID-3), or
    # with their masked copies
    full_identifiers = models.BooleanField(default=False)
    # what the case file holds (documents, evidence and their digests) when it was requested: an
    # unchanged case gives the same fingerprint, and the last file is handed out again
    fingerprint = models.CharField(max_length=64, blank=True, default="")
    items_total = models.PositiveIntegerField(default=0)
    items_done = models.PositiveIntegerField(default=0)

    class Meta(BuiltFile.Meta):
        constraints = [
            # one case file being built per case and variant at a time (a burst of requests
            # gets the one already queued)
            models.UniqueConstraint(
                fields=["case", "full_identifiers"],
                condition=models.Q(status__in=["queued", "running"]),
                name="case_file_one_pending",
            )
        ]
        verbose_name = _("case file export")
        verbose_name_plural = _("case file exports")

    def __str__(self) -> str:
        return f"{self.case_id} {self.status} {self.progress}%"
