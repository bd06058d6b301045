"""Messy wage-arrears lists built in the tests: each kind of damage a hand-typed sheet carries,
and hostile files (rule R11) that must never be imported."""

from __future__ import annotations

import csv
import io
import struct
import zipfile
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import make_credit_code, make_id
from zhichi.core.identifiers import id_check_char

CODE_A = make_credit_code("91530102MA6K2P3Q0")
CODE_B = make_credit_code("91530103MA6K2P3Q1")
TITLE = "五华区人力资源和社会保障局 欠薪人员名单（2026年第三批）"
HEADER = [
    "序号",
    "职工姓名",
    "身份证号码",
    "联系电话",
    "用人单位",
    "统一社会信用代码",
    "拖欠工资（元）",
    "欠薪起止时间",
]
# the columns of HEADER, by field
COL = {
    "seq": 0,
    "name": 1,
    "id_number": 2,
    "phone": 3,
    "employer": 4,
    "credit_code": 5,
    "amount": 6,
    "period": 7,
}
EMPLOYER = "云南建工劳务有限公司"
# xlsx(): a title, a line naming who filled it in, an empty row, then the header on sheet row 4
HEADER_ROW = 4
FIRST_ROW = HEADER_ROW + 1
# csv_bytes(): the title, then the header on row 2
CSV_FIRST_ROW = 3


def worker_id(n: int) -> str:
    return make_id("530102", "19850312", f"{n:03d}")


def x_id(n: int = 0) -> str:
    """A valid ID number whose check character is X (the n-th such one)."""
    found = 0
    for seq in range(1000):
        first17 = f"53010219900101{seq:03d}"
        if id_check_char(first17) == "X":
            if found == n:
                return first17 + "X"
            found += 1
    raise AssertionError("no ID number ends in X")


def clean_rows(n: int = 4, *, employer: str = EMPLOYER, code: str = CODE_A) -> list[list]:
    return [
        [
            i + 1,
            f"工人{i + 1}",
            worker_id(i + 1),
            f"1380013{i:04d}",
            employer,
            code,
            1000 + i,
            "2026年3月至2026年8月",
        ]
        for i in range(n)
    ]


def worker(n: int, **changes) -> list:
    """One clean row (worker n of EMPLOYER, 1000 + n yuan, March to August 2026) with some cells
    changed, by field name (COL)."""
    row = [
        n,
        f"工人{n}",
        worker_id(n),
        f"1380013{n:04d}",
        EMPLOYER,
        CODE_A,
        1000 + n,
        "2026年3月至2026年8月",
    ]
    for field, value in changes.items():
        row[COL[field]] = value
    return row


