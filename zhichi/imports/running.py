"""Running an import (the background task's work, ``tasks.run_import_task``): read the rows again
from the stored file, repair or reject each one, group the good rows per employer (credit code,
else exact name) into one collective lead with all its workers, and write them in committed
batches, each moving the job's cursor (``units_done``) in the same transaction. A job killed
half-way resumes from its last committed batch, with nothing lost or doubled (rule R9); a row
imported before (``ImportedRow``: the same receiver, employer, worker, amount and period) is
counted as ok and creates nothing. The rejected rows go to an error report (.xlsx)."""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhichi.accounts.models import User
from zhichi.accounts.notify import notify
from zhichi.audit.services import record
from zhichi.common import bulk
from zhichi.core.money import format_yuan
from zhichi.evidence.storage import evidence_storage
from zhichi.imports import columns, reading
from zhichi.imports.models import ImportedRow, ImportFailure, ImportJob, ImportStatus
from zhichi.imports.rows import ClaimRow, blank, read_row
from zhichi.intake import imported
from zhichi.parties.services import chunks
from zhichi.stats.exports import Column, write_sheets

PREFIX = "imports"


# --- the plan: every row, in a fixed order -----------------------------------------------------
@dataclass
class Unit:
    """A piece of the import written in one batch: an employer's rows, or one rejected row."""

    first_row: int
    claims: list[ClaimRow] = field(default_factory=list)
    employer: tuple[str, str] = ("", "")  # (name, credit code)
    failures: list[tuple[str, str, int | None]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return max(1, len(self.claims))


@dataclass
class Plan:
    units: list[Unit]
    rows_total: int
    headers: list[str]
    rows: list[list]  # the sheet's rows, for the error report


def make_plan(job: ImportJob, data: bytes) -> Plan:
    """Read every row of the stored file and put it in its unit; the same file always gives the
    same units in the same order (resuming relies on it)."""
    table = reading.read(data, job.file_kind, job.encoding)
    today = timezone.localdate(job.created_at)
    start = job.header_row + job.header_rows
    failures: list[Unit] = []
    claims: list[ClaimRow] = []
    total = 0
    for offset, values in enumerate(table.rows[start:]):
        if blank(values):
            continue
        total += 1
        row = start + offset + 1
        claim, problems = read_row(values, job.mapping, row=row, today=today)
        if claim is None:
            failures.append(Unit(first_row=row, failures=[(f, c, None) for f, c in problems]))
        else:
            claims.append(claim)
    groups: dict[str, Unit] = {}
    code_of_name = _codes_by_name(claims)
    seen: dict[tuple[str, str], int] = {}
    named: dict[str, ClaimRow] = {}  # an ID number's first row: one person, one name
    for claim in claims:
        first = named.setdefault(claim.id_number, claim)
        if first.name != claim.name:
            failures.append(
                Unit(first_row=claim.row, failures=[("name", "name_differs", first.row)])
            )
            continue
        code = claim.credit_code or code_of_name.get(claim.employer, "")
        key = code or f"name:{claim.employer}"
        if (key, claim.id_number) in seen:
            failures.append(
                Unit(
                    first_row=claim.row,
                    failures=[("id_number", "duplicate", seen[(key, claim.id_number)])],
                )
            )
            continue
        seen[(key, claim.id_number)] = claim.row
        unit = groups.setdefault(key, Unit(first_row=claim.row, employer=(claim.employer, code)))
        unit.claims.append(claim)
    units = sorted([*groups.values(), *failures], key=lambda u: u.first_row)
    return Plan(units=units, rows_total=total, headers=_headers(job), rows=table.rows)


def _codes_by_name(claims: list[ClaimRow]) -> dict[str, str]:
    """A row without a credit code joins the employer of the same exact name that has one,
    when that name has exactly one code in the list."""
    codes: dict[str, set[str]] = {}
    for claim in claims:
        if claim.credit_code:
            codes.setdefault(claim.employer, set()).add(claim.credit_code)
    return {name: next(iter(found)) for name, found in codes.items() if len(found) == 1}


def _headers(job: ImportJob) -> list[str]:
    return [str(c) for c in job.columns]


def _batches(units: list[Unit], size: int):
    """Consecutive units of about ``size`` rows: (index of the first, the units)."""
    batch: list[Unit] = []
    first = 0
    rows = 0
    for index, unit in enumerate(units):
        if not batch:
            first = index
        batch.append(unit)
        rows += unit.size
        if rows >= size:
            yield first, batch
            batch, rows = [], 0
    if batch:
        yield first, batch


# --- running ------------------------------------------------------------------------------------
def row_key(job: ImportJob, claim: imported.Claim) -> str:
    """What makes a worker's row importable once per receiving procuratorate: the employer and
    the person as on record (their ids: stable when the keys rotate, and no personal data), the
    amount and the period."""
    row: ClaimRow = claim.claimant  # the rows given to intake are the import's own
    text = "|".join(
        [
            str(job.receiver_id),
            str(claim.employer_id),
            str(claim.party_id),
            str(row.amount),
            str(row.start or ""),
            str(row.end or ""),
            str(row.months if row.months is not None else ""),
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _summary(job: ImportJob, employer: str, claims: list[ClaimRow]) -> str:
    rows = [c.row for c in claims]
    total = sum(c.amount for c in claims)
    projects = sorted({c.project for c in claims if c.project})
    with translation.override(job.language):
        text = _(
            "Imported wage-arrears list “%(file)s” (rows %(first)d–%(last)d): %(n)d workers "
            "owed %(amount)s in all by %(employer)s."
        ) % {
            "file": job.file_name,
            "first": min(rows),
            "last": max(rows),
            "n": len(claims),
            "amount": format_yuan(total),
            "employer": employer,
        }
        if projects:
            text += " " + _("Projects: %(projects)s.") % {"projects": "、".join(projects[:20])}
    return text[:5000]


def _write_batch(job: ImportJob, first: int, units: list[Unit], *, actor: User) -> bool:
    """Write one batch and move the job's cursor past it, in one transaction. False when the
    cursor is no longer at ``first`` (another worker wrote the batch)."""
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.units_done != first or locked.status != ImportStatus.RUNNING:
            return False
        items: list[imported.ImportedLead] = []
        failures: list[dict] = []
        for unit in units:
            for f, code, other in unit.failures:
                failures.append(
                    {
                        "job_id": job.pk,
                        "row": unit.first_row,
                        "field": f,
                        "code": code,
                        "other_row": other,
                    }
                )
            if not unit.claims:
                continue
            name, code = unit.employer
            items.append(
                imported.ImportedLead(
                    employer=name,
                    credit_code=code,
                    employer_address=unit.claims[0].employer_address,
                    summary=lambda filed, name=name: _summary(job, name, filed),
                    claimants=unit.claims,
                )
            )

        def filed_before(claims: list[imported.Claim]) -> set[int]:
            keys = {row_key(job, c): c.claimant.row for c in claims}
            found: set[int] = set()
            for chunk in chunks(list(keys)):
                found.update(
                    keys[k]
                    for k in ImportedRow.objects.filter(key__in=chunk).values_list("key", flat=True)
                )
            return found

        filed = imported.file_imported_leads(
            actor=actor,
            organisation=job.receiver,
            department=job.receiver_department,
            referring_org=job.referring_org,
            received_on=timezone.localdate(job.created_at),
            items=items,
            origin={"import": job.pk, "file": job.file_name},
            filed_before=filed_before,
            same_filing=ImportJob.leads.through.objects.filter(importjob_id=job.pk).values(
                "lead_id"
            ),
        )
        failures += [
            {"job_id": job.pk, "row": row, "field": "name", "code": "name_conflict"}
            for row in filed.name_conflicts
        ]
        bulk.insert(ImportFailure, failures)
        bulk.insert(
            ImportedRow,
            [
                {
                    "key": row_key(job, c),
                    "job_id": job.pk,
                    "lead_id": c.lead_id,
                }
                for c in filed.claims
            ],
        )
        bulk.insert(
            ImportJob.leads.through,
            [{"importjob_id": job.pk, "lead_id": lead} for lead in filed.leads],
        )
        rows_in = sum(len(u.claims) for u in units)
        failed_rows = len({f["row"] for f in failures})
        already = len(filed.already)
        now = timezone.now()
        ImportJob.objects.filter(pk=job.pk).update(
            units_done=first + len(units),
            rows_ok=locked.rows_ok + rows_in - len(filed.name_conflicts),
            rows_failed=locked.rows_failed + failed_rows,
            rows_already=locked.rows_already + already,
            rows_known=locked.rows_known + len(filed.known),
            leads_created=locked.leads_created + len(filed.leads),
            progress=min(95, int((first + len(units)) * 95 / max(locked.units_total, 1))),
            heartbeat_at=now,
        )
    return True


def run_import(*, job_id: int) -> ImportJob:
    """Do the import (the background task's work), from where it stopped if it ran before."""
    job = ImportJob.objects.select_related("created_by", "receiver", "referring_org").get(pk=job_id)
    if job.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return job
    actor = job.created_by
    bulk.long_job_page_cache()
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, started_at=job.started_at or now, heartbeat_at=now
    )
    try:
        with evidence_storage().open(job.source_name, "rb") as handle:
            data = handle.read()
        plan = make_plan(job, data)
        ImportJob.objects.filter(pk=job.pk, units_total=0).update(
            units_total=len(plan.units), rows_total=plan.rows_total
        )
        job.refresh_from_db()
        size = settings.ZHICHI["IMPORT_BATCH_ROWS"]
        for first, units in _batches(plan.units, size):
            if first + len(units) <= job.units_done:
                continue  # written before the job stopped
            if first < job.units_done:  # a batch cut differently before: start at the cursor
                units = units[job.units_done - first :]
                first = job.units_done
            for attempt in range(2):
                try:
                    if not _write_batch(job, first, units, actor=actor):
                        job.refresh_from_db()  # another worker has it
                        return job
                    break
                except IntegrityError:
                    if attempt:  # the same rows imported at the same moment by another job
                        raise
            job.refresh_from_db()
        _finish(job, plan)
    except Exception as exc:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED, error=str(exc)[:300], finished_at=timezone.now()
        )
        record(
            action="import.run",
            actor=actor,
            obj=job,
            outcome="failed",
            detail={"error": str(exc)[:300]},
        )
        raise
    job.refresh_from_db()
    return job


def _finish(job: ImportJob, plan: Plan) -> None:
    report_name, report_size = "", 0
    if job.rows_failed:
        data = error_report(job, plan)
        report_name = evidence_storage().save(
            f"{PREFIX}/{uuid.uuid4().hex}-errors.xlsx", ContentFile(data)
        )
        report_size = len(data)
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != ImportStatus.RUNNING:  # finished by another worker meanwhile
            if report_name:
                transaction.on_commit(lambda: evidence_storage().delete(report_name))
            return
        old = locked.report_name
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.DONE,
            progress=100,
            report_name=report_name,
            report_size=report_size,
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
        )
        record(
            action="import.run",
            actor=job.created_by,
            obj=job,
            detail={
                "rows_total": locked.rows_total,
                "rows_ok": locked.rows_ok,
                "rows_failed": locked.rows_failed,
                "rows_already": locked.rows_already,
                "leads_created": locked.leads_created,
            },
        )
        if old and old != report_name:
            transaction.on_commit(lambda: evidence_storage().delete(old))
        with translation.override(job.language):
            notify(
                user=job.created_by,
                kind="import",
                text=_(
                    "Import of “%(file)s” done: %(ok)s rows imported, %(failed)s rejected, "
                    "%(leads)s leads created."
                )
                % {
                    "file": job.file_name,
                    "ok": locked.rows_ok,
                    "failed": locked.rows_failed,
                    "leads": locked.leads_created,
                },
                url=job.get_absolute_url(),
                dedupe_key=f"import:{job.pk}",
            )


