"""Evidence attachments: upload (type checked by content, size limit, SHA-256) and download
(as an attachment, every download audited). Evidence is kept: there is no delete."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, fields
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext as _

from zhichi.accounts.models import User
from zhichi.audit.services import record
from zhichi.cases import rules as case_rules
from zhichi.cases.models import Case, CaseStatus
from zhichi.common.downloads import private_file
from zhichi.common.errors import FieldError, InvalidInput, NotPermitted
from zhichi.common.inputs import parse
from zhichi.evidence import rules, sniff
from zhichi.evidence.models import Attachment
from zhichi.evidence.schemas import AttachmentIn
from zhichi.evidence.storage import evidence_storage, new_name
from zhichi.intake import rules as lead_rules
from zhichi.intake.models import Lead
from zhichi.parties import crypto

UPLOAD = "attachment.upload"
DOWNLOAD = "attachment.download"
HASH_CHUNK = 1024 * 1024
REFUSED_NAME_MAX = 100  # characters of a refused file's name kept in the audit trail


def accepted_types_message() -> str:
    return _(
        "This file type is not accepted: upload a PDF, an image, a Word or Excel document, "
        "an audio recording or plain text."
    )


def refusal_message(code: str) -> str:
    """The message for a sniffing refusal code (sniff.py)."""
    messages = {
        sniff.EMPTY: lambda: _("The file is empty."),
        sniff.TYPE: accepted_types_message,
        sniff.EXECUTABLE: lambda: _("Programs and scripts are not accepted."),
        sniff.ACTIVE: lambda: _(
            "The file contains web page or script content and is not accepted."
        ),
        sniff.ARCHIVE: lambda: _(
            "The document is damaged, password-protected or built in an unsafe way, and is not "
            "accepted."
        ),
        sniff.BOMB: lambda: _(
            "The document unpacks to far more data than it holds (a zip bomb) and is not accepted."
        ),
        sniff.ENTITIES: lambda: _(
            "The document declares XML entities (a DOCTYPE), which is not accepted."
        ),
        sniff.MACRO: lambda: _(
            "Documents with macros, embedded programs or remote templates are not accepted."
        ),
        sniff.ENCODING: lambda: _("A text file must be in UTF-8 or GB18030."),
        sniff.PDF_ACTION: lambda: _(
            "The PDF is set to start programs, open other files or send data when it is opened, "
            "and is not accepted. Print it to a new PDF and upload that instead."
        ),
        sniff.EMBEDDED: lambda: _(
            "The PDF has other files attached inside it, which is not accepted. Upload each "
            "attached file on its own, or print the PDF to a new PDF and upload that."
        ),
        sniff.UNREADABLE: lambda: _(
            "This PDF could not be read: it may be damaged or locked with a password. Save or "
            "scan it again and upload the new file."
        ),
        sniff.TOO_COMPLEX: lambda: _(
            "This PDF is too large or too complex to be checked safely, and is not accepted. "
            "Print it to a new PDF, or split it into smaller files, and upload those."
        ),
    }
    return messages.get(code, accepted_types_message)()


def max_upload_bytes() -> int:
    return int(settings.ZHICHI["MAX_UPLOAD_BYTES"])


def _refuse(errors: list[FieldError], code: str, message) -> None:
    errors.append(FieldError("file", code, str(message)))


def check_file(
    errors: list[FieldError],
    file,
    *,
    limit: int | None = None,
    zip_limits: sniff.ZipLimits | None = None,
) -> sniff.Sniffed | None:
    """The sniffed type of an uploaded file, or None with the reason added to ``errors``.
    ``limit``: the largest size accepted (bytes; the evidence upload limit by default)."""
    if file is None:
        _refuse(errors, "required", _("Choose a file to upload."))
        return None
    limit = limit or max_upload_bytes()
    size = getattr(file, "size", None)
    if size is None or size == 0:
        _refuse(errors, sniff.EMPTY, refusal_message(sniff.EMPTY))
        return None
    if size > limit:
        _refuse(
            errors,
            "too_large",
            _("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)},
        )
        return None
    try:
        found = sniff.sniff(file, limits=zip_limits)
    except sniff.Refused as exc:
        _refuse(errors, exc.code, refusal_message(exc.code))
        return None
    finally:
        file.seek(0)
    return found


def _digest(file) -> tuple[str, int]:
    """SHA-256 and size, read in chunks (a large upload is a temporary file, never all in memory)."""
    sha = hashlib.sha256()
    size = 0
    for chunk in file.chunks(HASH_CHUNK):
        sha.update(chunk)
        size += len(chunk)
    file.seek(0)
    return sha.hexdigest(), size


def _fingerprint(file) -> dict[str, Any]:
    """What the audit trail keeps of a refused file: the name it was sent under (cleaned and
    shortened), its size and its SHA-256, so the same file can be recognised again; never any of
    its content."""
    if file is None:
        return {"name": "", "size": 0, "sha256": ""}
    try:
        sha256, size = _digest(file)
    except (OSError, ValueError):  # an upload that cannot be read again is still refused
        sha256, size = "", getattr(file, "size", None) or 0
    return {
        "name": sniff.clean_name(getattr(file, "name", ""), REFUSED_NAME_MAX),
        "size": size,
        "sha256": sha256,
    }


def _audit_refusal(*, actor: User, target: Case | Lead, reasons: list[str], file) -> None:
    """One audit row for a refused upload, whatever the reason (rule R7). Written outside this
    service's transaction, so the row stays when the refusal undoes everything else."""
    record(
        action=UPLOAD,
        actor=actor,
        obj=target,
        outcome="denied",
        detail={"reasons": sorted(set(reasons)), **_fingerprint(file)},
    )


