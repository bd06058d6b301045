"""The case file (卷宗) export: every current document (PDF and DOCX) and every piece of evidence
of the case in one ZIP, with an index PDF listing each file and its SHA-256.

Built in the background (``tasks.build_case_file``); the row's progress moves after each file so
the page's progress bar moves; the ZIP goes to the private store (never a public URL).
"""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichi.accounts.models import User
from zhichi.audit.services import record
from zhichi.core.money import chinese_date
from zhichi.documents import rules
from zhichi.documents.models import CaseFileExport, DocumentKind, ExportStatus, IssuedDocument
from zhichi.errors import NotPermitted
from zhichi.evidence.models import Attachment
from zhichi.evidence.storage import evidence_storage

PREFIX = "case-files"


def request_export(*, case_id: int, actor: User) -> CaseFileExport:
    """Queue the case file of a case; the building starts after the commit."""
    from zhichi.cases.models import Case
    from zhichi.documents.tasks import build_case_file

    case = Case.objects.get(pk=case_id)
    if not rules.sees_documents(actor, case):
        record(action="casefile.request", actor=actor, obj=case, outcome="denied")
        raise NotPermitted(_("Only the case's procuratorate may export its case file."))
    with transaction.atomic():
        export = CaseFileExport.objects.create(case=case, requested_by=actor)
        record(action="casefile.request", actor=actor, obj=export, detail={"case": case.pk})
        transaction.on_commit(lambda: build_case_file.enqueue(export_id=export.pk))
    return export


def _safe(name: str) -> str:
    return "".join("_" if c in '\\/:*?"<>|' else c for c in name).strip() or "file"


def _step(export: CaseFileExport, done: int) -> None:
    export.items_done = done
    export.progress = min(99, int(done * 100 / max(export.items_total, 1)))
    CaseFileExport.objects.filter(pk=export.pk).update(
        items_done=export.items_done, progress=export.progress
    )


def build(export_id: int) -> CaseFileExport:
    """Build the ZIP (the background task's work); a failure is recorded on the row."""
    export = CaseFileExport.objects.select_related("case", "case__organisation").get(pk=export_id)
    if export.status not in (ExportStatus.QUEUED, ExportStatus.FAILED):
        return export
    case = export.case
    docs = list(
        IssuedDocument.objects.filter(case=case, replaced_by__isnull=True).order_by("kind", "id")
    )
    attachments = list(Attachment.objects.filter(case=case).order_by("id"))
    export.status = ExportStatus.RUNNING
    export.items_total = 2 * len(docs) + len(attachments) + 1
    CaseFileExport.objects.filter(pk=export.pk).update(
        status=export.status, items_total=export.items_total, progress=0, error=""
    )
    buffer = io.BytesIO()
    index: list[dict] = []
    done = 0
    try:
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for doc in docs:
                label = DocumentKind(doc.kind).label
                for fmt, data, digest in (
                    ("pdf", bytes(doc.pdf), doc.pdf_sha256),
                    ("docx", bytes(doc.docx), doc.docx_sha256),
                ):
                    name = f"文书/{_safe(doc.number)}.{fmt}"
                    archive.writestr(name, data)
                    index.append({"name": name, "what": str(label), "sha256": digest})
                    done += 1
                    _step(export, done)
            storage = evidence_storage()
            for a in attachments:
                with storage.open(a.storage_name, "rb") as handle:
                    data = handle.read()
                name = f"证据/{a.pk:05d}_{_safe(a.original_name)}"
                archive.writestr(name, data)
                index.append(
                    {
                        "name": name,
                        "what": a.description or a.get_kind_display(),
                        "sha256": a.sha256,
                    }
                )
                done += 1
                _step(export, done)
            archive.writestr("目录.pdf", index_pdf(case, index))
        data = buffer.getvalue()
        name = f"{PREFIX}/{uuid.uuid4().hex}.zip"
        stored = evidence_storage().save(name, ContentFile(data))
        with transaction.atomic():
            CaseFileExport.objects.filter(pk=export.pk).update(
                status=ExportStatus.DONE,
                progress=100,
                items_done=export.items_total,
                storage_name=stored,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                finished_at=timezone.now(),
            )
            record(
                action="casefile.build",
                actor=export.requested_by,
                obj=export,
                detail={"files": len(index), "size": len(data)},
            )
    except Exception as exc:
        CaseFileExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        record(
            action="casefile.build",
            actor=export.requested_by,
            obj=export,
            outcome="failed",
            detail={"error": str(exc)[:300]},
        )
        raise
    export.refresh_from_db()
    return export


def index_pdf(case, index: list[dict]) -> bytes:
    import jinja2
    import weasyprint

    from zhichi.documents.render import BASE_CSS

    env = jinja2.Environment(autoescape=True)
    html = env.from_string(
        '<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><style>{{ css }}'
        "table{border-collapse:collapse;width:100%;font-size:10.5pt}"
        "td,th{border:1px solid #000;padding:3pt 4pt;text-align:left;vertical-align:top}"
        ".sha{font-family:monospace;font-size:7.5pt;word-break:break-all}</style></head><body>"
        '<h1>{{ org }}\n卷宗目录</h1><p class="number">{{ number }}</p>'
        "<table><thead><tr><th>序号</th><th>文件</th><th>内容</th><th>SHA-256</th></tr></thead><tbody>"
        "{% for row in rows %}<tr><td>{{ loop.index }}</td><td>{{ row.name }}</td>"
        '<td>{{ row.what }}</td><td class="sha">{{ row.sha256 }}</td></tr>{% endfor %}'
        '</tbody></table><p class="sign">{{ org }}\n{{ day }}</p></body></html>'
    ).render(
        css=BASE_CSS,
        org=case.organisation.name,
        number=case.number,
        rows=index,
        day=chinese_date(timezone.localdate()),
    )
    return weasyprint.HTML(string=html).write_pdf()


def zip_response(*, export: CaseFileExport, actor: User, via: str):
    """The built case file as a download, audited; 404 until it is ready."""
    from django.http import FileResponse, Http404

    if export.status != ExportStatus.DONE:
        raise Http404
    record(action="casefile.download", actor=actor, obj=export, detail={"via": via})
    response = FileResponse(
        open_zip(export),
        as_attachment=True,
        filename=f"{export.case.number}-卷宗.zip",
        content_type="application/zip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def open_zip(export: CaseFileExport):
    return evidence_storage().open(export.storage_name, "rb")