# --- the error report ---------------------------------------------------------------------------
def failures_by_row(job: ImportJob, rows: int | None = None) -> dict[int, list[ImportFailure]]:
    """The problems of the rejected rows by row, in order; the first ``rows`` rows only when
    given (a page shows a hundred, the report all)."""
    failures = job.failures.order_by("row", "id")
    if rows is not None:
        first = job.failures.order_by("row").values_list("row", flat=True).distinct()[:rows]
        failures = failures.filter(row__in=list(first))
    found: dict[int, list[ImportFailure]] = {}
    for failure in failures.iterator(chunk_size=2000):
        found.setdefault(failure.row, []).append(failure)
    return found


def reasons(failures: list[ImportFailure]) -> str:
    parts = []
    for f in failures:
        label = columns.field_label(f.field)
        message = columns.failure_message(f.field, f.code, f.other_row)
        parts.append(
            _("%(field)s: %(message)s") % {"field": label, "message": message} if label else message
        )
    return _("; ").join(parts)


def error_report(job: ImportJob, plan: Plan) -> bytes:
    """The rejected rows as the list gives them, each with its row number and the reasons, in
    the importer's language (.xlsx; a cell that could be read as a formula is written as text)."""
    width = max([len(plan.headers), *(len(r) for r in plan.rows[: columns.HEADER_SCAN])])
    headers = plan.headers + [""] * (width - len(plan.headers))
    with translation.override(job.language):
        cols = [Column("row", _("Row"), width=8)]
        cols += [Column(f"c{i}", h or f"#{i + 1}", width=16) for i, h in enumerate(headers)]
        cols.append(Column("reason", _("Why it was not imported"), width=60))
        failed = failures_by_row(job)
        out = []
        for row, found in failed.items():
            values = plan.rows[row - 1] if 0 < row <= len(plan.rows) else []
            line = {"row": row, "reason": reasons(found)}
            line.update({f"c{i}": reading.shown_cell(v) for i, v in enumerate(values)})
            out.append(line)
        buffer = io.BytesIO()
        write_sheets(buffer, [(_("Rejected rows"), cols, [out])])
    return buffer.getvalue()