def _reasons(errors: list[FieldError]) -> list[str]:
    return [f"{e.field}:{e.code}" for e in errors]


def _target(
    actor: User, case_id: int | None, lead_id: int | None, file
) -> tuple[Case | None, Lead | None]:
    """The case or lead to attach to: 404 outside the actor's scope, 403 (audited) when visible
    but the actor may not add evidence to it."""
    if (case_id is None) == (lead_id is None):
        raise ValueError("attach to exactly one of a case or a lead")
    if case_id is not None:
        case = case_rules.get_case_for(actor, case_id)
        if not rules.can_upload_to_case(actor, case):
            _audit_refusal(actor=actor, target=case, reasons=["permission"], file=file)
            raise NotPermitted(rules.CASE_REFUSAL())
        return case, None
    lead = lead_rules.get_lead_for(actor, lead_id)
    if not rules.can_upload_to_lead(actor, lead):
        _audit_refusal(actor=actor, target=lead, reasons=["permission"], file=file)
        raise NotPermitted(rules.LEAD_REFUSAL())
    return None, lead


def _closed(case: Case | None, lead: Lead | None) -> bool:
    """A closed case takes no more evidence, through itself or through its lead."""
    if case is not None:
        return case.status == CaseStatus.CLOSED
    if lead is not None and lead.case_id is not None:
        return Case.objects.filter(pk=lead.case_id, status=CaseStatus.CLOSED).exists()
    return False


@dataclass(frozen=True)
class StoredFile:
    """A checked file written to the evidence store: an upload on its way to its row, or a file
    the public portal keeps until the application it belongs to is sent (issue 18)."""

    original_name: str
    content_type: str
    extension: str
    size: int
    sha256: str
    storage_name: str

    @classmethod
    def of(cls, row) -> StoredFile:
        """The stored file a model row with these fields describes."""
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})


def upload_attachment(
    *,
    actor: User,
    file,
    kind: str,
    description: str = "",
    case_id: int | None = None,
    lead_id: int | None = None,
) -> Attachment:
    """Keep an evidence file on a case or a lead.

    The type is judged by the bytes (sniff.py), the size by settings.ZHICHI["MAX_UPLOAD_BYTES"];
    the SHA-256 is recorded. The file is written to the evidence store under a random name first,
    then the row and the audit entry in one transaction; if that fails the file is removed, so a
    refused or failed upload leaves neither a row nor a file. Every refusal (permission, type,
    size, hostile content, a closed case) writes one "denied" audit row with the reasons and the
    file's name, size and SHA-256, outside the transaction so that it is kept.
    """
    case, lead = _target(actor, case_id, lead_id, file)
    target = case or lead
    assert target is not None
    # every refusal in one answer (and one audit row): the fields, the case's state, the file
    errors: list[FieldError] = []
    try:
        given = parse(AttachmentIn, {"kind": kind, "description": description})
    except InvalidInput as refused:
        errors.extend(refused.errors)
    else:
        kind, description = given.kind, given.description or ""
    if _closed(case, lead):
        errors.append(FieldError("case", "closed", case_rules.CLOSED_REFUSAL()))
    found = check_file(errors, file)
    if errors:
        _audit_refusal(actor=actor, target=target, reasons=_reasons(errors), file=file)
        raise InvalidInput(errors, detail=_("The attachment was not saved."))
    assert found is not None
    try:
        stored = _store(
            file, found, limit=max_upload_bytes(), detail=_("The attachment was not saved.")
        )
    except InvalidInput as exc:
        _audit_refusal(actor=actor, target=target, reasons=_reasons(exc.errors), file=file)
        raise
    try:
        with transaction.atomic():
            if case is not None:
                # a case closed while the file was being stored takes no evidence
                locked = Case.objects.select_for_update().get(pk=case.pk)
                if locked.status == CaseStatus.CLOSED:
                    raise InvalidInput(
                        [FieldError("case", "closed", case_rules.CLOSED_REFUSAL())],
                        detail=_("The attachment was not saved."),
                    )
            attachment = _attach(
                actor=actor, case=case, lead=lead, kind=kind, description=description, stored=stored
            )
    except InvalidInput as exc:  # the case was closed while the file was being stored
        evidence_storage().delete(stored.storage_name)
        _audit_refusal(actor=actor, target=target, reasons=_reasons(exc.errors), file=file)
        raise
    except BaseException:
        evidence_storage().delete(stored.storage_name)
        raise
    return attachment