def xlsx(
    rows: list[list], *, header: list = HEADER, title: bool = True, extra_sheet: bool = False
) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    if title:
        ws.append([TITLE])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
        ws.append(
            ["填报单位：五华区劳动保障监察大队", None, None, None, "填报日期：2026年11月20日"]
        )
        ws.append([])
    ws.append(header)
    for row in rows:
        ws.append(row)
    if extra_sheet:
        wb.create_sheet("说明").append(["本表由劳动保障监察大队填报"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def book(sheets: list[tuple[str, list[list], str]]) -> bytes:
    """A workbook of several sheets: (name, rows, state), state "visible" or "hidden"."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows, state in sheets:
        ws = wb.create_sheet(name)
        ws.sheet_state = state
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list], *, header: list = HEADER, encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([TITLE])
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode(encoding)


def upload(data: bytes, name: str = "欠薪名单.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def excel_serial(d: date) -> int:
    return (d - date(1899, 12, 30)).days


# --- .xls (BIFF8 in an OLE2 compound file), written byte by byte --------------------------------
# xlwt is not a dependency; this writes the few records python-calamine needs: the workbook
# globals (BOF, CODEPAGE, one BOUNDSHEET8 per sheet, EOF), then each sheet (BOF, DIMENSIONS, a
# LABEL or NUMBER per cell, EOF), in a version-3 compound file with one regular stream.
_END, _FREE, _FATSECT, _NONE = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def _record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _bof(kind: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))


def _sheet_stream(rows: list[list]) -> bytes:
    out = bytearray(_bof(0x0010))
    width = max((len(r) for r in rows), default=0)
    out += _record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                text = struct.pack("<HB", len(value), 1) + value.encode("utf-16-le")
                out += _record(0x0204, struct.pack("<HHH", r, c, 15) + text)  # LABEL
            else:
                out += _record(0x0203, struct.pack("<HHHd", r, c, 15, float(value)))  # NUMBER
    out += _record(0x000A)
    return bytes(out)


def _compound_file(stream: bytes, name: str = "Workbook") -> bytes:
    stream = stream.ljust(4096, b"\x00")  # below 4096 bytes it would go to the mini stream
    sectors = -(-len(stream) // 512)
    assert sectors + 2 <= 128, "one FAT sector: keep the test workbook under 63 KB"
    fat = [_FATSECT, _END, *range(3, 3 + sectors - 1), _END]
    fat += [_FREE] * (128 - len(fat))
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, _END, 0, _END, 0)
    struct.pack_into("<109I", header, 76, 0, *([_FREE] * 108))

    def entry(text: str, kind: int, child: int = _NONE, start: int = _END, size: int = 0) -> bytes:
        e = bytearray(128)
        raw = (text + "\x00").encode("utf-16-le")
        e[0 : len(raw)] = raw
        struct.pack_into("<HBBIII", e, 64, len(raw), kind, 1, _NONE, _NONE, child)
        struct.pack_into("<IQ", e, 116, start, size)
        return bytes(e)

    unused = bytearray(128)
    struct.pack_into("<III", unused, 68, _NONE, _NONE, _NONE)
    directory = entry("Root Entry", 5, child=1) + entry(name, 2, start=2, size=len(stream))
    directory += bytes(unused) * 2
    return (
        bytes(header)
        + struct.pack("<128I", *fat)
        + directory
        + stream.ljust(sectors * 512, b"\x00")
    )


def xls(
    rows: list[list], *, header: list = HEADER, title: bool = True, sheet: str = "名单"
) -> bytes:
    """An Excel 97-2003 workbook laid out like xlsx()."""
    table = ([[TITLE], ["填报单位：五华区劳动保障监察大队"], []] if title else []) + [header, *rows]
    globals_ = _bof(0x0005) + _record(0x0042, struct.pack("<H", 1200))  # CODEPAGE: UTF-16
    name = struct.pack("<BB", len(sheet), 1) + sheet.encode("utf-16-le")
    boundsheet_size = 4 + 6 + len(name)
    offset = len(globals_) + boundsheet_size + 4
    globals_ += _record(0x0085, struct.pack("<IBB", offset, 0, 0) + name) + _record(0x000A)
    return _compound_file(globals_ + _sheet_stream(table))


# --- hostile files (rule R11) --------------------------------------------------------------------
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    "</Types>"
)


def zip_of(members: dict[str, bytes | str], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def xlsx_members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def xlsx_with(changes: dict[str, bytes | str], rows: list[list] | None = None) -> bytes:
    """A real list (xlsx()) with members added or replaced."""
    members: dict[str, bytes | str] = dict(xlsx_members(xlsx(rows or clean_rows(2))))
    members.update(changes)
    return zip_of(members)


def zip_bomb() -> bytes:
    """A real list with one extra member that inflates to 1,000 times its compressed size."""
    return xlsx_with({"xl/media/padding.bin": b"\x00" * (20 * 1024 * 1024)})


def xxe() -> bytes:
    """A real list whose sheet XML declares an external entity."""
    members = xlsx_members(xlsx(clean_rows(2)))
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    head, _, rest = sheet.partition("?>")
    doctype = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    members["xl/worksheets/sheet1.xml"] = (
        (head + "?>" + doctype + rest).replace("工人1", "&xxe;").encode()
    )
    return zip_of(members)


def docx() -> bytes:
    return zip_of(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships/>',
            "word/document.xml": '<?xml version="1.0" encoding="UTF-8"?><w:document/>',
        }
    )


def plain_zip() -> bytes:
    return zip_of({"名单.csv": csv_bytes(clean_rows(2)), "readme.txt": "欠薪名单"})


def traversal(member: str = "../../etc/cron.d/evil") -> bytes:
    """A real list with a member that would be written outside the package when unpacked."""
    return xlsx_with({member: "* * * * * root sh"})


PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
HTML = "<!DOCTYPE html><html><body><script>alert(1)</script>姓名,身份证号码</body></html>".encode()
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
POLYGLOT = PDF[:9] + b"<html><script>alert(1)</script></html>\n" + PDF[9:]
