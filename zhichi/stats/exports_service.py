"""Asking for an Excel export of a list and downloading it (issue 15 item 4; the rows, columns
and writer are in ``exports``, the background writing in ``exports_build``).

Up to ``ZHICHI_EXPORT_SYNC_ROWS`` rows the file is written during the request and handed over at
once; a larger list gets a ``ListExport`` row, written by the background task
(``tasks.build_list_export``) with its progress, and downloaded from its page or the API. Every
request, refusal, build and download is audited.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhichi.accounts.models import User
from zhichi.audit.services import record
from zhichi.common.downloads import private_file
from zhichi.common.errors import InvalidInput, NotPermitted
from zhichi.common.scoping import get_or_404
from zhichi.common.words import current_language
from zhichi.documents.models import ExportStatus
from zhichi.evidence.storage import evidence_storage
from zhichi.stats import exports
from zhichi.stats.exports_build import purge_expired
from zhichi.stats.models import ListExport
from zhichi.stats.tasks import build_list_export


@dataclass(frozen=True)
class XlsxFile:
    """An export written during the request."""

    name: str
    content: bytes
    rows: int


def request_export(*, list_name: str, actor: User, data, via: str) -> XlsxFile | ListExport:
    """The list ``list_name`` as ``actor`` sees it with the filters in ``data``: the file itself
    when it has at most ``EXPORT_SYNC_ROWS`` rows, else a queued ``ListExport`` (written after
    the commit). Administrators export nothing (they see no case records, rule R5); a filter the
    list refuses is refused here too (422), before anything is counted."""
    spec = exports.spec_for(list_name)
    detail = {"list": spec.name, "via": via}
    if actor.is_admin_role:
        record(action="export.request", actor=actor, outcome="denied", detail=detail)
        raise NotPermitted(_("Administrators do not export the lists: they see no case records."))
    try:
        qs, raw = exports.select(spec, actor, data)
    except InvalidInput as exc:
        record(
            action="export.request",
            actor=actor,
            outcome="denied",
            detail={**detail, "reason": "invalid", "fields": [e.field for e in exc.errors]},
        )
        raise
    detail["filters"] = raw
    total = qs.count()
    if total <= settings.ZHICHI["EXPORT_SYNC_ROWS"]:
        buffer = io.BytesIO()
        rows = exports.write_xlsx(spec, actor, qs, buffer)
        content = buffer.getvalue()
        record(
            action="export.download",
            actor=actor,
            detail={**detail, "rows": rows, "sha256": hashlib.sha256(content).hexdigest()},
        )
        return XlsxFile(name=exports.file_name(spec), content=content, rows=rows)
    purge_expired()
    with transaction.atomic():
        export = ListExport.objects.create(
            list_name=spec.name,
            filters=raw,
            language=current_language(),
            requested_by=actor,
            rows_total=total,
        )
        record(action="export.request", actor=actor, obj=export, detail={**detail, "rows": total})
        transaction.on_commit(lambda: build_list_export.enqueue(export_id=export.pk))
    export.refresh_from_db()
    return export


def get_export_for(user: User, export_id) -> ListExport:
    """A background export: only its requester's (anyone else's is 404, as if it did not
    exist)."""
    return get_or_404(ListExport.objects.filter(requested_by_id=user.pk), export_id)


def xlsx_response(name: str, content: bytes) -> HttpResponse:
    return private_file(HttpResponse(content, content_type=exports.XLSX), name)


def download(*, export: ListExport, actor: User, via: str) -> HttpResponse:
    """A built export as a download, audited; 404 until it is ready."""
    if export.status != ExportStatus.DONE:
        raise Http404
    with evidence_storage().open(export.storage_name, "rb") as handle:
        content = handle.read()
    record(
        action="export.download",
        actor=actor,
        obj=export,
        detail={"list": export.list_name, "via": via, "rows": export.rows_total},
    )
    with translation.override(export.language):
        name = exports.file_name(
            exports.spec_for(export.list_name), timezone.localdate(export.requested_at)
        )
    return xlsx_response(name, content)
