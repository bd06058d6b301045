"""Documents in the partner API (API.md § Cases): issue or re-issue (POST), the current issued
document of a kind as DOCX or PDF (GET, 404 when none is issued), the list, the case file."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from zhichi.cases.rules import get_internal_case_for
from zhichi.common.api import READ_ERRORS, WRITE_ERRORS, ErrorOut, ValidationErrorOut, checks_first
from zhichi.common.errors import FieldError, InvalidInput
from zhichi.common.schemas import IsoText, OptionalIsoText, one_of
from zhichi.documents import casefile, rules, services
from zhichi.documents.models import DocumentKind, IssuedDocument
from zhichi.documents.schemas import IssueIn, LeadIssueIn
from zhichi.intake.rules import get_internal_lead_for

router = Router()

BINARY = {
    "description": "The document as a file (`Content-Disposition: attachment`), "
    "`Cache-Control: no-store`; every download is audited.",
    "content": {
        "application/pdf": {"schema": {"type": "string", "format": "binary"}},
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
            "schema": {"type": "string", "format": "binary"}
        },
    },
}


class DocumentOut(Schema):
    id: int
    case_id: int | None
    lead_id: int | None
    kind: str
    subject: str
    number: str
    template_version: str
    docx_sha256: str
    pdf_sha256: str
    issued_by: str = Field(..., alias="issued_by.username")
    issued_at: IsoText
    replaces: int | None = Field(..., alias="replaces_id")
    reason: str
    # a row of IssuedDocument.objects.listed(), which marks each row from the others of its list
    current: bool = Field(..., alias="is_current")


def _listing(case) -> list[IssuedDocument]:
    return IssuedDocument.objects.filter(case=case).listed()


@router.get(
    "/cases/{case_id}/documents",
    response={200: list[DocumentOut], **READ_ERRORS},
    summary="The case's issued documents",
)
def list_documents(request, case_id: int):
    return _listing(get_internal_case_for(request.auth, case_id))


# Who may issue is decided before the body is judged (issue 12, item 10): see checks_first.
def _issues(request, case_id):
    services.ensure_may_issue(
        case_id=get_internal_case_for(request.auth, case_id).pk, actor=request.auth
    )


def _issues_lead_notice(request, lead_id):
    lead = get_internal_lead_for(request.auth, lead_id)
    services.ensure_may_issue_lead_notice(lead_id=lead.pk, actor=request.auth)


@router.post(
    "/cases/{case_id}/documents",
    response={201: DocumentOut, **WRITE_ERRORS},
    summary="Issue (or re-issue with a reason) a document",
)
@checks_first(_issues)
def issue(request, case_id: int, payload: IssueIn):
    case = get_internal_case_for(request.auth, case_id)
    doc = services.issue_document(
        case_id=case.pk,
        kind=payload.kind,
        actor=request.auth,
        subject_id=payload.subject_id,
        reason=payload.reason,
    )
    return Status(201, next(d for d in _listing(case) if d.pk == doc.pk))


@router.get(
    "/cases/{case_id}/documents/{kind}",
    response={200: None, **READ_ERRORS, 422: ValidationErrorOut},
    summary="The current issued document of a kind as DOCX or PDF (404 when none is issued)",
    description=(
        "A GET never issues or numbers anything: issue with `POST /cases/{id}/documents`. "
        "A court document (the support opinion) comes with full identifiers only to a role that "
        "may unmask, and that download is logged as an unmask; everyone else, and `copy=1`, gets "
        "its masked copy (rule ID-3)."
    ),
    openapi_extra={"responses": {200: BINARY}},
)
def get_document(
    request,
    case_id: int,
    kind: str,
    format: one_of(services.CONTENT_TYPES) = "pdf",
    subject_id: int | None = Query(None),
    as_copy: bool = Query(False, alias="copy", description="a masked copy of a court document"),
    purpose: str = Query(
        "", max_length=200, description="why the original with full identifiers is needed"
    ),
):
    case = get_internal_case_for(request.auth, case_id)
    if kind not in DocumentKind.values:
        raise Http404
    if format not in services.CONTENT_TYPES:
        raise InvalidInput([FieldError("format", "choice", _("Choose docx or pdf."))])
    doc = services.current_of_kind(case=case, kind=kind, subject_id=subject_id)
    if doc is None:
        raise Http404
    return services.document_response(
        doc=doc, actor=request.auth, fmt=format, copy=as_copy, via="api", purpose=purpose
    )


# --- the case file (卷宗) ---------------------------------------------------------------------
class ExportOut(Schema):
    id: int
    case_id: int
    status: str = Field(..., description="queued | running | done | failed | expired")
    full_identifiers: bool = Field(
        ..., description="the court documents' originals (only for roles that may unmask)"
    )
    progress: int
    items_total: int
    items_done: int
    size: int
    sha256: str
    requested_at: IsoText
    finished_at: OptionalIsoText
    error: str


def _export(request, export_id: int):
    return rules.get_export_for(request.auth, export_id)


@router.post(
    "/cases/{case_id}/case-file",
    response={202: ExportOut, **WRITE_ERRORS, 429: ErrorOut},
    summary="Export the case file (ZIP of documents and evidence with an index), in the background",
    description=(
        "Answers the export already being built, or the last one when nothing in the case changed "
        "since; else queues a new one. At most `ZHICHI_CASEFILE_PER_HOUR` new builds per user an "
        "hour (429 with `Retry-After`). Built case files are deleted after "
        "`ZHICHI_CASEFILE_KEEP_DAYS` days (status `expired`)."
    ),
)
def export_case_file(request, case_id: int):

    case = get_internal_case_for(request.auth, case_id)
    export = casefile.request_export(case_id=case.pk, actor=request.auth)
    export.refresh_from_db()
    return Status(202, export)


@router.get(
    "/case-files/{export_id}",
    response={200: ExportOut, **READ_ERRORS},
    summary="A case-file export: status and progress",
)
def get_case_file(request, export_id: int):
    return _export(request, export_id)


@router.get(
    "/case-files/{export_id}/download",
    response={200: None, **READ_ERRORS},
    summary="The case file ZIP (404 until it is ready)",
    openapi_extra={
        "responses": {
            200: {
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}
            }
        }
    },
)
def download_case_file(request, export_id: int):

    export = _export(request, export_id)
    return casefile.zip_response(export=export, actor=request.auth, via="api")


# --- a declined lead's notice of non-acceptance --------------------------------------------------
def _lead_listing(lead) -> list[IssuedDocument]:
    return IssuedDocument.objects.filter(lead=lead).listed()


@router.post(
    "/leads/{lead_id}/documents",
    response={201: DocumentOut, **WRITE_ERRORS},
    summary="Issue (or re-issue) the notice of non-acceptance of a declined lead",
)
@checks_first(_issues_lead_notice)
def issue_lead_notice(request, lead_id: int, payload: LeadIssueIn):
    lead = get_internal_lead_for(request.auth, lead_id)
    doc = services.issue_lead_document(lead_id=lead.pk, actor=request.auth, reason=payload.reason)
    return Status(201, next(d for d in _lead_listing(lead) if d.pk == doc.pk))


@router.get(
    "/leads/{lead_id}/documents/not_acceptance_notice",
    response={200: None, **READ_ERRORS, 422: ValidationErrorOut},
    summary="The notice of non-acceptance as DOCX or PDF (404 when none is issued)",
    openapi_extra={"responses": {200: BINARY}},
)
def get_lead_notice(
    request,
    lead_id: int,
    format: one_of(services.CONTENT_TYPES) = "pdf",
):
    lead = get_internal_lead_for(request.auth, lead_id)
    if format not in services.CONTENT_TYPES:
        raise InvalidInput([FieldError("format", "choice", _("Choose docx or pdf."))])
    doc = services.current(lead=lead, kind=DocumentKind.NOT_ACCEPTANCE_NOTICE)
    if doc is None:
        raise Http404
    return services.document_response(doc=doc, actor=request.auth, fmt=format, via="api")
