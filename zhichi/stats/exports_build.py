"""Writing a large Excel export of a list in the background (``tasks.build_list_export``): the
rows as the requester sees them when it runs, in the requester's language, with the progress
moved after each batch; the file sealed in the private store like a case file. Old files are
purged. Asking for an export and downloading it are in ``exports_service``.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation

from zhichi.audit.services import record
from zhichi.documents.models import ExportStatus
from zhichi.evidence.storage import evidence_storage
from zhichi.stats import exports
from zhichi.stats.models import ListExport

PREFIX = "list-exports"


def _step(export: ListExport, done: int) -> None:
    progress = min(99, int(done * 100 / max(export.rows_total, 1)))
    ListExport.objects.filter(pk=export.pk).update(rows_done=done, progress=progress)


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
    """Delete the files of exports older than ``CASEFILE_KEEP_DAYS`` (the rows stay, marked
    expired, so who exported what is kept). Returns how many were purged."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ZHICHI["CASEFILE_KEEP_DAYS"])
    purged = 0
    for export in ListExport.objects.filter(
        status__in=(ExportStatus.DONE, ExportStatus.FAILED), requested_at__lt=cutoff
    ).order_by("id")[:500]:
        with transaction.atomic():
            updated = ListExport.objects.filter(pk=export.pk, status=export.status).update(
                status=ExportStatus.EXPIRED, storage_name=""
            )
            if not updated:
                continue
            record(action="export.expire", obj=export, detail={"list": export.list_name})
            if export.storage_name:
                name = export.storage_name
                transaction.on_commit(lambda name=name: evidence_storage().delete(name))
        purged += 1
    return purged