def attachment_response(*, attachment: Attachment, actor: User, via: str) -> FileResponse:
    """The stored file as a download, audited as "attachment.download" with its SHA-256.

    The caller has already decided that ``actor`` may have it (a scoped getter, or the transfers
    app for an evidence package); ``via`` says which way it went ("page", "api", "transfer").
    Always an attachment (never shown inline), with the sniffed type, nosniff, no caching and a
    sandboxing CSP, so a file cannot run as a page of this site.
    """
    detail = {
        "sha256": attachment.sha256,
        "via": via,
        "case": attachment.case_id,
        "lead": attachment.lead_id,
    }
    try:
        handle = evidence_storage().open(attachment.storage_name, "rb")
    except OSError:
        record(action=DOWNLOAD, actor=actor, obj=attachment, outcome="failed", detail=detail)
        raise
    record(action=DOWNLOAD, actor=actor, obj=attachment, detail=detail)
    response = FileResponse(handle, content_type=attachment.content_type)
    if not response.has_header("Content-Length"):  # an object store's file may not tell
        response["Content-Length"] = str(attachment.size)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return private_file(response, attachment.download_name)


def verify_attachment(attachment: Attachment) -> bool:
    """Whether the stored bytes still hash to the recorded SHA-256 (rule R10: evidence intact)."""
    sha = hashlib.sha256()
    try:
        with evidence_storage().open(attachment.storage_name, "rb") as handle:
            for chunk in iter(lambda: handle.read(HASH_CHUNK), b""):
                sha.update(chunk)
    except (OSError, crypto.SealError):  # gone, or its sealed bytes were changed
        return False
    return sha.hexdigest() == attachment.sha256


def _store(file, found: sniff.Sniffed, *, limit: int, detail: str) -> StoredFile:
    """Write a checked file to the evidence store under a random name, with its SHA-256; refused
    (``InvalidInput`` at ``file``) when its bytes disagree with the size it was sent with."""
    sha256, size = _digest(file)
    if size == 0 or size > limit:
        raise InvalidInput(
            [FieldError("file", "size", _("The file could not be read completely; try again."))],
            detail=detail,
        )
    return StoredFile(
        original_name=sniff.clean_name(getattr(file, "name", "")),
        content_type=found.content_type,
        extension=found.extension,
        size=size,
        sha256=sha256,
        storage_name=evidence_storage().save(new_name(), file),
    )


def _attach(
    *,
    actor: User,
    case: Case | None,
    lead: Lead | None,
    kind: str,
    stored: StoredFile,
    description: str = "",
    via: str = "",
) -> Attachment:
    """The attachment row of a stored file, audited as an upload; inside the caller's
    transaction."""
    attachment = Attachment.objects.create(
        organisation_id=actor.organisation_id,
        uploaded_by=actor,
        case=case,
        lead=lead,
        kind=kind,
        description=description,
        **asdict(stored),
    )
    record(
        action=UPLOAD,
        actor=actor,
        obj=attachment,
        detail={
            "case": case.pk if case else None,
            "lead": lead.pk if lead else None,
            "kind": kind,
            "content_type": stored.content_type,
            "size": stored.size,
            "sha256": stored.sha256,
            "storage_name": stored.storage_name,
            **({"via": via} if via else {}),
        },
    )
    return attachment


def store_checked_file(
    file, *, limit: int, content_types: frozenset[str], refused_type: str
) -> StoredFile:
    """Check a file as ``upload_attachment`` does (type by its bytes, size, hostile content) and
    of ``content_types`` only (else refused with ``refused_type``), then write it to the evidence
    store. Refusals raise ``InvalidInput`` at ``file``; the caller audits them, having the object
    they concern."""
    errors: list[FieldError] = []
    found = check_file(errors, file, limit=limit)
    if found is not None and found.content_type not in content_types:
        _refuse(errors, sniff.TYPE, refused_type)
    if errors:
        raise InvalidInput(errors, detail=_("The file was not saved."))
    assert found is not None
    return _store(file, found, limit=limit, detail=_("The file was not saved."))


def attach_stored_file(
    *, actor: User, lead: Lead, kind: str, stored: StoredFile, via: str
) -> Attachment:
    """Put a file stored earlier (``store_checked_file``) on ``lead``, audited as an upload.
    Inside the caller's transaction: the lead and its evidence are filed together."""
    return _attach(actor=actor, case=None, lead=lead, kind=kind, stored=stored, via=via)
