"""Imports in the partner API (API.md § Statistics, imports, webhooks): ``POST /api/v1/imports``
(multipart ``file``) → 202 ``{"id"}``; ``GET /api/v1/imports/{id}`` → the status, the progress,
the rows' counts, the rejected rows' reasons and the leads created."""

from __future__ import annotations

import json

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status, UploadedFile

from zhichi.accounts.models import Organisation
from zhichi.common.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    ValidationErrorOut,
    checks_first,
    keyset_paginated,
)
from zhichi.common.errors import FieldError, InvalidInput
from zhichi.common.schemas import IsoText, OptionalIsoText, text
from zhichi.imports import columns, rules, services
from zhichi.imports.models import ImportJob

router = Router()
MAX_ERRORS = 1000
MappingText = text(max_length=4000)
OrgCode = text(Organisation, "code")


class ImportStartedOut(Schema):
    id: int
    status: str


class ImportErrorOut(Schema):
    row: int
    field: str
    code: str
    message: str


class ImportOut(Schema):
    id: int
    status: str
    progress: int
    file_name: str
    rows_total: int
    rows_ok: int
    rows_failed: int
    rows_already: int
    rows_known: int
    leads_created: int
    errors: list[ImportErrorOut]
    errors_truncated: bool
    error_report: str | None
    created_at: IsoText
    finished_at: OptionalIsoText


class ImportListItem(Schema):
    id: int
    status: str
    progress: int
    file_name: str
    organisation: str
    created_by: str
    rows_total: int
    rows_ok: int
    rows_failed: int
    leads_created: int
    created_at: IsoText

    @staticmethod
    def resolve_organisation(job: ImportJob) -> str:
        return job.organisation.code

    @staticmethod
    def resolve_created_by(job: ImportJob) -> str:
        return job.created_by.username


def _shown(request, job: ImportJob) -> dict:
    importer = rules.is_importer(request.auth, job)
    failures = list(job.failures.order_by("row", "id")[: MAX_ERRORS + 1]) if importer else []
    report = None
    if importer and job.report_name:
        report = reverse("api:import_errors", args=[job.pk])
    return {
        **{f: getattr(job, f) for f in ImportOut.model_fields if hasattr(job, f)},
        "errors": [
            {
                "row": f.row,
                "field": f.field,
                "code": f.code,
                "message": columns.failure_message(f.field, f.code, f.other_row),
            }
            for f in failures[:MAX_ERRORS]
        ],
        "errors_truncated": len(failures) > MAX_ERRORS,
        "error_report": report,
    }


def _imports(request):
    """Who may import is decided before the file is read (issue 12, item 10)."""
    services.ensure_may_import(actor=request.auth)


@router.post(
    "",
    response={202: ImportStartedOut, **WRITE_ERRORS},
    summary="Import a wage-arrears list (.xlsx, .xls, .csv)",
    description=(
        "Multipart upload: `file`, and optionally `mapping` (a JSON object: field → the column's "
        "header text or 0-based index; fields: "
        + ", ".join(f"`{f.code}`" for f in columns.FIELDS)
        + "), `referring_org` (the agency that handed the list over; a partner's own is implied) "
        "and `to_org` (a partner: the receiving procuratorate). The header row is found among "
        "the first rows and its columns are matched by their names; when a required column "
        "(name, ID number, employer, amount) is not found, 422 names it at `mapping.<field>`. "
        "A file refused by its content (not a spreadsheet, too large, a zip bomb, XML entities, "
        "macros) is 422 at `file`. Then 202: the import runs in the background "
        "(`GET /api/v1/imports/{id}`). Importing the same rows again creates nothing."
    ),
    openapi_extra={
        "requestBody": {"content": {"multipart/form-data": {"schema": {"required": ["file"]}}}}
    },
)
@checks_first(_imports)
def create_import(
    request,
    file: UploadedFile = File(None, description="the list (required)"),  # noqa: B008
    mapping: MappingText = Form(""),  # noqa: B008
    referring_org: OrgCode = Form(""),  # noqa: B008
    to_org: OrgCode = Form(""),  # noqa: B008
):
    if file is None:
        raise InvalidInput([FieldError("file", "required", _("Choose a file to upload."))])
    job = services.upload_import(
        actor=request.auth,
        upload=file,
        referring_org=referring_org.strip(),
        to_org=to_org.strip(),
        mapping=_mapping(mapping),
        start=True,
    )
    return Status(202, job)


def _mapping(text: str) -> dict | None:
    if not text.strip():
        return None
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise InvalidInput(
            [FieldError("mapping", "invalid", _("Give a JSON object: field → column."))]
        )
    return value


@router.get(
    "",
    response={200: list[ImportListItem], 401: ErrorOut, 422: ValidationErrorOut},
    summary="The imports you may see, newest first",
)
@keyset_paginated()
def list_imports(request):
    return ImportJob.objects.visible_to(request.auth).select_related("organisation", "created_by")


@router.get("/{import_id}", response={200: ImportOut, **READ_ERRORS}, summary="One import")
def get_import(request, import_id: int):
    """Its status and progress; every row is counted: `rows_total = rows_ok + rows_failed`
    (`rows_already`: ok rows imported before, which created nothing; `rows_known`: workers
    already on another lead). `errors`: the rejected rows' reasons (the first 1,000; all of them
    in the `error_report` download), shown to the importing organisation only."""
    return _shown(request, rules.get_job_for(request.auth, import_id))


@router.get(
    "/{import_id}/errors.xlsx",
    response={200: None, **READ_ERRORS},
    url_name="import_errors",
    summary="The error report: each rejected row as given, with the reasons (.xlsx)",
)
def import_errors(request, import_id: int):
    job = rules.get_job_for(request.auth, import_id)
    return services.error_report_response(job=job, actor=request.auth, via="api")
