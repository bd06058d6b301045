"""The case file (卷宗) export: asking for one (reusing the one being built, or the last one when
the case has not changed since), downloading it, and purging old ones.

Built in the background (``tasks.build_case_file``, the building in ``casefile_build``): every
current document (PDF and DOCX) and every piece of evidence of the case in one ZIP, with the case
file's own records and an index PDF listing each file and its SHA-256.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import Http404, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichi.accounts.models import User
from zhichi.audit.services import record
from zhichi.cases.models import Case
from zhichi.cases.rules import can_unmask, sees_internal_work
from zhichi.common.downloads import private_file
from zhichi.common.errors import NotPermitted, RateLimited
from zhichi.documents import built_files
from zhichi.documents.models import (
    PENDING_EXPORT,
    CaseFileExport,
    ExportStatus,
    IssuedDocument,
)
from zhichi.documents.tasks import build_case_file
from zhichi.evidence.models import Attachment
from zhichi.evidence.storage import evidence_storage
from zhichi.parties import crypto


def request_export(*, case_id: int, actor: User) -> CaseFileExport:
    """The case file of a case for ``actor``: the one already being built, the last one when the
    case has not changed since, or a new one queued (built after the commit).

    Whoever may unmask gets the court documents with full identifiers, everyone else their
    masked copies (rule ID-3); the two are separate files. A user may queue at most
    ``CASEFILE_PER_HOUR`` new builds an hour (each copies every document and file of the case)."""
    case = Case.objects.get(pk=case_id)
    if not sees_internal_work(actor, case):
        record(action="casefile.request", actor=actor, obj=case, outcome="denied")
        raise NotPermitted(_("Only the case's procuratorate may export its case file."))
    full = _full_for(actor, case)
    purge_expired()
    with transaction.atomic():
        Case.objects.select_for_update(of=("self",)).get(pk=case_id)  # one request at a time
        fingerprint = case_fingerprint(case, full=full)
        reuse = (
            CaseFileExport.objects.filter(case=case, full_identifiers=full)
            .filter(
                Q(status__in=PENDING_EXPORT) | Q(status=ExportStatus.DONE, fingerprint=fingerprint)
            )
            .order_by("-requested_at", "-id")
            .first()
        )
        if reuse is not None:
            record(
                action="casefile.request",
                actor=actor,
                obj=reuse,
                detail={"case": case.pk, "reused": True, "status": reuse.status},
            )
            return reuse
        limit = settings.ZHICHI["CASEFILE_PER_HOUR"]
        recent = CaseFileExport.objects.filter(
            requested_by=actor, requested_at__gte=timezone.now() - timedelta(hours=1)
        ).count()
        if recent >= limit:
            refusal = RateLimited(
                _(
                    "You have asked for %(n)d case files in the last hour, the most allowed. "
                    "Try again later."
                )
                % {"n": limit},
                retry_after=3600,
            )
        else:
            refusal = None
            export = CaseFileExport.objects.create(
                case=case, requested_by=actor, full_identifiers=full, fingerprint=fingerprint
            )
            record(
                action="casefile.request",
                actor=actor,
                obj=export,
                detail={"case": case.pk, "full_identifiers": full},
            )
            transaction.on_commit(lambda: build_case_file.enqueue(export_id=export.pk))
    if refusal is not None:
        record(
            action="casefile.request",
            actor=actor,
            obj=case,
            outcome="denied",
            detail={"reason": "rate_limited", "per_hour": limit},
        )
        raise refusal
    return export


def _full_for(actor: User, case) -> bool:
    return can_unmask(actor, case)


def case_fingerprint(case, *, full: bool) -> str:
    """What the case file of ``case`` would hold: the current documents, the evidence and their
    digests, the case's number and version. Equal fingerprints, equal case files."""
    digest = hashlib.sha256(f"{case.pk}|{case.number}|{case.version}|{full}".encode())
    for row in (
        IssuedDocument.objects.filter(case=case, replaced_by__isnull=True)
        .order_by("id")
        .values_list("id", "docx_sha256", "pdf_sha256")
    ):
        digest.update(("|d" + ":".join(map(str, row))).encode())
    for row in Attachment.objects.filter(case=case).order_by("id").values_list("id", "sha256"):
        digest.update(("|a" + ":".join(map(str, row))).encode())
    return digest.hexdigest()


def purge_expired(now=None) -> int:
    """Expire the case files older than ``CASEFILE_KEEP_DAYS`` (``built_files.expire_old``)."""
    return built_files.expire_old(
        CaseFileExport,
        action="casefile.expire",
        detail=lambda e: {"case": e.case_id, "size": e.size},
        now=now,
    )


def zip_response(*, export: CaseFileExport, actor: User, via: str):
    """The built case file as a download, audited; 404 until it is ready, and for a case file
    with full identifiers to anyone who may not unmask (rule ID-3), whose download is logged as an
    unmask."""
    if export.status != ExportStatus.DONE:
        raise Http404
    if export.full_identifiers:
        if not _full_for(actor, export.case):
            raise Http404
        record(
            action="case.unmask",
            actor=actor,
            obj=export.case,
            detail={"via": via, "case_file": export.pk, "purpose": "case file download"},
        )
    record(action="casefile.download", actor=actor, obj=export, detail={"via": via})
    response = StreamingHttpResponse(_plain_chunks(export), content_type="application/zip")
    response["Content-Length"] = str(export.size)
    return private_file(response, f"{export.case.number}-卷宗.zip")


def _plain_chunks(export: CaseFileExport):
    with open_zip(export) as handle:
        while piece := handle.read(64 * 1024):
            yield piece


def open_zip(export: CaseFileExport):
    """The case file's ZIP, unsealed as it is read."""
    return evidence_storage().open(export.storage_name, "rb")


def reseal_documents() -> int:
    """Key rotation for issued documents: the context and every file sealed again under the
    primary key (the digests, of the plain files, do not change)."""
    changed = 0
    for pk in IssuedDocument.objects.values_list("pk", flat=True).iterator(chunk_size=200):
        with transaction.atomic():
            doc = IssuedDocument.objects.select_for_update().get(pk=pk)
            fields = []
            for field in ("docx_sealed", "pdf_sealed", "copy_docx_sealed", "copy_pdf_sealed"):
                blob = bytes(getattr(doc, field))
                if blob and not crypto.sealed_key_is_primary(blob[: crypto.SEAL_HEADER]):
                    setattr(doc, field, crypto.seal(crypto.unseal(blob)))
                    fields.append(field)
            if doc.context_sealed:
                doc.context_sealed = crypto.rotate(doc.context_sealed)
                fields.append("context_sealed")
            doc.save(update_fields=fields)
            changed += bool(fields)
    return changed
