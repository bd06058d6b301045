"""Importing a labour bureau's wage-arrears list (C14): upload, confirm the columns, start.

- ``upload_import`` checks the file by its content (type, size, zip bombs, XML entities,
  macros), keeps it sealed in the private store, finds the header row and suggests which column
  holds which field. The API starts it at once (``start=True``: the required fields must be
  found or given); the page shows a preview to confirm or correct the columns
  (``start_import``).
- The import itself runs in the background: ``running.run_import``. A stopped one is queued again
  by ``resume_stalled``. Every row ends counted: ``rows_total = rows_ok + rows_failed``.
- The rejected rows, with the reason, are in an error report (.xlsx, formula-escaped) that only
  the importing organisation downloads.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhichi.accounts.models import Organisation, OrgKind, Role, User
from zhichi.audit.services import record
from zhichi.common.downloads import private_file
from zhichi.common.errors import FieldError, InvalidInput, NotPermitted
from zhichi.common.words import current_language
from zhichi.documents.built_files import delete_files
from zhichi.evidence import sniff
from zhichi.evidence.storage import evidence_storage
from zhichi.imports import columns, reading, rules
from zhichi.imports.models import ImportJob, ImportStatus
from zhichi.imports.rows import blank
from zhichi.imports.running import PREFIX

# the background work, for callers that run it themselves (the bench, a command)
from zhichi.imports.running import run_import as run_import
from zhichi.imports.tasks import run_import_task
from zhichi.intake.services import receiver_for
from zhichi.stats.exports import XLSX


# --- upload and columns ----------------------------------------------------------------------
def ensure_may_import(*, actor: User, action: str = "import.upload") -> None:
    """Refuse (and audit as ``action``, rule R7) a user who may not import, before the file is
    read."""
    if not rules.can_import(actor):
        record(action=action, actor=actor, outcome="denied")
        raise NotPermitted(_("Only those who may file leads may import lists."))


def _referrer(actor: User, code: str) -> Organisation | None:
    """Who handed the list over: a partner's own organisation; procuratorate staff may name the
    agency (a labour bureau) by its code."""
    if actor.role == Role.PARTNER:
        return actor.organisation
    if not code:
        return None
    org = (
        Organisation.objects.filter(code=code, is_active=True)
        .exclude(kind=OrgKind.PROCURATORATE)
        .first()
    )
    if org is None:
        raise InvalidInput(
            [FieldError("referring_org", "unknown", _("No partner agency has this code."))],
            detail=_("The file cannot be imported."),
        )
    return org


def upload_import(
    *,
    actor: User,
    upload,
    referring_org: str = "",
    to_org: str = "",
    mapping: dict | None = None,
    start: bool = False,
) -> ImportJob:
    """Keep an uploaded list and find its columns (or take ``mapping``: field code → column
    index). With ``start`` (the API) the columns must name every required field and the import
    is queued at once; else the job waits (``mapping``) for the columns to be confirmed on the
    page (``start_import``). Nothing is kept from a refused file."""
    ensure_may_import(actor=actor)
    try:
        kind, encoding = reading.check(upload)
        referrer = _referrer(actor, referring_org)
        receiver, department = receiver_for(actor, to_org or None)
        data = _read_all(upload)
        table = reading.read(data, kind, encoding)
        header = columns.find_header(table.rows)
        if header is None and mapping:
            header = columns.header_named(mapping, table.rows)
        if header is None:
            raise reading.refused(
                "no_header",
                _(
                    "No header row was found in the first %(n)d rows: the list needs columns "
                    "for at least the name, the ID number, the employer and the amount."
                )
                % {"n": columns.HEADER_SCAN},
            )
        _refuse_too_many_rows(table, header)
        chosen = header.mapping
        if mapping or start:
            # a mapping given adds to (or, with "", takes away from) the columns found
            given = {**header.mapping, **_by_header(mapping, header.columns)} if mapping else {}
            chosen = _checked_mapping(given or header.mapping, len(header.columns))
    except InvalidInput as exc:
        record(
            action="import.upload",
            actor=actor,
            outcome="denied",
            detail={
                "file": sniff.clean_name(getattr(upload, "name", "")),
                "reasons": sorted({f"{e.field}:{e.code}" for e in exc.errors}),
            },
        )
        raise
    name = evidence_storage().save(f"{PREFIX}/{uuid.uuid4().hex}", ContentFile(data))
    with transaction.atomic():
        job = ImportJob.objects.create(
            organisation=actor.organisation,
            department=actor.department,
            receiver=receiver,
            receiver_department=department,
            referring_org=referrer,
            created_by=actor,
            language=current_language(),
            file_name=sniff.clean_name(getattr(upload, "name", "")),
            file_kind=kind,
            encoding=encoding,
            file_size=len(data),
            file_sha256=hashlib.sha256(data).hexdigest(),
            source_name=name,
            sheet=table.sheet,
            header_row=header.row,
            header_rows=header.rows,
            columns=header.columns,
            mapping=chosen,
            status=ImportStatus.QUEUED if start else ImportStatus.MAPPING,
            heartbeat_at=timezone.now(),
        )
        record(
            action="import.upload",
            actor=actor,
            obj=job,
            detail={
                "file": job.file_name,
                "sha256": job.file_sha256,
                "size": job.file_size,
                "mapping": chosen,
            },
        )
        if start:
            _enqueue(job)
    return job


def _enqueue(job: ImportJob) -> None:
    transaction.on_commit(lambda: run_import_task.enqueue(job_id=job.pk))


def _refuse_too_many_rows(table: reading.Table, header: columns.Header) -> None:
    """At most ``IMPORT_MAX_ROWS`` workers' rows (non-blank, below the header)."""
    limit = settings.ZHICHI["IMPORT_MAX_ROWS"]
    below = table.rows[header.row + header.rows :]
    if len(below) > limit and sum(1 for r in below if not blank(r)) > limit:
        raise reading.too_many_rows()


