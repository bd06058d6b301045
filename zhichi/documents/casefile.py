"""The case file (卷宗) export: every current document (PDF and DOCX) and every piece of evidence
of the case in one ZIP, with the case file's own records (a cover, the case summary, the timeline
and the money ledger, as PDFs) and an index PDF listing each file and its SHA-256.

Built in the background (``tasks.build_case_file``); the row's progress moves after each file so
the page's progress bar moves; the ZIP goes to the private store (never a public URL).
"""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhichi.accounts.models import User
from zhichi.audit.services import record
from zhichi.common.errors import NotPermitted, RateLimited
from zhichi.core.money import chinese_date
from zhichi.documents import rules, services
from zhichi.documents.models import (
    PENDING_EXPORT,
    CaseFileExport,
    DocumentKind,
    ExportStatus,
    IssuedDocument,
)
from zhichi.evidence.models import Attachment
from zhichi.evidence.storage import evidence_storage

PREFIX = "case-files"
RECORDS = 4  # the cover, the summary, the timeline and the ledger (case_records)


def request_export(*, case_id: int, actor: User) -> CaseFileExport:
    """The case file of a case for ``actor``: the one already being built, the last one when the
    case has not changed since, or a new one queued (built after the commit).

    Whoever may unmask gets the court documents with full identifiers, everyone else their
    masked copies (rule ID-3); the two are separate files. A user may queue at most
    ``CASEFILE_PER_HOUR`` new builds an hour (each copies every document and file of the case)."""
    from zhichi.cases.models import Case
    from zhichi.documents.tasks import build_case_file

    case = Case.objects.get(pk=case_id)
    if not rules.sees_documents(actor, case):
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
    from zhichi.cases.rules import can_unmask

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
    """Delete the case files older than ``CASEFILE_KEEP_DAYS`` (the rows stay, marked expired,
    so the history of who exported what is kept). Returns how many were purged."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ZHICHI["CASEFILE_KEEP_DAYS"])
    purged = 0
    for export in CaseFileExport.objects.filter(
        status__in=(ExportStatus.DONE, ExportStatus.FAILED), requested_at__lt=cutoff
    ).order_by("id")[:500]:
        with transaction.atomic():
            updated = CaseFileExport.objects.filter(pk=export.pk, status=export.status).update(
                status=ExportStatus.EXPIRED, storage_name=""
            )
            if not updated:
                continue
            record(
                action="casefile.expire",
                obj=export,
                detail={"case": export.case_id, "size": export.size},
            )
            if export.storage_name:
                name = export.storage_name
                transaction.on_commit(lambda name=name: evidence_storage().delete(name))
        purged += 1
    return purged


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
    export = CaseFileExport.objects.select_related(
        "case", "case__organisation", "requested_by"
    ).get(pk=export_id)
    if export.status not in (ExportStatus.QUEUED, ExportStatus.FAILED):
        return export
    case = export.case
    docs = list(
        IssuedDocument.objects.filter(case=case, replaced_by__isnull=True).order_by("kind", "id")
    )
    attachments = list(Attachment.objects.filter(case=case).order_by("id"))
    export.status = ExportStatus.RUNNING
    export.items_total = 2 * len(docs) + len(attachments) + RECORDS + 1
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
                for fmt in ("pdf", "docx"):
                    # a court document's original only in the full case file (rule ID-3)
                    data, masked = services.document_bytes(
                        doc=doc,
                        actor=export.requested_by,
                        fmt=fmt,
                        copy=not export.full_identifiers,
                        via="casefile",
                        log_unmask=False,  # logged when the case file is downloaded
                    )
                    name = f"文书/{_safe(doc.number)}{'（副本）' if masked else ''}.{fmt}"
                    archive.writestr(name, data)
                    index.append(
                        {
                            "name": name,
                            "what": str(label),
                            "sha256": hashlib.sha256(data).hexdigest(),
                        }
                    )
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
            for name, what, data in case_records(
                case, documents=len(docs), evidence=len(attachments)
            ):
                archive.writestr(f"案件材料/{name}", data)
                index.append(
                    {
                        "name": f"案件材料/{name}",
                        "what": what,
                        "sha256": hashlib.sha256(data).hexdigest(),
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


# --- the case file's own records: cover, summary, timeline, ledger, index -----------------------
_RECORD_HTML = (
    '<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><style>{{ css }}'
    "table{border-collapse:collapse;width:100%;font-size:10.5pt;margin-bottom:12pt}"
    "td,th{border:1px solid #000;padding:3pt 4pt;text-align:left;vertical-align:top}"
    "th{break-after:avoid}td.n{text-align:right;white-space:nowrap}"
    ".sha{font-family:monospace;font-size:7.5pt;word-break:break-all}"
    ".cover{margin-top:60mm;text-align:center}.cover h1{font-size:30pt;letter-spacing:12pt}"
    "</style></head><body>"
    '{% if cover %}<div class="cover">{% endif %}'
    '<h1>{{ org }}\n{{ title }}</h1>{% if number %}<p class="number">{{ number }}</p>{% endif %}'
    "{% for s in sections %}"
    "{% if s.kind == 'h' %}<p class=\"h\">{{ s.text }}</p>"
    "{% elif s.kind == 'p' %}<p>{{ s.text }}</p>"
    "{% else %}<table><thead><tr>{% for h in s.head %}<th>{{ h }}</th>{% endfor %}</tr></thead>"
    "<tbody>{% for row in s.rows %}<tr>{% for cell in row %}"
    '<td{% if s.numeric and loop.index0 in s.numeric %} class="n"{% endif %}'
    '{% if s.sha and loop.last %} class="sha"{% endif %}>{{ cell }}</td>'
    "{% endfor %}</tr>{% endfor %}</tbody></table>{% endif %}"
    "{% endfor %}"
    "{% if cover %}</div>{% endif %}"
    '<p class="sign">{{ org }}\n{{ day }}</p></body></html>'
)


def record_pdf(case, *, title: str, sections: list[dict], number: str = "", cover=False) -> bytes:
    """One of the case file's own records as a PDF in the documents' style (the layout is code,
    the values are escaped): ``sections`` are {"kind": "h"|"p", "text"} or {"kind": "table",
    "head", "rows", "numeric": column indexes, "sha": last column is a digest}."""
    import jinja2
    import weasyprint

    from zhichi.documents.render import BASE_CSS

    html = (
        jinja2.Environment(autoescape=True)
        .from_string(_RECORD_HTML)
        .render(
            css=BASE_CSS,
            org=case.organisation.name,
            title=title,
            number=number,
            sections=sections,
            cover=cover,
            day=chinese_date(timezone.localdate()),
        )
    )
    return weasyprint.HTML(string=html).write_pdf()


def index_pdf(case, index: list[dict]) -> bytes:
    rows = [(i, r["name"], r["what"], r["sha256"]) for i, r in enumerate(index, start=1)]
    table = {
        "kind": "table",
        "head": ["序号", "文件", "内容", "SHA-256"],
        "rows": rows,
        "sha": True,
    }
    return record_pdf(case, title="卷宗目录", number=case.number, sections=[table])


def case_records(case, *, documents: int, evidence: int) -> list[tuple[str, str, bytes]]:
    """The case file's own records, in Chinese whatever the requester's language: (file name,
    what it is, PDF) for the cover, the case summary, the timeline and the money ledger."""
    with translation.override("zh-hans"):
        return [
            ("封面.pdf", "卷宗封面", _cover(case, documents=documents, evidence=evidence)),
            ("案件摘要.pdf", "案件摘要", _summary(case)),
            ("时间线.pdf", "案件时间线", _timeline(case)),
            ("资金台账.pdf", "资金台账", _ledger(case)),
        ]


def _names(case, role: str) -> str:
    return "、".join(
        cp.party.name
        for cp in case.parties.filter(role=role).select_related("party").order_by("id")
    )


def _cover(case, *, documents: int, evidence: int) -> bytes:
    officer = case.officer.display_name if case.officer else ""
    lines = [
        f"案由：{case.get_category_display()}",
        f"申请人：{_names(case, 'claimant')}",
        f"被申请人：{_names(case, 'respondent')}",
        f"承办检察官：{officer}",
        f"受理日期：{chinese_date(case.opened_on)}",
        f"结案日期：{chinese_date(case.closed_on) if case.closed_on else '（未结案）'}",
        f"本卷共收文书{documents}件、证据{evidence}件",
    ]
    sections = [{"kind": "p", "text": line} for line in lines]
    return record_pdf(case, title="卷　宗", number=case.number, sections=sections, cover=True)


def _summary(case) -> bytes:
    from zhichi.cases.models import Outcome, Source, Stage
    from zhichi.cases.presenters import choice_label

    rows = [
        ("案号", case.number),
        ("案由", case.get_category_display()),
        ("案件来源", choice_label(Source, case.source)),
        ("收到线索日期", chinese_date(case.received_on)),
        ("受理日期", chinese_date(case.opened_on)),
        ("当前阶段", choice_label(Stage, case.stage)),
        ("案件等级", str(case.level or "")),
        ("办理结果", choice_label(Outcome, case.outcome) if case.outcome else "（未结案）"),
    ]
    parties = [
        (
            "申请人" if cp.role == "claimant" else "被申请人",
            cp.party.name,
            cp.party.id_number_masked or cp.party.credit_code_masked,
        )
        for cp in case.parties.select_related("party").order_by("role", "id")
    ]
    return record_pdf(
        case,
        title="案件摘要",
        number=case.number,
        sections=[
            {"kind": "table", "head": ["项目", "内容"], "rows": rows},
            {"kind": "h", "text": "当事人"},
            {
                "kind": "table",
                "head": ["身份", "姓名或名称", "证件号码（已脱敏）"],
                "rows": parties,
            },
            {"kind": "h", "text": "案情摘要"},
            {"kind": "p", "text": case.summary or "（无）"},
        ],
    )


def _timeline(case) -> bytes:
    from zhichi.cases.presenters import describe_event

    rows = [
        (
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M"),
            e.actor.display_name if e.actor else "系统",
            describe_event(e),
        )
        for e in case.timeline.select_related("actor").order_by("at", "id")
    ]
    table = {"kind": "table", "head": ["时间", "经办人", "事项"], "rows": rows}
    return record_pdf(case, title="案件时间线", number=case.number, sections=[table])


def _ledger(case) -> bytes:
    from zhichi.cases.ledger import ledger_for
    from zhichi.core.money import format_yuan

    ledger = ledger_for(case)

    def yuan(value) -> str:
        return "—" if value is None else format_yuan(value)

    columns = [("claimed", "主张"), ("agreed", "调解确定"), ("awarded", "判决确定")]
    columns += [("recovered", "已追回"), ("outstanding", "尚欠")]
    if any(getattr(r, "overpaid", None) for r in ledger.rows):
        columns.append(("overpaid", "多付"))
    rows = [
        (r.claimant.party.name, *(yuan(getattr(r, key, None)) for key, _label in columns))
        for r in ledger.rows
    ]
    totals = ledger.totals
    rows.append(("合计", *(yuan(totals.get(key)) for key, _label in columns)))
    numeric = set(range(1, len(columns) + 1))
    table = {
        "kind": "table",
        "head": ["申请人", *(label for _key, label in columns)],
        "rows": rows,
        "numeric": numeric,
    }
    # every payment entry, reversed ones included and marked (the ledger is append-only, C6)
    entries = []
    payments = case.payments.select_related("claimant__party", "reversal").order_by("paid_on", "pk")
    for p in payments:
        notes = []
        if p.overpayment_reason:
            notes.append(f"多付，理由：{p.overpayment_reason}")
        reversal = getattr(p, "reversal", None)
        if reversal is not None:
            when = chinese_date(timezone.localdate(reversal.reversed_at))
            notes.append(f"已冲正（{when}），理由：{reversal.reason}")
        entries.append(
            (
                p.paid_on.isoformat(),
                p.claimant.party.name,
                yuan(p.amount),
                p.payer,
                "；".join(notes) or "—",
            )
        )
    sections = [table]
    if entries:
        sections.append({"kind": "h", "text": "支付记录"})
        sections.append(
            {
                "kind": "table",
                "head": ["支付日期", "申请人", "金额", "支付人", "说明"],
                "rows": entries,
                "numeric": {2},
            }
        )
    sections.append({"kind": "p", "text": "已追回金额仅计已登记的实际支付，已冲正的支付不计入。"})
    return record_pdf(case, title="资金台账", number=case.number, sections=sections)


def zip_response(*, export: CaseFileExport, actor: User, via: str):
    """The built case file as a download, audited; 404 until it is ready, and for a case file
    with full identifiers to anyone who may not unmask (rule ID-3), whose download is logged as an
    unmask."""
    from django.http import Http404, StreamingHttpResponse
    from django.utils.http import content_disposition_header

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
    response["Content-Disposition"] = content_disposition_header(
        True, f"{export.case.number}-卷宗.zip"
    )
    response["Content-Length"] = str(export.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


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
    from zhichi.parties import crypto

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
