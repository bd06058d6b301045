"""Reading an uploaded list into rows of cells: .xlsx and .xls with python-calamine, .csv in
UTF-8 or GB18030. What the file is comes from its bytes (``evidence.sniff``: zip bombs, XML
entities, macros, markup and wrong types are refused there), never from its name."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from zhichi.common.errors import FieldError, InvalidInput
from zhichi.evidence import services as evidence_services
from zhichi.evidence import sniff
from zhichi.imports import columns
from zhichi.imports.models import FileKind

MAX_COLUMNS = 100
# a list of 100,000 rows unpacks to about 70 MB of sheet XML (ten times its size): up to 512 MB
# unpacked is taken here, the ratio still capped at 100 (a zip bomb is refused either way)
ZIP_LIMITS = sniff.ZipLimits(max_total=512 * 1024 * 1024)
KINDS = {"xlsx": FileKind.XLSX, "xls": FileKind.XLS, "txt": FileKind.CSV}


@dataclass(frozen=True)
class Table:
    sheet: str
    rows: list[list]


def refused(code: str, message: str) -> InvalidInput:
    """The refusal of an uploaded list, at ``file`` (422)."""
    return InvalidInput(
        [FieldError("file", code, message)], detail=_("The file cannot be imported.")
    )


def too_many_rows() -> InvalidInput:
    return refused(
        "too_many_rows",
        _("The list has more than %(n)s rows: split it into smaller files.")
        % {"n": f"{settings.ZHICHI['IMPORT_MAX_ROWS']:,}"},
    )


def max_bytes() -> int:
    return int(settings.ZHICHI["IMPORT_MAX_BYTES"])


def check(upload) -> tuple[str, str]:
    """(file kind, text encoding) of an upload, judged by its content; 422 at ``file`` for an
    empty, oversized, hostile or unsupported file."""
    errors: list[FieldError] = []
    found = evidence_services.check_file(errors, upload, limit=max_bytes(), zip_limits=ZIP_LIMITS)
    if errors:
        raise refused(errors[0].code, errors[0].message)
    kind = KINDS.get(found.extension)
    if kind is None:
        raise refused(
            sniff.TYPE,
            _("Upload the list as an Excel workbook (.xlsx or .xls) or a CSV file."),
        )
    encoding = found.content_type.partition("charset=")[2] if kind == FileKind.CSV else ""
    return kind, encoding


def _csv_rows(data: bytes, encoding: str) -> list[list]:
    text = data.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""), dialect)]


def _sheets(data: bytes):
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    for meta in book.sheets_metadata:
        if meta.visible == SheetVisibleEnum.Visible and meta.typ == SheetTypeEnum.WorkSheet:
            yield meta.name, book.get_sheet_by_name(meta.name)


def read(data: bytes, kind: str, encoding: str = "") -> Table:
    """The rows of the list: for a workbook, the first visible sheet with a header row (cells as
    calamine gives them: text, numbers, dates); for CSV, text cells."""
    if kind == FileKind.CSV:
        try:
            return Table(sheet="", rows=_limit(_csv_rows(data, encoding or "utf-8")))
        except (UnicodeDecodeError, csv.Error):
            raise refused(sniff.ENCODING, evidence_services.refusal_message(sniff.ENCODING))
    from python_calamine import CalamineError

    first: Table | None = None
    try:
        for name, sheet in _sheets(data):
            rows = _limit(sheet.to_python(skip_empty_area=False))
            table = Table(sheet=name, rows=rows)
            if columns.find_header(rows) is not None:
                return table
            first = first or table
    except (CalamineError, ValueError, OSError) as exc:
        if isinstance(exc, InvalidInput):
            raise
        raise refused(
            sniff.ARCHIVE,
            _("The workbook cannot be read: it may be damaged or protected with a password."),
        )
    return first or Table(sheet="", rows=[])


def _limit(rows: list[list]) -> list[list]:
    """A guard of memory only (twice the rows taken); the workers' rows themselves are counted
    below the header (``services.upload_import``)."""
    if len(rows) > 2 * settings.ZHICHI["IMPORT_MAX_ROWS"] + columns.HEADER_SCAN:
        raise too_many_rows()
    if rows and max(len(r) for r in rows[: columns.HEADER_SCAN]) > MAX_COLUMNS:
        raise refused(
            "too_many_columns",
            _("The list has more than %(n)d columns.") % {"n": MAX_COLUMNS},
        )
    return rows


def shown_cell(value) -> str:
    """A cell as text, as the list shows it (a whole number without ".0")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)