def _read_all(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def _by_header(mapping: dict, headers: list[str]) -> dict:
    """A mapping that names columns by their header text (as the API may) by their index."""
    keys = {columns.header_key(h): i for i, h in reversed(list(enumerate(headers)))}
    return {
        code: keys.get(columns.header_key(v), v) if isinstance(v, str) and not v.isdigit() else v
        for code, v in mapping.items()
    }


def _checked_mapping(mapping: dict, width: int) -> dict[str, int]:
    """A mapping as given (field code → column index, or "" for none), checked: known fields,
    columns that exist, each column once, every required field present."""
    errors: list[FieldError] = []
    chosen: dict[str, int] = {}
    used: dict[int, str] = {}
    for code, index in mapping.items():
        if code not in columns.FIELD_BY_CODE:
            errors.append(FieldError(f"mapping.{code}", "unknown", _("Unknown field.")))
            continue
        if index in ("", None):
            continue
        try:
            index = int(index)
        except (TypeError, ValueError):
            index = -1
        if not 0 <= index < width:
            errors.append(FieldError(f"mapping.{code}", "invalid", _("Choose one of the columns.")))
        elif index in used:
            errors.append(
                FieldError(
                    f"mapping.{code}",
                    "duplicate",
                    _("This column is already chosen for “%(field)s”.")
                    % {"field": columns.field_label(used[index])},
                )
            )
        else:
            used[index] = code
            chosen[code] = index
    refused = {e.field for e in errors}
    for code in columns.missing(chosen):
        if f"mapping.{code}" in refused:
            continue
        errors.append(
            FieldError(f"mapping.{code}", "required", _("Choose the column that holds this."))
        )
    if "period" in chosen and ("start" in chosen or "end" in chosen):
        errors.append(
            FieldError(
                "mapping.period",
                "both",
                _("Choose either one column with the span, or the start and end columns."),
            )
        )
    if errors:
        raise InvalidInput(errors, detail=_("The columns are not set right; nothing was started."))
    return chosen


def start_import(*, actor: User, job_id: int, mapping: dict | None = None) -> ImportJob:
    """Confirm the columns (``mapping``, or the ones found) and queue the import; the task runs
    after the commit. Only the importing organisation's staff, and only once."""
    job = rules.get_job_for(actor, job_id)
    if not rules.is_importer(actor, job):
        record(action="import.start", actor=actor, obj=job, outcome="denied")
        raise NotPermitted(_("Only the organisation that uploaded the list may start it."))
    if not job.source_name:
        raise InvalidInput(
            [FieldError("file", "expired", _("The uploaded file was deleted: upload it again."))]
        )
    chosen = _checked_mapping(mapping if mapping is not None else job.mapping, len(job.columns))
    with transaction.atomic():
        updated = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.MAPPING).update(
            status=ImportStatus.QUEUED, mapping=chosen, heartbeat_at=timezone.now()
        )
        if not updated:
            raise InvalidInput(
                [FieldError("status", "already_started", _("This import has already started."))]
            )
        record(action="import.start", actor=actor, obj=job, detail={"mapping": chosen})
        _enqueue(job)
    job.refresh_from_db()
    return job


