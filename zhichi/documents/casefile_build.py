"""Building the case file (卷宗) ZIP, the background task's work (``tasks.build_case_file``):
every current document (PDF and DOCX) and every piece of evidence of the case, the case file's own
records (a cover, the case summary, the timeline and the money ledger, as PDFs) and an index PDF
listing each file and its SHA-256. The row's progress moves after each file so the page's
progress bar moves; the ZIP goes to the private store (never a public URL).

Asking for a case file, reusing one and downloading it are in ``casefile``.
"""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation

from zhichi.audit.services import record
from zhichi.cases.ledger import ledger_for
from zhichi.cases.models import Outcome, Source, Stage
from zhichi.cases.presenters import describe_event
from zhichi.cases.words import choice_label
from zhichi.core.money import chinese_date, format_yuan
from zhichi.documents import services
from zhichi.documents.models import CaseFileExport, DocumentKind, ExportStatus, IssuedDocument
from zhichi.documents.render import BASE_CSS
from zhichi.evidence.models import Attachment
from zhichi.evidence.storage import evidence_storage

PREFIX = "case-files"
RECORDS = 4  # the cover, the summary, the timeline and the ledger (case_records)


def _safe(name: str) -> str:
    return "".join("_" if c in '\\/:*?"<>|' else c for c in name).strip() or "file"


def _step(export: CaseFileExport, done: int) -> None:
    export.items_done = done
    export.progress = export.percent(done, export.items_total)
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
    import jinja2  # heavy, and needed only when a record is drawn
    import weasyprint  # heavy, and needed only when a record is drawn

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
