"""Excel exports of the lists in the partner API (API.md § Statistics, imports, webhooks):
``GET /api/v1/exports/{list}.xlsx?…`` with the list's own filters answers the file at once for up
to ``ZHICHI_EXPORT_SYNC_ROWS`` rows, else 202 ``{"id"}``; ``GET /api/v1/exports/{id}`` tells its
``status``, ``progress`` and, when ready, its ``download``."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from ninja import Router, Schema, Status

from zhichi.common.api import ErrorOut, ValidationErrorOut
from zhichi.common.schemas import IsoText, OptionalIsoText
from zhichi.stats import exports, exports_service
from zhichi.stats.models import ListExport

exports_router = Router()

XLSX_RESPONSE = {
    "description": "The list as an Excel file (`Content-Disposition: attachment`, "
    "`Cache-Control: no-store`), when it has at most `ZHICHI_EXPORT_SYNC_ROWS` rows (5,000).",
    "content": {exports.XLSX: {"schema": {"type": "string", "format": "binary"}}},
}


class ListExportOut(Schema):
    id: int
    list: str
    status: str
    progress: int
    rows_total: int
    rows_done: int
    download: str | None
    requested_at: IsoText
    finished_at: OptionalIsoText
    error: str

    @staticmethod
    def resolve_list(export: ListExport) -> str:
        return export.list_name

    @staticmethod
    def resolve_download(export: ListExport) -> str | None:
        if export.status != "done":
            return None
        return reverse("api:export_download", args=[export.pk])


def _parameters(spec: exports.ListSpec) -> list[dict]:
    """The list's filters as OpenAPI query parameters, read from the list page's own form."""
    params = []
    for name, field in spec.form(None, None).fields.items():
        schema: dict = {"type": "string"}
        if isinstance(field, forms.ChoiceField):
            schema["enum"] = [str(v) for v, _label in field.choices if v not in ("", None)]
        elif isinstance(field, forms.DateField):
            schema["format"] = "date"
        elif isinstance(field, forms.BooleanField):
            schema = {"type": "boolean"}
        elif getattr(field, "max_length", None):
            schema["maxLength"] = field.max_length
        params.append(
            {
                "name": name,
                "in": "query",
                "required": False,
                "schema": schema,
                "description": str(field.label),
            }
        )
    return params


def _export_view(list_name: str):
    def export_list(request):
        answer = exports_service.request_export(
            list_name=list_name, actor=request.auth, data=request.GET, via="api"
        )
        if isinstance(answer, exports_service.XlsxFile):
            return exports_service.xlsx_response(answer.name, answer.content)
        return Status(202, answer)

    export_list.__name__ = f"export_{list_name}"
    return export_list


for _spec in exports.LISTS.values():
    exports_router.add_api_operation(
        f"/{_spec.name}.xlsx",
        ["GET"],
        _export_view(_spec.name),
        response={
            200: None,
            202: ListExportOut,
            401: ErrorOut,
            403: ErrorOut,
            422: ValidationErrorOut,
        },
        summary=f"Export the {_spec.name} list to Excel, with its filters",
        description=(
            "The rows you see on the list with the same filters (the list's query parameters; "
            "others are ignored), identifiers masked. At most `ZHICHI_EXPORT_SYNC_ROWS` rows: "
            "the file at once; more: 202 with the export's `id`, written in the background "
            "(`GET /api/v1/exports/{id}`). A text starting with = + - @ is written as text, "
            "never as a formula. 403 for the administrators; 422 for a filter the list refuses."
        ),
        openapi_extra={"parameters": _parameters(_spec), "responses": {200: XLSX_RESPONSE}},
    )


@exports_router.get(
    "/{int:export_id}",
    response={200: ListExportOut, 401: ErrorOut, 404: ErrorOut},
    summary="A background Excel export: status, progress and, when done, the download",
)
def get_export(request, export_id: int):
    return exports_service.get_export_for(request.auth, export_id)


@exports_router.get(
    "/{int:export_id}/download",
    response={200: None, 401: ErrorOut, 404: ErrorOut},
    url_name="export_download",
    summary="The Excel file of a background export (404 until it is ready)",
    openapi_extra={"responses": {200: XLSX_RESPONSE}},
)
def download_export(request, export_id: int):
    export = exports_service.get_export_for(request.auth, export_id)
    return exports_service.download(export=export, actor=request.auth, via="api")