def resume_stalled(*, now=None, stale_seconds: int | None = None) -> list[int]:
    """Queue again the imports whose worker stopped (no progress for ``stale_seconds``, by
    default ``IMPORT_STALE_SECONDS``: killed, or the machine restarted); each resumes from its
    last committed batch. Run by ``manage.py resume_imports`` (``--stopped`` when no worker runs,
    as before the workers start: every unfinished import then counts as stopped)."""
    now = now or timezone.now()
    if stale_seconds is None:
        stale_seconds = settings.ZHICHI["IMPORT_STALE_SECONDS"]
    stale = now - timedelta(seconds=stale_seconds)
    found = []
    for job in ImportJob.objects.filter(
        status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING), heartbeat_at__lte=stale
    ).order_by("pk"):
        with transaction.atomic():
            if ImportJob.objects.filter(pk=job.pk, heartbeat_at=job.heartbeat_at).update(
                heartbeat_at=now
            ):
                record(action="import.resume", obj=job, detail={"units_done": job.units_done})
                _enqueue(job)
                found.append(job.pk)
    return found


# --- keeping the files only for a while ----------------------------------------------------------
PURGE_BATCH = 200


def purge_expired(now=None) -> int:
    """Delete the stored lists and error reports of imports older than ``CASEFILE_KEEP_DAYS``
    (they hold the workers' identifiers as typed); the jobs stay, with their counts, in the
    history. A batch at a time; returns how many jobs lost their files (0: nothing left)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ZHICHI["CASEFILE_KEEP_DAYS"])
    jobs = (
        ImportJob.objects.filter(created_at__lt=cutoff)
        .exclude(status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING))
        .exclude(source_name="", report_name="")
        .order_by("id")[:PURGE_BATCH]
    )
    return delete_files(
        jobs,
        fields=("source_name", "report_name"),
        action="import.expire",
        detail=lambda job: {"file": job.file_name},
    )


def error_report_response(*, job: ImportJob, actor: User, via: str):
    """The error report as a download (audited); 404 to anyone but the importing organisation
    and while there is none."""
    if not rules.is_importer(actor, job) or not job.report_name:
        raise Http404
    record(
        action="import.errors",
        actor=actor,
        obj=job,
        detail={"via": via, "rows_failed": job.rows_failed},
    )
    stem = job.file_name.rsplit(".", 1)[0] or "import"
    with translation.override(job.language):
        name = _("%(file)s - rejected rows.xlsx") % {"file": stem}
    response = FileResponse(evidence_storage().open(job.report_name, "rb"), content_type=XLSX)
    return private_file(response, name)
