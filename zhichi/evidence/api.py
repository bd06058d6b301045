"""Evidence attachments in the partner API: upload (multipart) and list on a case or a lead,
download one. The same services and rules as the pages."""

from __future__ import annotations

from django.urls import reverse
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile

from zhichi.cases import rules as case_rules
from zhichi.common.api import (
    WRITE_ERRORS,
    ErrorOut,
    ValidationErrorOut,
    checks_first,
    keyset_paginated,
)
from zhichi.common.schemas import IsoText
from zhichi.evidence import rules, services
from zhichi.evidence.models import Attachment, Kind
from zhichi.evidence.schemas import DescriptionIn, KindIn
from zhichi.intake import rules as lead_rules

router = Router()

KINDS = " | ".join(Kind.values)
LIST_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
BINARY = {
    "description": "The file, always as an attachment (`Content-Disposition: attachment`), with "
    "the type found from its content, `X-Content-Type-Options: nosniff` and "
    "`Cache-Control: no-store`. Every download is written to the audit trail.",
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
}


class AttachmentOut(Schema):
    id: int
    kind: str = Field(..., description=KINDS)
    description: str
    name: str = Field(
        ..., alias="original_name", description="the uploaded file name, cleaned (no path)"
    )
    content_type: str = Field(..., description="found from the content, not the name")
    size: int
    sha256: str
    uploaded_by: str = Field(..., alias="uploaded_by.username")
    organisation: str = Field(
        ..., alias="organisation.code", description="the code of the uploader's organisation"
    )
    case_id: int | None
    lead_id: int | None
    created_at: IsoText
    download_url: str

    @staticmethod
    def resolve_download_url(a: Attachment) -> str:
        return reverse("api:download_attachment", args=[a.pk])


def _created(attachment: Attachment):
    return Status(201, Attachment.objects.for_display().get(pk=attachment.pk))


# Who may upload is decided before the form is judged (issue 12, item 10): see checks_first.
def _uploads_to_case(request, case_id):
    services._target(request.auth, case_id, None, request.FILES.get("file"))


def _uploads_to_lead(request, lead_id):
    services._target(request.auth, None, lead_id, request.FILES.get("file"))


# Optional to the schema layer on purpose: the service checks them and answers 422 at the fields
# "file", "kind", "description" (the schema layer would name them "file.file" and "form.kind").
EVIDENCE_FILE = File(None, description="the evidence file (required)")
UPLOAD_REQUIRED = {
    "requestBody": {"content": {"multipart/form-data": {"schema": {"required": ["file", "kind"]}}}}
}
UPLOAD_DOC = (
    "Multipart upload: `file` and the form fields `kind` and `description` (at most 500 "
    "characters). The type is judged by the content (PDF, JPEG, PNG, GIF, WebP, TIFF, HEIC, MP3, "
    "M4A/MP4, WAV, AMR, DOCX, XLSX, DOC, XLS, plain text); anything else, an empty file or one "
    "over the size limit is refused with 422 at the field `file`, and nothing is stored."
)


@router.post(
    "/cases/{case_id}/attachments",
    response={201: AttachmentOut, **WRITE_ERRORS},
    summary="Attach evidence to a case",
    description=UPLOAD_DOC,
    openapi_extra=UPLOAD_REQUIRED,
)
@checks_first(_uploads_to_case)
def upload_case_attachment(
    request,
    case_id: int,
    file: UploadedFile = EVIDENCE_FILE,
    kind: KindIn = Form(None),  # noqa: B008
    description: DescriptionIn = Form(""),  # noqa: B008
):
    case = case_rules.get_case_for(request.auth, case_id)
    attachment = services.upload_attachment(
        actor=request.auth, file=file, kind=kind or "", description=description, case_id=case.pk
    )
    return _created(attachment)


@router.post(
    "/leads/{lead_id}/attachments",
    response={201: AttachmentOut, **WRITE_ERRORS},
    summary="Attach evidence to a lead",
    description=UPLOAD_DOC,
    openapi_extra=UPLOAD_REQUIRED,
)
@checks_first(_uploads_to_lead)
def upload_lead_attachment(
    request,
    lead_id: int,
    file: UploadedFile = EVIDENCE_FILE,
    kind: KindIn = Form(None),  # noqa: B008
    description: DescriptionIn = Form(""),  # noqa: B008
):
    lead = lead_rules.get_lead_for(request.auth, lead_id)
    attachment = services.upload_attachment(
        actor=request.auth, file=file, kind=kind or "", description=description, lead_id=lead.pk
    )
    return _created(attachment)


@router.get(
    "/cases/{case_id}/attachments",
    response={200: list[AttachmentOut], **LIST_ERRORS},
    summary="A case's attachments (with its lead's), newest first",
)
@keyset_paginated()
def list_case_attachments(request, case_id: int):
    case = case_rules.get_case_for(request.auth, case_id)
    return rules.case_attachments(request.auth, case, visible=True).for_display()


@router.get(
    "/leads/{lead_id}/attachments",
    response={200: list[AttachmentOut], **LIST_ERRORS},
    summary="A lead's attachments, newest first",
)
@keyset_paginated()
def list_lead_attachments(request, lead_id: int):
    lead = lead_rules.get_lead_for(request.auth, lead_id)
    return rules.lead_attachments(request.auth, lead, visible=True).for_display()


@router.get(
    "/attachments/{attachment_id}/download",
    response={401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Download an attachment",
    openapi_extra={"responses": {200: BINARY}},
)
def download_attachment(request, attachment_id: int):
    attachment = rules.get_attachment_for(request.auth, attachment_id)
    return services.attachment_response(attachment=attachment, actor=request.auth, via="api")
