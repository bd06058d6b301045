"""Writing a large Excel export of a list in the background (``tasks.build_list_export``): the
rows as the requester sees them when it runs, in the requester's language, with the progress
moved after each batch; the file sealed in the private store like a case file. Old files are
purged. Asking for an export and downloading it are in ``exports_service``.
"""

from __future__ import annotations

import hashlib
import io
import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation

from zhichi.audit.services import record
from zhichi.documents import built_files
from zhichi.documents.models import ExportStatus
from zhichi.evidence.storage import evidence_storage
from zhichi.stats import exports
from zhichi.stats.models import ListExport

PREFIX = "list-exports"


def _step(export: ListExport, done: int) -> None:
    ListExport.objects.filter(pk=export.pk).update(
        rows_done=done, progress=export.percent(done, export.rows_total)
    )


def build(export_id: int) -> ListExport:
    """Write the file (the background task's work) with the filters as asked, within what the
    requester sees now, in the requester's language; a failure is recorded on the row."""
    export = ListExport.objects.select_related("requested_by").get(pk=export_id)
    if export.status not in (ExportStatus.QUEUED, ExportStatus.FAILED):
        return export
    spec = exports.spec_for(export.list_name)
    user = export.requested_by
    ListExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, progress=0, rows_done=0, error=""
    )
    try:
        with translation.override(export.language):
            qs, _raw = exports.select(spec, user, export.filters)
            export.rows_total = qs.count()
            ListExport.objects.filter(pk=export.pk).update(rows_total=export.rows_total)
            buffer = io.BytesIO()
            rows = exports.write_xlsx(
                spec, user, qs, buffer, on_rows=lambda done: _step(export, done)
            )
        data = buffer.getvalue()
        stored = evidence_storage().save(f"{PREFIX}/{uuid.uuid4().hex}.xlsx", ContentFile(data))
        with transaction.atomic():
            ListExport.objects.filter(pk=export.pk).update(
                status=ExportStatus.DONE,
                progress=100,
                rows_total=rows,
                rows_done=rows,
                storage_name=stored,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                finished_at=timezone.now(),
            )
            record(
                action="export.build",
                actor=user,
                obj=export,
                detail={"list": spec.name, "rows": rows, "size": len(data)},
            )
    except Exception as exc:
        ListExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        record(
            action="export.build",
            actor=user,
            obj=export,
            outcome="failed",
            detail={"list": spec.name, "error": str(exc)[:300]},
        )
        raise
    export.refresh_from_db()
    return export


def purge_expired(now=None) -> int:
    """Expire the export files older than ``CASEFILE_KEEP_DAYS`` (``built_files.expire_old``)."""
    return built_files.expire_old(
        ListExport, action="export.expire", detail=lambda e: {"list": e.list_name}, now=now
    )
