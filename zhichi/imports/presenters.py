"""What the import pages show: the preview of the columns, the result with the rejected rows,
and the leads an import created as the viewer may see them."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from zhichi.common.pagination import paginate
from zhichi.core import identifiers
from zhichi.evidence.storage import evidence_storage
from zhichi.imports import reading, rules
from zhichi.imports.models import ImportJob
from zhichi.imports.running import failures_by_row, reasons
from zhichi.intake.models import Lead, with_claimant_counts

PREVIEW_ROWS = 5
SHOWN_FAILURES = 100
SHOWN_LEADS = 10


@dataclass(frozen=True)
class Preview:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (sheet row, cells as shown)


def _shown(value, kind: str) -> str:
    text = reading.shown_cell(value)
    if kind == "id_number" and text:
        return identifiers.mask_id_number(text)  # rule ID-3: the preview masks identifiers
    if kind == "phone" and text:
        return identifiers.mask_phone(text)
    return text


def preview(job: ImportJob) -> Preview | None:
    """The first data rows under the headers as read, identifiers masked; None when the file
    was deleted (an upload left waiting past ``CASEFILE_KEEP_DAYS``)."""
    if not job.source_name:
        return None
    with evidence_storage().open(job.source_name, "rb") as handle:
        table = reading.read(handle.read(), job.file_kind, job.encoding)
    kind_of = {index: code for code, index in job.mapping.items()}
    start = job.header_row + job.header_rows
    rows = []
    for offset, values in enumerate(table.rows[start:]):
        if any(v not in ("", None) for v in values):
            cells = [_shown(v, kind_of.get(i, "")) for i, v in enumerate(values)]
            rows.append((start + offset + 1, cells[: len(job.columns)]))
        if len(rows) == PREVIEW_ROWS:
            break
    return Preview(headers=[str(c) for c in job.columns], rows=rows)


@dataclass(frozen=True)
class FailedRow:
    row: int
    reasons: str


def result(user, job: ImportJob) -> dict:
    importer = rules.is_importer(user, job)
    failed = []
    if importer and job.rows_failed:
        failed = [
            FailedRow(row, reasons(found))
            for row, found in failures_by_row(job, rows=SHOWN_FAILURES).items()
        ]
    return {
        "job": job,
        "importer": importer,
        "failed": failed,
        "more_failed": max(0, job.rows_failed - len(failed)),
        "leads": with_claimant_counts(_visible_leads(user, job)[:SHOWN_LEADS])
        if job.leads_created
        else [],
        "keep_days": settings.ZHICHI["CASEFILE_KEEP_DAYS"],
    }


def _visible_leads(user, job: ImportJob):
    return Lead.objects.visible_to(user).filter(pk__in=job.leads.values("pk")).order_by("pk")


def leads(request, job: ImportJob) -> dict:
    page = paginate(request, _visible_leads(request.user, job), 50)
    page.object_list = with_claimant_counts(page.object_list)
    return {"job": job, "page_obj": page, "paginator": page.paginator}
